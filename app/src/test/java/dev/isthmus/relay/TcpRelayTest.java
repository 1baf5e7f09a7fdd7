package dev.isthmus.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.PortSet;
import dev.isthmus.relay.RelaySettings.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TCP relay on loopback, [::1] → 127.0.0.1 (6tunnel's direction), against plain JDK sockets. */
@Timeout(30)
class TcpRelayTest {
    SocketPlane plane;
    ServerSocket server;
    Relay relay;

    @BeforeEach
    void start() throws IOException {
        plane = SocketPlane.start(1);
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    @AfterEach
    void stop() throws IOException {
        if (relay != null) {
            relay.close();
        }
        server.close();
        plane.close();
    }

    static RelaySettings settings(int serverPort, String allow, int perClient, Duration idle, boolean proxy) {
        return new RelaySettings("test", Protocol.TCP, new InetSocketAddress("::1", 0),
                new InetSocketAddress("127.0.0.1", serverPort), null, AddressSet.parse(List.of(allow)), AddressSet.NONE,
                PortSet.ALL_BUT_SMTP, 100, perClient, idle, Duration.ofSeconds(2), proxy);
    }

    /** Issue 19: a bind failure (EADDRINUSE) names the relay, the transport and the address. */
    @Test
    void anAddressInUseIsNamed() {
        RelaySettings busy = new RelaySettings("busy", Protocol.TCP, (InetSocketAddress) server.getLocalSocketAddress(),
                new InetSocketAddress("127.0.0.1", 9), null, AddressSet.parse(List.of("::1")), AddressSet.NONE,
                PortSet.ALL_BUT_SMTP, 100, 10, Duration.ofMinutes(1), Duration.ofSeconds(2), false);
        IOException e = assertThrows(IOException.class, () -> Relay.start(plane, busy));
        assertTrue(e.getMessage().startsWith("relay busy: cannot listen on TCP 127.0.0.1:" + server.getLocalPort() + ": "),
                e.getMessage());
    }

    Socket client() throws IOException {
        Socket s = new Socket();
        s.connect(relay.address(), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    @Test
    void copiesBothWaysAndPassesHalfCloseOn() throws Exception {
        relay = Relay.start(plane, settings(server.getLocalPort(), "::1", 10, Duration.ofMinutes(1), false));
        CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                // The client's FIN arrives as end of stream while the server can still answer.
                String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                s.getOutputStream().write(("got " + got).getBytes(StandardCharsets.US_ASCII));
                return got;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Socket c = client()) {
            c.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
            assertEquals("got QUIT\r\n", new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        assertEquals("QUIT\r\n", seen.get(5, TimeUnit.SECONDS));
        awaitActive(0);
        assertEquals(1, relay.counters().accepted());
        assertEquals(6, relay.counters().bytesToServer());
        assertEquals(10, relay.counters().bytesToClient());
    }

    @Test
    void aSlowReaderNeverMakesTheRelayBufferWithoutBound() throws Exception {
        relay = Relay.start(plane, settings(server.getLocalPort(), "::1", 10, Duration.ofMinutes(1), false));
        AtomicLong written = new AtomicLong();
        try (Socket c = client()) {
            Socket s = server.accept(); // accepted, never read
            Thread writer = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[65536];
                try {
                    OutputStream out = c.getOutputStream();
                    while (!Thread.currentThread().isInterrupted()) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            Thread.sleep(1500);
            long stalled = written.get();
            Thread.sleep(500);
            // Socket buffers on both sides hold a few MiB at most; without backpressure the relay
            // would read gigabytes in two seconds into its own memory.
            assertTrue(stalled < 64 << 20, "the writer got " + stalled + " bytes out while nobody read");
            assertTrue(written.get() - stalled < 1 << 20, "the writer still makes progress: " + written.get());
            // Reading again drains everything: the relay resumes.
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1 << 20];
            long read = 0;
            while (read < stalled) {
                read += in.read(buf);
            }
            writer.interrupt();
            c.close();
            s.close();
        }
    }

    @Test
    void refusesClientsNotInAllow() throws Exception {
        relay = Relay.start(plane, settings(server.getLocalPort(), "2001:db8::/32", 10, Duration.ofMinutes(1), false));
        try (Socket c = client()) {
            assertEquals(-1, c.getInputStream().read());
        }
        awaitRefused(Refusal.CLIENT_NOT_ALLOWED, 1);
        assertEquals(0, relay.counters().accepted());
    }

    @Test
    void limitsConnectionsPerClient() throws Exception {
        relay = Relay.start(plane, settings(server.getLocalPort(), "::1", 1, Duration.ofMinutes(1), false));
        try (Socket first = client(); Socket s = server.accept(); Socket second = client()) {
            assertEquals(-1, second.getInputStream().read());
            awaitRefused(Refusal.CLIENT_LIMIT, 1);
            first.getOutputStream().write('x');
            assertEquals('x', s.getInputStream().read());
        }
    }

    @Test
    void refusesAtAcceptWhenTheSocketPlaneHasNoDescriptorLeft() throws Exception {
        // Two descriptors: the first client's connection and its server connection.
        try (SocketPlane small = SocketPlane.start(1, new DescriptorBudget(2))) {
            relay = Relay.start(small, settings(server.getLocalPort(), "::1", 10, Duration.ofMinutes(1), false));
            try (Socket first = client(); Socket s = server.accept(); Socket second = client()) {
                assertEquals(-1, second.getInputStream().read());
                awaitRefused(Refusal.DESCRIPTOR_LIMIT, 1);
                first.getOutputStream().write('x');
                assertEquals('x', s.getInputStream().read());
                assertEquals(2, small.descriptors().used());
            }
            awaitActive(0);
            relay.close();
            relay = null;
            assertEquals(0, small.descriptors().used());
        }
    }

    @Test
    void closesIdleConnections() throws Exception {
        relay = Relay.start(plane, settings(server.getLocalPort(), "::1", 10, Duration.ofMillis(300), false));
        try (Socket c = client(); Socket s = server.accept()) {
            assertEquals(-1, c.getInputStream().read());
            awaitActive(0);
            assertEquals(1, relay.counters().idleClosed());
        }
    }

    @Test
    void countsServersThatRefuse() throws Exception {
        int closed = server.getLocalPort();
        server.close();
        relay = Relay.start(plane, settings(closed, "::1", 10, Duration.ofMinutes(1), false));
        try (Socket c = client()) {
            assertEquals(-1, c.getInputStream().read());
        }
        awaitRefused(Refusal.CONNECT_FAILED, 1);
    }

    @Test
    void sendsTheProxyProtocolHeaderFirst() throws Exception {
        relay = Relay.start(plane, settings(server.getLocalPort(), "::1", 10, Duration.ofMinutes(1), true));
        try (Socket c = client(); Socket s = server.accept()) {
            c.getOutputStream().write('!');
            s.setSoTimeout(5000);
            byte[] head = s.getInputStream().readNBytes(16 + 36 + 1);
            byte[] sig = new byte[12];
            System.arraycopy(head, 0, sig, 0, 12);
            assertArrayEquals(ProxyHeaderV2.SIGNATURE, sig);
            assertEquals(0x21, head[12]); // v2, PROXY
            assertEquals(0x21, head[13]); // AF_INET6, STREAM
            assertEquals(36, (head[14] & 0xff) << 8 | head[15] & 0xff);
            assertEquals(1, head[31]); // source ::1
            int srcPort = (head[48] & 0xff) << 8 | head[49] & 0xff;
            int dstPort = (head[50] & 0xff) << 8 | head[51] & 0xff;
            assertEquals(c.getLocalPort(), srcPort);
            assertEquals(relay.address().getPort(), dstPort);
            assertEquals('!', head[52]);
        }
    }

    private void awaitActive(long n) throws InterruptedException {
        for (int i = 0; i < 100 && relay.counters().active() != n; i++) {
            Thread.sleep(20);
        }
        assertEquals(n, relay.counters().active());
    }

    private void awaitRefused(Refusal r, long n) throws InterruptedException {
        for (int i = 0; i < 100 && relay.counters().refused(r) != n; i++) {
            Thread.sleep(20);
        }
        assertEquals(n, relay.counters().refused(r));
    }

}
