package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket over a temporary path, with a {@link FakeStats} data plane. */
class ControlServerTest {

    static final String CONFIG = "# effective configuration\n[control]\nsocket = \"/x\"\n";

    @TempDir
    Path dir;

    ControlServer start(Path socket) throws IOException {
        return ControlServer.start(socket, FakeStats.sample(), () -> CONFIG);
    }

    /** Sends raw bytes, half-closes, returns everything the server wrote. */
    static String exchange(Path socket, byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.shutdownOutput();
            return readAll(ch);
        }
    }

    static String exchange(Path socket, String line) throws IOException {
        return exchange(socket, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static String readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (ch.read(buf) >= 0) {
            all.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        all.write(buf.array(), 0, buf.position());
        return all.toString(StandardCharsets.UTF_8);
    }

    @Test
    void statsTableHasNonZeroRowsPerWorkerAndTotal() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        try (ControlServer s = start(socket)) {
            String answer = exchange(socket, "show stats");
            assertTrue(answer.startsWith("ok\nisthmus statistics, 2 workers\n\n"), answer);
            // Column widths are checked in statsTableColumnsLineUp; here the values.
            List<String> lines = answer.lines().map(l -> l.replaceAll(" +", " ").stripTrailing()).toList();
            assertTrue(lines.contains("tun worker 0 worker 1 total"), answer);
            assertTrue(lines.contains(" packets-in 120 80 200"), answer);
            assertTrue(lines.contains(" packets-out 117 79 196"), answer);
            assertTrue(lines.contains(" io-errors 0 1 1"), answer);
            assertTrue(lines.contains("translated (path)"), answer);
            assertTrue(lines.contains(" tcp-64 60 40 100"), answer);
            assertTrue(lines.contains(" udp-46 55 0 55"), answer);
            assertTrue(lines.contains(" icmp-info-64 0 39 39"), answer);
            assertTrue(lines.contains("dropped (reason)"), answer);
            assertTrue(lines.contains(" ttl-expired 2 0 2"), answer);
            assertTrue(lines.contains(" untranslatable-destination 3 1 4"), answer);
            // Zero rows are left out: nothing was hairpinned, nothing was truncated.
            assertFalse(answer.contains("hairpin"), answer);
            assertFalse(answer.contains("truncated"), answer);
        }
    }

    @Test
    void statsTableColumnsLineUp() {
        String table = StatsText.render(StatsSnapshot.of(FakeStats.sample()));
        assertEquals("""
                isthmus statistics, 2 workers

                tun                           worker 0  worker 1  total
                  packets-in                       120        80    200
                  packets-out                      117        79    196
                  io-errors                          0         1      1
                  super-packets-in                   0         0      0
                  offload-refused                    0         0      0
                  super-packets-out                  0         0      0
                translated (path)
                  tcp-64                            60        40    100
                  icmp-info-64                       0        39     39
                  udp-46                            55         0     55
                dropped (reason)
                  ttl-expired                        2         0      2
                  untranslatable-destination         3         1      4
                """, table);
    }

    @Test
    void idleDataPlaneSaysNone() {
        String table = StatsText.render(StatsSnapshot.of(new FakeStats(1)));
        assertTrue(table.startsWith("isthmus statistics, 1 worker\n"), table);
        assertTrue(table.contains("translated (path)\n  (none)\ndropped (reason)\n  (none)\n"), table);
    }

    @Test
    void statsJsonHasEveryCounterWithStableNames() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        try (ControlServer s = start(socket)) {
            String answer = exchange(socket, "show stats json");
            assertTrue(answer.startsWith("ok\n{\"workers\":2,\"total\":{\"tun\":{\"packets-in\":200,\"packets-out\":196,"
                    + "\"io-errors\":1,\"super-packets-in\":0,\"offload-refused\":0,\"super-packets-out\":0},\"translated\":{\"tcp-64\":100,"), answer);
            assertTrue(answer.contains("\"dropped\":{\"truncated\":0,"), answer);
            assertTrue(answer.contains("\"untranslatable-destination\":4"), answer);
            assertTrue(answer.contains("\"per_worker\":[{\"worker\":0,\"tun\":{\"packets-in\":120,"), answer);
            assertTrue(answer.contains("{\"worker\":1,\"tun\":{\"packets-in\":80,\"packets-out\":79,\"io-errors\":1,"), answer);
            assertFalse(answer.contains("\"none\""), "NONE is the forwarded verdict, not a drop reason");
            assertTrue(answer.endsWith("}]}\n"), answer);
            for (dev.isthmus.xlat.Path p : dev.isthmus.xlat.Path.values()) {
                assertTrue(answer.contains("\"" + p.key() + "\":"), p.key());
            }
        }
    }

    @Test
    void configAndHelp() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        try (ControlServer s = start(socket)) {
            assertEquals("ok\n" + CONFIG, exchange(socket, "show config"));
            assertEquals("ok\n" + Request.help(), exchange(socket, "help"));
        }
    }

    @Test
    void unknownRequestIsAnErrorLine() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        try (ControlServer s = start(socket)) {
            assertEquals("error: unknown request \"show tables\" (try \"help\")\n", exchange(socket, "show tables"));
            assertEquals("error: empty request (try \"help\")\n", exchange(socket, ""));
            // The server is still there.
            assertTrue(exchange(socket, "show config").startsWith("ok\n"));
        }
    }

    @Test
    void requestWithoutLineFeedIsAnsweredAtEndOfInput() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        try (ControlServer s = start(socket)) {
            assertEquals("ok\n" + CONFIG, exchange(socket, "show config".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void oversizedRequestIsRefused() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        try (ControlServer s = start(socket)) {
            byte[] big = new byte[ControlServer.MAX_REQUEST_BYTES];
            java.util.Arrays.fill(big, (byte) 'x');
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ch.write(ByteBuffer.wrap(big));
                // No half-close: the server must answer as soon as it has read its limit.
                assertEquals("error: request longer than 4096 bytes\n", readAll(ch));
            }
            byte[] justFits = new byte[ControlServer.MAX_REQUEST_BYTES];
            byte[] line = "show config".getBytes(StandardCharsets.US_ASCII);
            java.util.Arrays.fill(justFits, (byte) ' ');
            System.arraycopy(line, 0, justFits, 0, line.length);
            justFits[justFits.length - 1] = '\n';
            assertEquals("ok\n" + CONFIG, exchange(socket, justFits));
        }
    }

    @Test
    void silentClientIsDisconnectedAndOthersAreServed() throws Exception {
        Path socket = dir.resolve("isthmus.sock");
        ControlServer.Responder r = ControlServer.standardResponder(FakeStats.sample(), () -> CONFIG);
        try (ControlServer s = ControlServer.start(socket, r, Duration.ofMillis(200));
                SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertTrue(exchange(socket, "show config").startsWith("ok\n"));
            long t0 = System.nanoTime();
            assertEquals("", readAll(idle), "closed without an answer");
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(4).toNanos());
            assertTrue(exchange(socket, "show config").startsWith("ok\n"));
        }
    }

    @Test
    void failingResponderIsAnErrorNotADeadServer() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        ControlServer.Responder r = req -> {
            if (req.kind() == Request.Kind.CONFIG) {
                throw new IllegalStateException("boom");
            }
            return ControlServer.ok("fine");
        };
        try (ControlServer s = ControlServer.start(socket, r, Duration.ofSeconds(5))) {
            assertEquals("error: internal error answering \"show config\": java.lang.IllegalStateException: boom\n",
                    exchange(socket, "show config"));
            assertEquals("ok\nfine\n", exchange(socket, "help"));
        }
    }

    @Test
    void socketIsRootOnlyInACreatedDirectoryAndRemovedOnClose() throws IOException {
        Path socket = dir.resolve("run/isthmus/isthmus.sock");
        try (ControlServer s = start(socket)) {
            assertEquals(socket, s.path());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            try (var files = Files.list(socket.getParent())) {
                assertEquals(List.of(socket), files.toList(), "no temporary directory left behind");
            }
        }
        assertFalse(Files.exists(socket));
    }

    @Test
    void secondServerOnTheSamePathIsRefused() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        try (ControlServer first = start(socket)) {
            IOException e = assertThrows(IOException.class, () -> start(socket));
            assertTrue(e.getMessage().startsWith("another isthmus is already running: its control socket " + socket
                    + " answers"), e.getMessage());
            // The first one still serves, and its file is still there.
            assertTrue(exchange(socket, "show config").startsWith("ok\n"));
        }
    }

    @Test
    void staleSocketIsReplaced() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        // A process that died leaves its socket file behind; closing a channel does not unlink it.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (ControlServer s = start(socket)) {
            assertTrue(exchange(socket, "show config").startsWith("ok\n"));
        }
        assertFalse(Files.exists(socket));
    }

    @Test
    void fileThatIsNotASocketIsLeftAlone() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        Files.writeString(socket, "precious");
        IOException e = assertThrows(IOException.class, () -> start(socket));
        assertEquals("control socket path " + socket + " exists and is not a socket; not replacing it", e.getMessage());
        assertEquals("precious", Files.readString(socket));
    }

    @Test
    void replacedSocketIsNotRemovedByTheOldServer() throws IOException {
        Path socket = dir.resolve("isthmus.sock");
        ControlServer old = start(socket);
        Files.delete(socket); // as if an operator cleaned up and another server took the path
        try (ControlServer current = start(socket)) {
            old.close();
            assertTrue(Files.exists(socket));
            assertTrue(exchange(socket, "show config").startsWith("ok\n"));
        }
    }

    @Test
    void tooLongPathIsRefused() {
        Path socket = dir.resolve("d".repeat(120) + ".sock");
        IOException e = assertThrows(IOException.class, () -> start(socket));
        assertTrue(e.getMessage().contains("is longer than 107 bytes"), e.getMessage());
    }

    @Test
    void closeIsIdempotent() throws IOException {
        ControlServer s = start(dir.resolve("isthmus.sock"));
        s.close();
        s.close();
    }
}
