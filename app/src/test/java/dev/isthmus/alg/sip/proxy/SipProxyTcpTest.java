package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.response;
import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.SipParseException;
import java.io.ByteArrayOutputStream;
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
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SIP over TCP (RFC 3261 §18): the switch of large requests, framing by Content-Length, the first-request deadline. */
class SipProxyTcpTest {
    private SipLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = SipLab.with().firstRequestDeadline(Duration.ofSeconds(1)).start();
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    /** One message off a stream, framed by its Content-Length (§18.3). */
    static SipMessage read(InputStream in) throws IOException, SipParseException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.UTF_8);
        int length = 0;
        for (String line : h.split("\r\n")) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("content-length:") || l.startsWith("l:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        head.write(in.readNBytes(length));
        byte[] all = head.toByteArray();
        return SipMessage.parse(all, 0, all.length, SipMessage.Transport.STREAM);
    }

    @Test
    void aRequestOver1300BytesGoesOverTcp() throws Exception {
        Phone alice = lab.phone6();
        Phone bob = lab.phone4();
        ServerSocket bobTcp = lab.closing(new ServerSocket(bob.port(), 5, bob.address));
        bobTcp.setSoTimeout(Phone.WAIT_MILLIS);
        alice.send(sip("""
                INVITE sip:bob@%s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKbig1
                Max-Forwards: 70
                To: Bob <sip:bob@%s>
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: big@pc33
                CSeq: 1 INVITE
                Contact: <sip:alice@%s>
                Content-Type: text/plain
                Content-Length: *

                """.formatted(bob.hostPort(), alice.hostPort(), bob.hostPort(), alice.hostPort()) + "x".repeat(1400)),
                lab.listen6);
        alice.receiveResponse(100);
        // §18.1.1: over 1300 bytes toward a UDP next hop, the proxy sends over TCP, and says so in its Via.
        try (Socket c = bobTcp.accept()) {
            c.setSoTimeout(Phone.WAIT_MILLIS);
            SipMessage in = read(c.getInputStream());
            assertEquals("INVITE", in.method());
            assertTrue(in.vias().getFirst().toString().startsWith("SIP/2.0/TCP " + lab.proxy4() + ";branch=z9hG4bK"),
                    in.vias().getFirst()::toString);
            assertEquals(1400, in.bodyLength());
            assertEquals(1, lab.proxy.counters().count(SipCounters.Event.SWITCHED_TO_TCP));
            // §18.2.2: bob answers on that connection; the response reaches alice over UDP.
            c.getOutputStream().write(response(in, "180 Ringing", "8321234356", "", null)
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(180, alice.receive().status());
        }
    }

    @Test
    void requestsOnOneConnectionAreFramedByContentLength() throws Exception {
        try (Socket c = new Socket(lab.listen4.getAddress(), lab.listen4.getPort())) {
            c.setSoTimeout(Phone.WAIT_MILLIS);
            OutputStream out = c.getOutputStream();
            String client = SipLab.text((InetSocketAddress) c.getLocalSocketAddress());
            String one = options(client, 1, "");
            String two = options(client, 2, "v=0\r\n");
            String three = options(client, 3, "hello, proxy");
            // §18.3: two messages in one segment, then one cut inside its header and inside its body.
            out.write((one + two).getBytes(StandardCharsets.UTF_8));
            out.flush();
            int cut1 = three.indexOf("Call-ID");
            int cut2 = three.length() - 5;
            for (String part : List.of(three.substring(0, cut1), three.substring(cut1, cut2), three.substring(cut2))) {
                out.write(part.getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(50);
            }
            InputStream in = c.getInputStream();
            for (int i = 1; i <= 3; i++) {
                SipMessage ok = read(in);
                assertEquals(200, ok.status());
                assertEquals(i + " OPTIONS", ok.first("cseq").value());
            }
        }
    }

    /** OPTIONS to the proxy itself (§11), sent over TCP with a body. */
    private String options(String client, int cseq, String body) {
        return sip("""
                OPTIONS sip:%s SIP/2.0
                Via: SIP/2.0/TCP %s;branch=z9hG4bKopt%d
                Max-Forwards: 70
                To: <sip:%s>
                From: <sip:alice@example.test>;tag=4u7x
                Call-ID: tcp-framing@pc33
                CSeq: %d OPTIONS
                Content-Type: text/plain
                Content-Length: *

                """.formatted(lab.proxy4(), client, cseq, lab.proxy4(), cseq) + body);
    }

    @Test
    void anInviteOverTcpToAUdpPhoneIsRecordRoutedTwice() throws Exception {
        Phone bob = lab.phone4();
        try (Socket c = new Socket(lab.listen4.getAddress(), lab.listen4.getPort())) {
            c.setSoTimeout(Phone.WAIT_MILLIS);
            String client = SipLab.text((InetSocketAddress) c.getLocalSocketAddress());
            c.getOutputStream().write(sip("""
                    INVITE sip:bob@%s SIP/2.0
                    Via: SIP/2.0/TCP %s;branch=z9hG4bKtcpinv
                    Max-Forwards: 70
                    To: Bob <sip:bob@%s>
                    From: Alice <sip:alice@example.test>;tag=1928301774
                    Call-ID: tcp-invite@pc33
                    CSeq: 1 INVITE
                    Contact: <sip:alice@%s;transport=tcp>
                    Content-Length: *

                    """.formatted(bob.hostPort(), client, bob.hostPort(), client)).getBytes(StandardCharsets.UTF_8));
            assertEquals(100, read(c.getInputStream()).status());
            // RFC 5658 §4: the transport changes (TCP in, UDP out), so two Record-Routes, bob's on top.
            SipMessage in = bob.receiveRequest("INVITE");
            assertEquals(List.of("<sip:" + lab.proxy4() + ";lr>", "<sip:" + lab.proxy4() + ";transport=tcp;lr>"),
                    in.recordRoutes());
        }
    }

    @Test
    void aDoubleCrlfIsAKeepAlivePingAnsweredWithOneCrlf() throws Exception {
        try (Socket c = new Socket(lab.listen4.getAddress(), lab.listen4.getPort())) {
            c.setSoTimeout(Phone.WAIT_MILLIS);
            // RFC 5626 §3.5.1: the ping is CRLF CRLF, the pong CRLF.
            c.getOutputStream().write(new byte[] {'\r', '\n', '\r', '\n'});
            assertEquals('\r', c.getInputStream().read());
            assertEquals('\n', c.getInputStream().read());
        }
    }

    @Test
    void aConnectionFromOutsideAllowIsClosedAtOnce() throws Exception {
        lab.close();
        lab = SipLab.with().allow("::1/128", "127.0.0.1/32").start();
        try (Socket c = new Socket(lab.listen4.getAddress(), lab.listen4.getPort(), InetAddress.ofLiteral("127.0.0.2"), 0)) {
            c.setSoTimeout(Phone.WAIT_MILLIS);
            long start = System.nanoTime();
            assertEquals(-1, c.getInputStream().read());
            assertTrue((System.nanoTime() - start) / 1_000_000 < 1000);
            assertEquals(1, lab.proxy.counters().refused(SipRefusal.CONNECTION_REFUSED));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheDeadline() throws Exception {
        try (Socket c = new Socket(lab.listen4.getAddress(), lab.listen4.getPort())) {
            c.setSoTimeout(Phone.WAIT_MILLIS);
            long start = System.nanoTime();
            assertEquals(-1, c.getInputStream().read());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 800, "closed after " + waited + " ms");
            assertEquals(1, lab.proxy.counters().refused(SipRefusal.FIRST_REQUEST_DEADLINE));
        }
    }
}
