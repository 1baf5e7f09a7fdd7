package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * {@link PooledUpstream} against small DNS servers on loopback: what counts as the answer
 * (RFC 5452 §9.1), truncation and TCP (RFC 7766 §5), and the next resolver after a timeout.
 */
class PooledUpstreamTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final Dns64Counters counters = new Dns64Counters();
    private final List<AutoCloseable> open = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A UDP server that answers every query with {@code reply(query)} (null: no answer), and one TCP answer. */
    private InetSocketAddress server(UnaryOperator<Message> reply, boolean tcp) throws IOException {
        DatagramSocket udp = new DatagramSocket(0, LOOPBACK);
        open.add(udp);
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[65535];
            while (!udp.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    Message answer = reply.apply(new Message(java.util.Arrays.copyOf(buf, p.getLength())));
                    if (answer != null) {
                        byte[] b = answer.toWire();
                        udp.send(new DatagramPacket(b, b.length, p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        if (tcp) {
            ServerSocket ss = new ServerSocket(udp.getLocalPort(), 5, LOOPBACK);
            open.add(ss);
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = ss.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] q = new byte[in.readUnsignedShort()];
                    in.readFully(q);
                    Message answer = answer(new Message(q), "192.0.2.1");
                    byte[] b = answer.toWire();
                    s.getOutputStream().write(new byte[] {(byte) (b.length >>> 8), (byte) b.length});
                    s.getOutputStream().write(b);
                } catch (IOException e) {
                    // the test fails on the missing answer
                }
            });
        }
        return new InetSocketAddress(LOOPBACK, udp.getLocalPort());
    }

    private static Message answer(Message query, String address) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        m.addRecord(FakeUpstream.rr(query.getQuestion().getName() + " 300 IN A " + address), Section.ANSWER);
        return m;
    }

    private PooledUpstream upstream(InetSocketAddress... servers) throws IOException {
        PooledUpstream u = new PooledUpstream(List.of(servers), Duration.ofMillis(300), counters);
        open.add(u);
        return u;
    }

    private static Message ask(PooledUpstream u) {
        return u.ask(FakeUpstream.name("a.test"), Type.A, DClass.IN, false, false).join();
    }

    @Test
    void theAnswerToTheQuestionIsReturned() throws IOException {
        Message m = ask(upstream(server(q -> answer(q, "192.0.2.1"), false)));
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals("192.0.2.1", m.getSection(Section.ANSWER).getFirst().rdataToString());
    }

    @Test
    void anAnswerWithAnotherIdIsIgnored() throws IOException {
        // RFC 5452 §9.1: a guessed ID must match; here the "attacker" is off by one.
        PooledUpstream u = upstream(server(q -> {
            Message m = answer(q, "203.0.113.66");
            m.getHeader().setID((q.getHeader().getID() + 1) & 0xffff);
            return m;
        }, false));
        assertNull(ask(u));
        assertEquals(1, counters.get(Dns64Counter.UPSTREAM_TIMEOUTS));
    }

    @Test
    void anAnswerToAnotherQuestionIsIgnored() throws IOException {
        PooledUpstream u = upstream(server(q -> {
            Message m = new Message(q.getHeader().getID());
            m.getHeader().setFlag(Flags.QR);
            m.addRecord(org.xbill.DNS.Record.newRecord(FakeUpstream.name("evil.test"), Type.A, DClass.IN),
                    Section.QUESTION);
            return m;
        }, false));
        assertNull(ask(u));
    }

    @Test
    void aTruncatedAnswerIsAskedAgainOverTcp() throws IOException {
        PooledUpstream u = upstream(server(q -> {
            Message m = new Message(q.getHeader().getID());
            m.getHeader().setFlag(Flags.QR);
            m.getHeader().setFlag(Flags.TC);
            m.addRecord(q.getQuestion(), Section.QUESTION);
            return m;
        }, true));
        Message m = ask(u);
        assertEquals(1, m.getSection(Section.ANSWER).size());
    }

    @Test
    void theNextResolverIsAskedAfterATimeout() throws IOException {
        PooledUpstream u = upstream(server(q -> null, false), server(q -> answer(q, "192.0.2.2"), false));
        assertEquals("192.0.2.2", ask(u).getSection(Section.ANSWER).getFirst().rdataToString());
        assertEquals(1, counters.get(Dns64Counter.UPSTREAM_TIMEOUTS));
        assertEquals(2, counters.get(Dns64Counter.UPSTREAM_QUERIES));
    }
}
