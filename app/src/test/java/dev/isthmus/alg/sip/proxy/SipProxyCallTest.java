package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.response;
import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.SipMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whole call across families: an IPv6 caller, an IPv4 callee, the offer and answer rewritten to
 * the media relay (RFC 3264), RTP relayed both ways, the dialog's requests routed by the double
 * Record-Route (RFC 5658), and the call ended by BYE.
 */
class SipProxyCallTest {
    private static final String CALL_ID = "a84b4c76e66710@pc33.atlanta";
    /** An RTP header (RFC 3550 §5.1): V=2, PT 0 (PCMU), sequence 1, timestamp 160, SSRC 0x1234abcd; then 4 payload bytes. */
    private static final byte[] RTP = HexFormat.of().parseHex("""
            80000001\
            000000a0\
            1234abcd\
            ffffffff""");

    private SipLab lab;
    private Phone alice;
    private Phone bob;
    private DatagramSocket aliceRtp;
    private DatagramSocket bobRtp;

    @BeforeEach
    void start() throws Exception {
        lab = SipLab.start();
        alice = lab.phone6();
        bob = lab.phone4();
        aliceRtp = lab.closing(rtpSocket(alice.address));
        bobRtp = lab.closing(rtpSocket(bob.address));
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    private static DatagramSocket rtpSocket(InetAddress a) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, 0));
        s.setSoTimeout(Phone.WAIT_MILLIS);
        return s;
    }

    /** An offer or answer of one audio stream (RFC 4566 §5, the RFC 3264 §10.1 example's shape). */
    private static String sdp(String user, String family, String address, int port) {
        return """
                v=0
                o=%s 2890844526 2890844526 IN %s %s
                s=-
                c=IN %s %s
                t=0 0
                m=audio %d RTP/AVP 0
                a=rtpmap:0 PCMU/8000
                """.formatted(user, family, address, family, address, port);
    }

    private String inviteWithOffer(Phone from, DatagramSocket rtp, String family, String address, Phone to) {
        return sip("""
                INVITE sip:bob@%s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKnashds8;rport
                Max-Forwards: 70
                To: Bob <sip:bob@%s>
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: %s
                CSeq: 314159 INVITE
                Contact: <sip:alice@%s>
                Content-Type: application/sdp
                Content-Length: *

                """.formatted(to.hostPort(), from.hostPort(), to.hostPort(), CALL_ID, from.hostPort())
                + sdp("alice", family, address, rtp.getLocalPort()));
    }

    private static String body(SipMessage m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    private static int mediaPort(String sdp) {
        Matcher m = Pattern.compile("m=audio (\\d+) ").matcher(sdp);
        assertTrue(m.find(), sdp);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aCallFromIpv6ToIpv4IsRelayedAndEndedByBye() throws Exception {
        alice.send(inviteWithOffer(alice, aliceRtp, "IP6", "::1", bob), lab.listen6);
        alice.receiveResponse(100);
        SipMessage in = bob.receiveRequest("INVITE");
        // The offer bob sees names the relay's IPv4 address and one of its ports (RFC 3264 §5, RFC 4566 §5.2, §5.7).
        String offer = body(in);
        assertTrue(offer.contains("\r\nc=IN IP4 127.0.0.1\r\n"), offer);
        assertTrue(Pattern.compile("\r\no=alice \\d+ \\d+ IN IP4 127\\.0\\.0\\.1\r\n").matcher(offer).find(), offer);
        int relay4 = mediaPort(offer);
        assertTrue(relay4 >= lab.media.firstPort() && relay4 <= lab.media.lastPort(), offer);
        assertEquals(String.valueOf(in.bodyLength()), in.first("content-length").value().strip());

        // §12.1.1: the UAS copies the Record-Route into its 2xx and keeps it as its route set.
        List<String> rr = in.recordRoutes();
        String recordRoutes = "Record-Route: " + String.join(", ", rr) + "\n";
        bob.send(response(in, "200 OK", "8321234356", recordRoutes + "Contact: <sip:bob@" + bob.hostPort() + ">\n",
                sdp("bob", "IP4", "127.0.0.1", bobRtp.getLocalPort())), lab.listen4);
        SipMessage ok = alice.receiveResponse(200);
        String answer = body(ok);
        assertTrue(answer.contains("\r\nc=IN IP6 ::1\r\n"), answer);
        int relay6 = mediaPort(answer);
        assertEquals(1, ok.vias().size());
        assertEquals(rr, ok.recordRoutes());

        // §12.1.2: the caller's route set is the Record-Route reversed; its ACK and BYE follow it.
        alice.send(sip("""
                ACK sip:bob@%s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKack2xx;rport
                Max-Forwards: 70
                Route: %s, %s
                To: Bob <sip:bob@%s>;tag=8321234356
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: %s
                CSeq: 314159 ACK
                Content-Length: *

                """.formatted(bob.hostPort(), alice.hostPort(), rr.get(1), rr.get(0), bob.hostPort(), CALL_ID)),
                lab.listen6);
        SipMessage ack = bob.receiveRequest("ACK");
        assertEquals(List.of(), ack.routes());
        assertEquals("sip:bob@" + bob.hostPort(), ack.requestUri());

        // RTP both ways through the relay, each leg sending to the address of its own family.
        for (int i = 0; i < 2; i++) {
            aliceRtp.send(new DatagramPacket(RTP, RTP.length, new InetSocketAddress(SipLab.V6, relay6)));
            DatagramPacket got = receive(bobRtp);
            assertArrayEquals(RTP, java.util.Arrays.copyOf(got.getData(), got.getLength()));
            // RFC 4961: symmetric RTP, bob's media comes from the port he sends to.
            assertEquals(new InetSocketAddress(SipLab.V4, relay4), got.getSocketAddress());
            bobRtp.send(new DatagramPacket(RTP, RTP.length, new InetSocketAddress(SipLab.V4, relay4)));
            got = receive(aliceRtp);
            assertArrayEquals(RTP, java.util.Arrays.copyOf(got.getData(), got.getLength()));
            assertEquals(new InetSocketAddress(SipLab.V6, relay6), got.getSocketAddress());
        }

        List<CallView> calls = lab.proxy.calls();
        assertEquals(1, calls.size());
        assertTrue(calls.getFirst().confirmed());
        assertEquals("ipv6", calls.getFirst().callerFamily());
        assertEquals("ipv4", calls.getFirst().calleeFamily());
        assertNotNull(calls.getFirst().media());

        // The callee hangs up: its route set is the Record-Route in order (§12.1.1), both values the proxy's.
        bob.send(sip("""
                BYE sip:alice@%s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKbye77
                Max-Forwards: 70
                Route: %s, %s
                From: Bob <sip:bob@%s>;tag=8321234356
                To: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: %s
                CSeq: 231 BYE
                Content-Length: *

                """.formatted(alice.hostPort(), bob.hostPort(), rr.get(0), rr.get(1), bob.hostPort(), CALL_ID)),
                lab.listen4);
        SipMessage bye = alice.receiveRequest("BYE");
        // §16.4: both of the proxy's Route values came off; §16.6: on to the Request-URI, over IPv6.
        assertEquals("sip:alice@" + alice.hostPort(), bye.requestUri());
        assertEquals(List.of(), bye.routes());
        assertTrue(bye.vias().getFirst().toString().startsWith("SIP/2.0/UDP " + lab.proxy6() + ";branch=z9hG4bK"),
                bye.vias().getFirst()::toString);
        assertEquals(69, bye.maxForwards());
        alice.send(response(bye, "200 OK", null, "", null), lab.listen6);
        assertEquals("231 BYE", bob.receiveResponse(200).first("cseq").value());

        SipLab.eventually(1, () -> lab.proxy.counters().count(SipCounters.Event.CALLS_ENDED));
        assertEquals(List.of(), lab.proxy.calls());
        assertEquals(0, lab.proxy.counters().calls());
        assertEquals(1, lab.proxy.counters().count(SipCounters.Event.CALLS_RELAYED));
        // The relay's ports are free again: they can be bound.
        assertBindable(new InetSocketAddress(SipLab.V4, relay4));
        assertBindable(new InetSocketAddress(SipLab.V6, relay6));
    }

    @Test
    void aCallBetweenIpv4PhonesKeepsItsSdp() throws Exception {
        Phone carol = lab.phone4();
        DatagramSocket carolRtp = lab.closing(rtpSocket(carol.address));
        String invite = inviteWithOffer(carol, carolRtp, "IP4", "127.0.0.1", bob);
        carol.send(invite, lab.listen4);
        carol.receiveResponse(100);
        SipMessage in = bob.receiveRequest("INVITE");
        // relay = "auto": the media flows directly between phones of one family; the offer is untouched.
        String sent = invite.substring(invite.indexOf("\r\n\r\n") + 4);
        assertEquals(sent, body(in));
        bob.send(response(in, "200 OK", "8321234356", "Contact: <sip:bob@" + bob.hostPort() + ">\n",
                sdp("bob", "IP4", "127.0.0.1", bobRtp.getLocalPort())), lab.listen4);
        assertEquals(sdp("bob", "IP4", "127.0.0.1", bobRtp.getLocalPort()).replace("\n", "\r\n"),
                body(carol.receiveResponse(200)));
        assertEquals(0, lab.proxy.counters().count(SipCounters.Event.CALLS_RELAYED));
        assertEquals(0, lab.proxy.media().counters().opened());
    }

    private static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket d = new DatagramPacket(new byte[2048], 2048);
        s.receive(d);
        return d;
    }

    private static void assertBindable(InetSocketAddress a) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            try {
                new DatagramSocket(a).close();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("relay port " + SipLab.text(a) + " still bound", e);
                }
                Thread.sleep(20);
            }
        }
    }
}
