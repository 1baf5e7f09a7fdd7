package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * {@link Dns64Server}'s loops on loopback, against a small upstream that answers every A
 * question with 192.0.2.1 — names starting "slow" after {@link #SLOW_MS}: the UDP batches (from
 * the cache and through the upstream, each answer to its client), pipelined TCP queries
 * answered as they are ready (RFC 7766 §6.2.1.1), and the TCP connections refused at accept or
 * cut for a message too slow ({@link TcpLimits}, {@link TcpMessageReader}).
 */
class Dns64ServerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long SLOW_MS = 400;
    /** A second loopback address: a client other than 127.0.0.1. */
    private static final InetAddress OTHER = Dns64Fixture.address("127.0.0.2");
    private static final Duration IDLE = Duration.ofSeconds(2);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void udpQueriesAreAnsweredThroughTheUpstreamAndThenFromTheCache() throws Exception {
        Dns64Server server = server();
        try (DatagramSocket c1 = client(); DatagramSocket c2 = client()) {
            InetSocketAddress to = server.udpAddresses().getFirst();
            assertEquals(List.of("a.test. 300 IN A 192.0.2.1"), Dns64Fixture.answer(askUdp(c1, to, "a.test", 1)));
            // A burst from two clients: most of it comes in one batch, every answer to its asker.
            for (int id = 10; id < 30; id++) {
                send(id % 2 == 0 ? c1 : c2, to, query("A.test", id, false));
            }
            for (int id = 10; id < 30; id++) {
                Message m = receive(id % 2 == 0 ? c1 : c2);
                assertEquals(id, m.getHeader().getID());
                assertEquals("A.test.", m.getQuestion().getName().toString());
            }
            assertEquals(20, server.counters().get(Dns64Counter.CACHE_HITS));
            assertEquals(21, server.counters().get(Dns64Counter.QUERIES_UDP));
        }
    }

    @Test
    void pipelinedTcpQueriesAreAnsweredAsTheyAreReadyNotInTurn() throws Exception {
        Dns64Server server = server();
        try (Socket s = new Socket()) {
            s.connect(server.tcpAddresses().getFirst(), 5000);
            s.setSoTimeout(5000);
            // Three queries in one write: a slow one first, then two the upstream answers at once.
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            for (Object[] q : new Object[][] {{"slow.test", 1}, {"fast.test", 2}, {"quick.test", 3}}) {
                byte[] wire = query((String) q[0], (int) q[1], true);
                framed.write(wire.length >>> 8);
                framed.write(wire.length);
                framed.write(wire);
            }
            long start = System.nanoTime();
            s.getOutputStream().write(framed.toByteArray());
            s.shutdownOutput(); // the client is done asking: the server still answers all three
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<Integer> ids = new ArrayList<>();
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] answer = new byte[in.readUnsignedShort()];
                in.readFully(answer);
                ids.add(Dns64Fixture.parse(answer).getHeader().getID());
                millis.add((System.nanoTime() - start) / 1_000_000);
            }
            assertEquals(1, ids.getLast(), "the slow answer comes last: " + ids);
            assertTrue(millis.get(1) < SLOW_MS, "the fast answers did not wait for the slow one: " + millis);
            assertEquals(-1, in.read(), "then the server closes");
        }
        assertEquals(3, server.counters().get(Dns64Counter.QUERIES_TCP));
    }

    @Test
    void aTcpQueryTheHandlerDropsClosesTheConnection() throws Exception {
        Dns64Server server = server();
        try (Socket s = new Socket()) {
            s.connect(server.tcpAddresses().getFirst(), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(new byte[] {0, 3, 1, 2, 3}); // less than a header
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(1, server.counters().get(Dns64Counter.DROPPED_MALFORMED));
    }

    @Test
    void aClientOutsideAllowIsResetAtAcceptWithoutAQueryRead() throws Exception {
        Dns64Server server = server("127.0.0.2/32", 10, Duration.ofSeconds(1));
        assertRefused(server, LOOPBACK);
        assertEquals(1, server.counters().get(Dns64Counter.TCP_REFUSED_CLIENT));
        assertEquals(0, server.counters().get(Dns64Counter.QUERIES_TCP), "nothing of it was read");
        try (Socket allowed = connect(server, OTHER)) {
            assertEquals(List.of("a.test. 300 IN A 192.0.2.1"), Dns64Fixture.answer(askTcp(allowed)));
        }
    }

    @Test
    void oneClientAddressHoldsAtMostTcpMaxPerClientConnections() throws Exception {
        Dns64Server server = server("127.0.0.0/8", 2, Duration.ofSeconds(1));
        try (Socket first = connect(server, LOOPBACK); Socket second = connect(server, LOOPBACK)) {
            // Both held: each has a query answered, so the server has accepted them before the third.
            askTcp(first);
            askTcp(second);
            assertRefused(server, LOOPBACK);
            assertEquals(1, server.counters().get(Dns64Counter.TCP_CLIENT_LIMIT));
            try (Socket other = connect(server, OTHER)) {
                assertEquals(List.of("a.test. 300 IN A 192.0.2.1"), Dns64Fixture.answer(askTcp(other)),
                        "another client is not held back by the full one");
            }
            assertEquals(List.of("a.test. 300 IN A 192.0.2.1"), Dns64Fixture.answer(askTcp(first)),
                    "the connections held are served on");
        }
    }

    @Test
    void aQueryTrickledInIsCutAtTheMessageTimeoutAndCounted() throws Exception {
        Dns64Server server = server("127.0.0.0/8", 10, Duration.ofMillis(300));
        try (Socket s = connect(server, LOOPBACK)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            long start = System.nanoTime();
            // A byte every 50 ms: well inside the 2 s idle timeout each, 1.3 s for the whole query.
            Thread.startVirtualThread(() -> {
                try {
                    for (byte b : TcpMessageReaderTest.FRAMED_QUERY) {
                        out.write(b);
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection: what the test waits for
                }
            });
            assertClosedByServer(s);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 250 && millis < 1000, "closed after " + millis + " ms; the message timeout is 300 ms");
        }
        assertEquals(1, server.counters().get(Dns64Counter.TCP_MESSAGE_TIMEOUTS));
        assertEquals(0, server.counters().get(Dns64Counter.QUERIES_TCP));
    }

    @Test
    void silenceBetweenQueriesIsMeasuredByTheIdleTimeoutNotTheMessageTimeout() throws Exception {
        Dns64Server server = server("127.0.0.0/8", 10, Duration.ofMillis(300));
        try (Socket s = connect(server, LOOPBACK)) {
            askTcp(s);
            Thread.sleep(700); // over the message timeout, under the idle timeout
            assertEquals(List.of("a.test. 300 IN A 192.0.2.1"), Dns64Fixture.answer(askTcp(s)));
        }
        assertEquals(0, server.counters().get(Dns64Counter.TCP_MESSAGE_TIMEOUTS));
    }

    private Dns64Server server() throws IOException {
        return server("127.0.0.0/8", 10, Duration.ofSeconds(1));
    }

    /** Issue 19: a listen address another socket has is named in the error, with its transport. */
    @Test
    void anAddressInUseIsNamed() throws IOException {
        // The discard port: a server that fails to start never asks its upstream.
        InetSocketAddress nowhere = new InetSocketAddress(LOOPBACK, 9);
        try (DatagramSocket udp = new DatagramSocket(0, LOOPBACK)) {
            InetSocketAddress taken = new InetSocketAddress(LOOPBACK, udp.getLocalPort());
            IOException e = assertThrows(IOException.class,
                    () -> Dns64Server.start(settings(taken, nowhere, "127.0.0.0/8", 10, Duration.ofSeconds(1))));
            assertEquals("DNS64 cannot listen on UDP 127.0.0.1:" + udp.getLocalPort()
                    + ": bind: EADDRINUSE (address already in use)", e.getMessage());
        }
        try (ServerSocket tcp = new ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress taken = new InetSocketAddress(LOOPBACK, tcp.getLocalPort());
            IOException e = assertThrows(IOException.class,
                    () -> Dns64Server.start(settings(taken, nowhere, "127.0.0.0/8", 10, Duration.ofSeconds(1))));
            assertTrue(e.getMessage().startsWith("DNS64 cannot listen on TCP 127.0.0.1:" + tcp.getLocalPort() + ": "),
                    e.getMessage());
        }
    }

    private Dns64Server server(String allow, int maxPerClient, Duration messageTimeout) throws IOException {
        Dns64Server server = Dns64Server.start(
                settings(new InetSocketAddress(LOOPBACK, 0), upstream(), allow, maxPerClient, messageTimeout));
        open.add(server);
        return server;
    }

    private static Dns64Settings settings(InetSocketAddress listen, InetSocketAddress upstream, String allow,
            int maxPerClient, Duration messageTimeout) {
        return new Dns64Settings(
                List.of(listen),
                List.of(upstream),
                List.of(Rfc6052Prefix.parse("2001:db8:64::/96")),
                List.of(Ipv4Prefix.parse(allow)),
                List.of(Ipv6Prefix.parse("::1/128")),
                List.of(),
                Dns64Settings.DEFAULT_EXCLUDE_AAAA,
                100, 86_400, Duration.ofSeconds(2), 100, 10, maxPerClient, IDLE, messageTimeout, 0, 1232);
    }

    /** The upstream: every A question answered with 192.0.2.1, "slow…" names after SLOW_MS. */
    private InetSocketAddress upstream() throws IOException {
        DatagramSocket udp = new DatagramSocket(0, LOOPBACK);
        open.add(udp);
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[65535];
            while (!udp.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                    Message a = new Message(q.getHeader().getID());
                    a.getHeader().setFlag(Flags.QR);
                    a.getHeader().setFlag(Flags.RA);
                    Record question = q.getQuestion();
                    a.addRecord(question, Section.QUESTION);
                    a.addRecord(new ARecord(question.getName(), DClass.IN, 300, InetAddress.getByName("192.0.2.1")),
                            Section.ANSWER);
                    byte[] b = a.toWire();
                    DatagramPacket out = new DatagramPacket(b, b.length, p.getSocketAddress());
                    if (question.getName().toString().startsWith("slow")) {
                        Thread.startVirtualThread(() -> {
                            try {
                                Thread.sleep(SLOW_MS);
                                udp.send(out);
                            } catch (IOException | InterruptedException e) {
                                // the test fails on the missing answer
                            }
                        });
                    } else {
                        udp.send(out);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new InetSocketAddress(LOOPBACK, udp.getLocalPort());
    }

    private static byte[] query(String name, int id, boolean rd) {
        Message m = Message.newQuery(Record.newRecord(FakeUpstream.name(name), Type.A, DClass.IN));
        m.getHeader().setID(id);
        if (!rd) {
            m.getHeader().unsetFlag(Flags.RD);
        }
        return m.toWire();
    }

    /** A TCP connection to the server from {@code from}. */
    private static Socket connect(Dns64Server server, InetAddress from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(server.tcpAddresses().getFirst(), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    /** Asks "a.test A" (ID 0x1234) on the connection and reads the answer. */
    private static Message askTcp(Socket s) throws IOException {
        s.getOutputStream().write(TcpMessageReaderTest.FRAMED_QUERY);
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] answer = new byte[in.readUnsignedShort()];
        in.readFully(answer);
        Message m = Dns64Fixture.parse(answer);
        assertEquals(0x1234, m.getHeader().getID());
        return m;
    }

    /**
     * A connection from {@code from}, with a query sent, that the server ends at once: a reset,
     * which may come before the connect returns or the query is written, or an end of stream.
     */
    private static void assertRefused(Dns64Server server, InetAddress from) throws IOException {
        try (Socket s = connect(server, from)) {
            s.getOutputStream().write(TcpMessageReaderTest.FRAMED_QUERY);
            assertClosedByServer(s);
        } catch (SocketException e) {
            assertTrue(e.getMessage().contains("reset") || e.getMessage().contains("Broken pipe"), e.toString());
        }
    }

    /** The server ends the connection (a reset or an end of stream) well before the idle timeout. */
    private static void assertClosedByServer(Socket s) throws IOException {
        s.setSoTimeout((int) IDLE.toMillis() / 2);
        try {
            assertEquals(-1, s.getInputStream().read());
        } catch (SocketException e) {
            assertTrue(e.getMessage().contains("reset"), e.toString());
        }
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        c.setSoTimeout(5000);
        return c;
    }

    private static Message askUdp(DatagramSocket c, InetSocketAddress to, String name, int id) throws IOException {
        send(c, to, query(name, id, true));
        return receive(c);
    }

    private static void send(DatagramSocket c, InetSocketAddress to, byte[] query) throws IOException {
        c.send(new DatagramPacket(query, query.length, to));
    }

    private static Message receive(DatagramSocket c) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
        c.receive(p);
        return Dns64Fixture.parse(java.util.Arrays.copyOf(p.getData(), p.getLength()));
    }
}
