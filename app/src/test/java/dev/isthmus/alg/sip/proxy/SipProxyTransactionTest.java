package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.response;
import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.Via;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's transactions (RFC 3261 §16.7, §16.10, §17), an IPv6 caller and an IPv4 callee. */
class SipProxyTransactionTest {
    private SipLab lab;
    private Phone alice;
    private Phone bob;

    @BeforeEach
    void start() throws Exception {
        lab = SipLab.start();
        alice = lab.phone6();
        bob = lab.phone4();
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    private String invite() {
        return SipProxyRoutingTest.invite("sip:bob@" + bob.hostPort(),
                "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bK74bf9", 70, "3848276298220188511@atlanta", alice);
    }

    /** Alice's INVITE through the proxy: alice has had the 100, the INVITE bob got is returned. */
    private SipMessage inviteBob() {
        alice.send(invite(), lab.listen6);
        alice.receiveResponse(100);
        return bob.receiveRequest("INVITE");
    }

    /** A request of alice's in the INVITE's transaction (ACK of a non-2xx, CANCEL): same branch (§9.1, §17.1.1.3). */
    private String hopByHop(String method, String to) {
        return sip("""
                %s sip:bob@%s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bK74bf9
                Max-Forwards: 70
                To: %s
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: 3848276298220188511@atlanta
                CSeq: 314159 %s
                Content-Length: *

                """.formatted(method, bob.hostPort(), alice.hostPort(), to, method));
    }

    @Test
    void responsesGoBackByViaAndARetransmittedInviteGetsTheLastOne() throws InterruptedException {
        SipMessage in = inviteBob();
        // §16.7 step 3: a 100 from downstream is not forwarded (the proxy sent its own).
        bob.send(response(in, "100 Trying", null, "", null), lab.listen4);
        alice.assertSilent(250);
        bob.send(response(in, "180 Ringing", "8321234356", "", null), lab.listen4);
        // §16.7 step 9: the proxy's own Via comes off; the response goes by the next one (§18.2.2).
        SipMessage ringing = alice.receiveResponse(180);
        assertEquals(List.of("SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bK74bf9"),
                ringing.vias().stream().map(Via::toString).toList());
        assertEquals("8321234356", ringing.toTag());
        // §17.2.1: the INVITE again is absorbed, and answered with the last provisional response.
        alice.send(invite(), lab.listen6);
        assertEquals(180, alice.receive().status());
        bob.assertSilent(250);
        SipLab.eventually(1, () -> lab.proxy.counters().count(SipCounters.Event.RETRANSMISSIONS_ABSORBED));
    }

    @Test
    void theProxyAcksANon2xxFinalItselfAndAbsorbsTheCallersAck() throws InterruptedException {
        SipMessage in = inviteBob();
        bob.send(response(in, "486 Busy Here", "8321234356", "", null), lab.listen4);
        assertEquals(486, alice.receive().status());
        // §17.1.1.3: the client transaction's ACK: the INVITE's Request-URI, its branch alone in
        // one Via, the response's To (with its tag), CSeq number of the INVITE, method ACK.
        SipMessage ack = bob.receiveRequest("ACK");
        assertEquals(in.requestUri(), ack.requestUri());
        assertEquals(List.of(in.vias().getFirst().toString()), ack.vias().stream().map(Via::toString).toList());
        assertEquals("Bob <sip:bob@" + bob.hostPort() + ">;tag=8321234356", ack.first("to").value());
        assertEquals("314159 ACK", ack.first("cseq").value());
        assertEquals(in.callId(), ack.callId());
        assertEquals(in.first("from").value(), ack.first("from").value());
        // §17.2.1: alice's own ACK ends the proxy's server transaction and goes no further.
        alice.send(hopByHop("ACK", "Bob <sip:bob@" + bob.hostPort() + ">;tag=8321234356"), lab.listen6);
        bob.assertSilent(400);
        // The failed call is over: no call left, its relay ports released.
        assertEquals(List.of(), lab.proxy.calls());
        assertEquals(1, lab.proxy.counters().count(SipCounters.Event.CALLS_ENDED));
        SipLab.eventually(0, () -> lab.proxy.media().counters().active());
    }

    @Test
    void every2xxIsForwardedEvenAfterTheTransactionEnded() {
        SipMessage in = inviteBob();
        String ok = response(in, "200 OK", "8321234356", "Contact: <sip:bob@" + bob.hostPort() + ">\n", null);
        bob.send(ok, lab.listen4);
        assertEquals(200, alice.receive().status());
        // RFC 6026 §7.2 (updating §16.7 step 4): the callee retransmits its 2xx until ACKed, and a
        // proxy passes each one on; the proxy never ACKs a 2xx itself (§13.3.1.4).
        bob.send(ok, lab.listen4);
        assertEquals(200, alice.receive().status());
        bob.assertSilent(250);
    }

    @Test
    void aCancelAfterAProvisionalIsAnsweredAndSentDownstream() {
        SipMessage in = inviteBob();
        bob.send(response(in, "180 Ringing", "8321234356", "", null), lab.listen4);
        alice.receiveResponse(180);
        alice.send(hopByHop("CANCEL", "Bob <sip:bob@" + bob.hostPort() + ">"), lab.listen6);
        // §16.10: 200 to the CANCEL at once, then a CANCEL of the proxy's own on the pending branch.
        SipMessage ok = alice.receiveResponse(200);
        assertEquals("314159 CANCEL", ok.first("cseq").value());
        SipMessage cancel = bob.receiveRequest("CANCEL");
        // §9.1: the CANCEL has the INVITE's Request-URI, its top Via (branch) alone, and CSeq number.
        assertEquals(in.requestUri(), cancel.requestUri());
        assertEquals(List.of(in.vias().getFirst().toString()), cancel.vias().stream().map(Via::toString).toList());
        assertEquals("314159 CANCEL", cancel.first("cseq").value());
        bob.send(response(cancel, "200 OK", "8321234356", "", null), lab.listen4);
        bob.send(response(in, "487 Request Terminated", "8321234356", "", null), lab.listen4);
        // The 200 to the proxy's CANCEL stays with the proxy; the 487 goes on, and is ACKed downstream.
        assertEquals(487, alice.receive().status());
        assertEquals("314159 ACK", bob.receiveRequest("ACK").first("cseq").value());
    }

    @Test
    void aCancelBeforeAnyProvisionalWaitsForOne() {
        SipMessage in = inviteBob();
        alice.send(hopByHop("CANCEL", "Bob <sip:bob@" + bob.hostPort() + ">"), lab.listen6);
        assertEquals(200, alice.receive().status());
        // §9.1: a CANCEL must not be sent before a provisional response.
        bob.assertSilent(250);
        bob.send(response(in, "180 Ringing", "8321234356", "", null), lab.listen4);
        assertEquals("CANCEL", bob.receiveRequest("CANCEL").method());
        assertEquals(180, alice.receive().status());
    }

    @Test
    void aCancelOfNoTransactionIs481() {
        alice.send(hopByHop("CANCEL", "Bob <sip:bob@" + bob.hostPort() + ">"), lab.listen6);
        // §9.2: a CANCEL matching no transaction.
        assertEquals(481, alice.receive().status());
        bob.assertSilent(250);
    }

    @Test
    void aSilentCalleeGetsTheInviteAgainAfterT1ThenTwiceT1() throws InterruptedException {
        inviteBob();
        long first = System.nanoTime();
        // §17.1.1.2: Timer A starts at T1 (500 ms) and doubles.
        bob.receiveRequest("INVITE");
        long second = System.nanoTime();
        bob.receiveRequest("INVITE");
        long third = System.nanoTime();
        long gap1 = (second - first) / 1_000_000;
        long gap2 = (third - second) / 1_000_000;
        assertTrue(gap1 >= 400 && gap1 < 900, "first retransmission after " + gap1 + " ms");
        assertTrue(gap2 >= 900 && gap2 < 1600, "second retransmission after " + gap2 + " ms");
        SipLab.eventually(2, () -> lab.proxy.counters().count(SipCounters.Event.RETRANSMISSIONS_SENT));
    }
}
