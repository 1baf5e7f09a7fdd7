package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.Via;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request routing (RFC 3261 §16.3-§16.6, RFC 5658 double Record-Route) and RFC 3581's rport. */
class SipProxyRoutingTest {
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

    /** An INVITE from {@code from} to {@code ruri} with the given top Via and Max-Forwards. */
    static String invite(String ruri, String via, int maxForwards, String callId, Phone from) {
        return sip("""
                INVITE %s SIP/2.0
                Via: %s
                Max-Forwards: %d
                To: Bob <%s>
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: %s
                CSeq: 314159 INVITE
                Contact: <sip:alice@%s>
                Content-Length: *

                """.formatted(ruri, via, maxForwards, ruri, callId, from.hostPort()));
    }

    private String bobUri() {
        return "sip:bob@" + bob.hostPort();
    }

    @Test
    void anInviteFromIpv6ToIpv4IsForwardedWithTwoRecordRoutes() throws InterruptedException {
        alice.send(invite(bobUri(), "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bK776asdhds", 70,
                "a84b4c76e66710@pc33", alice), lab.listen6);
        // §16.2: a stateful proxy answers an INVITE with 100 at once; §8.2.6.1: no To tag on a 100.
        SipMessage trying = alice.receiveResponse(100);
        assertNull(trying.toTag());
        SipMessage in = bob.receiveRequest("INVITE");
        assertEquals(bobUri(), in.requestUri());
        // §16.6 step 3: Max-Forwards one less.
        assertEquals(69, in.maxForwards());
        // §16.6 step 8: the proxy's Via on top, sent from its IPv4 address, the magic cookie first (§8.1.1.7).
        Via top = in.vias().getFirst();
        assertEquals("UDP", top.transport());
        assertEquals(lab.proxy4(), top.host() + ":" + top.port());
        assertTrue(top.branch().startsWith(Via.MAGIC_COOKIE), top::toString);
        assertEquals(2, in.vias().size());
        assertEquals("z9hG4bK776asdhds", in.vias().get(1).branch());
        // RFC 5658 §4: two Record-Routes, the one of the callee's family on top (it reads the route set from the top).
        assertEquals(List.of("<sip:" + lab.proxy4() + ";lr>", "<sip:" + lab.proxy6() + ";lr>"), in.recordRoutes());
        SipLab.eventually(1, () -> lab.proxy.counters().count(SipCounters.Event.REQUESTS_FORWARDED));
    }

    @Test
    void anInviteBetweenIpv4PhonesGetsOneRecordRoute() {
        Phone carol = lab.phone4();
        carol.send(invite(bobUri(), "SIP/2.0/UDP " + carol.hostPort() + ";branch=z9hG4bKv4v4", 70, "v4v4@pc33", carol),
                lab.listen4);
        carol.receiveResponse(100);
        SipMessage in = bob.receiveRequest("INVITE");
        // §16.6 step 4 (RFC 5658 §4 needs the second only when the request changes family or transport).
        assertEquals(List.of("<sip:" + lab.proxy4() + ";lr>"), in.recordRoutes());
    }

    @Test
    void maxForwardsZeroIs483() {
        alice.send(invite(bobUri(), "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bKmf0", 0, "mf0@pc33", alice),
                lab.listen6);
        // §16.3 step 3.
        SipMessage r = alice.receiveResponse(483);
        assertEquals("314159 INVITE", r.first("cseq").value());
        bob.assertSilent(300);
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.TOO_MANY_HOPS));
    }

    @Test
    void aSourceNotInAllowIs403() throws Exception {
        lab.close();
        lab = SipLab.with().allow("::1/128", "127.0.0.1/32").start();
        bob = lab.phone4();
        Phone stranger = lab.phone("127.0.0.2");
        stranger.send(invite(bobUri(), "SIP/2.0/UDP " + stranger.hostPort() + ";branch=z9hG4bKstranger", 70,
                "stranger@pc33", stranger), lab.listen4);
        assertEquals(403, stranger.receive().status());
        bob.assertSilent(300);
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.CLIENT_NOT_ALLOWED));
    }

    @Test
    void aDestinationNotInAllowIs403() throws Exception {
        lab.close();
        lab = SipLab.with().allow("::1/128", "127.0.0.1/32").start();
        alice = lab.phone6();
        alice.send(invite("sip:bob@127.0.0.3:5060", "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bKdst", 70,
                "dst@pc33", alice), lab.listen6);
        // The proxy is no open relay: a next hop outside allow is refused like a source.
        assertEquals(403, alice.receive().status());
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.DESTINATION_NOT_ALLOWED));
    }

    @Test
    void aHostNameThatDoesNotResolveIs404() {
        // RFC 6761 §6.4: .invalid never resolves. The name is looked up off the event loop, so the
        // INVITE has its 100 at once and the 404 when the lookup fails.
        alice.send(invite("sip:bob@biloxi.invalid", "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bKname", 70,
                "name@pc33", alice), lab.listen6);
        alice.receiveResponse(100);
        assertEquals(404, alice.receive().status());
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.NOT_FOUND));
    }

    @Test
    void aRequestThatComesBackIsALoop() {
        alice.send(invite(bobUri(), "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bKloop1", 70, "loop@pc33", alice),
                lab.listen6);
        alice.receiveResponse(100);
        SipMessage in = bob.receiveRequest("INVITE");
        // Bob misbehaves as a proxy that sends the request back unchanged but for its own Via on top
        // and Max-Forwards: §16.3 step 4 finds the proxy's own branch hash in a Via (§16.6 step 8).
        String back = new String(in.toBytes(), java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("Via: ", "Via: SIP/2.0/UDP " + bob.hostPort() + ";branch=z9hG4bKbobfwd\r\nVia: ")
                .replace("Max-Forwards: 69", "Max-Forwards: 68");
        bob.send(back, lab.listen4);
        SipMessage loop = bob.receiveResponse(482);
        assertEquals("z9hG4bKbobfwd", loop.vias().getFirst().branch());
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.LOOP));
    }

    @Test
    void aRequestThatComesBackWithAnotherRequestUriIsASpiral() {
        alice.send(invite(bobUri(), "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bKspiral", 70, "spiral@pc33", alice),
                lab.listen6);
        alice.receiveResponse(100);
        SipMessage in = bob.receiveRequest("INVITE");
        // Bob, as a proxy, retargets the request to carol and sends it back: §16.3 step 4 lets it
        // through, since the hash of the Request-URI (§16.6 step 8) differs.
        Phone carol = lab.phone4();
        String back = new String(in.toBytes(), java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("INVITE sip:bob@" + bob.hostPort(), "INVITE sip:carol@" + carol.hostPort())
                .replaceFirst("Via: ", "Via: SIP/2.0/UDP " + bob.hostPort() + ";branch=z9hG4bKbobspiral\r\nVia: ")
                .replace("Max-Forwards: 69", "Max-Forwards: 68");
        bob.send(back, lab.listen4);
        assertEquals(100, bob.receive().status());
        SipMessage spiralled = carol.receiveRequest("INVITE");
        assertEquals(4, spiralled.vias().size()); // the proxy, bob, the proxy, alice
        assertEquals(67, spiralled.maxForwards());
        assertEquals(0, lab.proxy.counters().refused(SipRefusal.LOOP));
    }

    @Test
    void aRequestWithoutMaxForwardsGetsSeventy() {
        alice.send(sip("""
                OPTIONS %s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKnomf
                To: <%s>
                From: <sip:alice@example.test>;tag=4u7x
                Call-ID: nomf@pc33
                CSeq: 1 OPTIONS
                Content-Length: *

                """.formatted(bobUri(), alice.hostPort(), bobUri())), lab.listen6);
        // §16.6 step 3: a copy without Max-Forwards gets one, of 70.
        assertEquals(70, bob.receiveRequest("OPTIONS").maxForwards());
    }

    @Test
    void aResponseNotForTheProxyAndGarbageAreDroppedAndCounted() throws InterruptedException {
        bob.send(sip("""
                SIP/2.0 200 OK
                Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnotours
                From: <sip:alice@example.test>;tag=4u7x
                To: <sip:bob@example.test>;tag=314
                Call-ID: stray@pc33
                CSeq: 1 OPTIONS
                Content-Length: *

                """), lab.listen4);
        bob.send("INVITE this is not SIP\r\n\r\n", lab.listen4);
        // §16.7 step 1 leaves a response without the proxy's Via nowhere to go; a message that does
        // not parse cannot be answered reliably (§18.3 has no error for it over UDP).
        SipLab.eventually(1, () -> lab.proxy.counters().refused(SipRefusal.UNMATCHED_RESPONSE));
        SipLab.eventually(1, () -> lab.proxy.counters().refused(SipRefusal.MALFORMED));
        bob.assertSilent(200);
        // And the proxy goes on.
        anInviteBetweenIpv4PhonesGetsOneRecordRoute();
    }

    @Test
    void rportGetsReceivedAndThePortAndTheResponseGoesToTheSourcePort() {
        // RFC 3581 §4: the sent-by port (5099, where nobody listens) is not where the answer goes.
        alice.send(invite(bobUri(), "SIP/2.0/UDP [::1]:5099;branch=z9hG4bKrport;rport", 70, "rport@pc33", alice),
                lab.listen6);
        SipMessage trying = alice.receiveResponse(100);
        Via theirs = trying.vias().getFirst();
        assertEquals(alice.port(), theirs.rport());
        assertEquals("::1", theirs.received());
        SipMessage in = bob.receiveRequest("INVITE");
        assertEquals("SIP/2.0/UDP [::1]:5099;branch=z9hG4bKrport;rport=" + alice.port() + ";received=::1",
                in.vias().get(1).toString());
        // The final response goes the same way (§18.2.2 with RFC 3581 §4).
        bob.send(sip("""
                SIP/2.0 486 Busy Here
                %sTo: Bob <%s>;tag=8321234356
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: rport@pc33
                CSeq: 314159 INVITE
                Content-Length: *

                """.formatted(viaLines(in), bobUri())), lab.listen4);
        assertEquals(486, alice.receive().status());
    }

    @Test
    void aSentByOfAnotherHostGetsReceivedWithoutRport() {
        bob.send(invite("sip:alice@" + alice.hostPort(), "SIP/2.0/UDP pc33.example.test:" + bob.port()
                + ";branch=z9hG4bKnamed", 70, "named@pc33", bob), lab.listen4);
        // §18.2.1: the sent-by names a host, not the source address: received is added, and the
        // response goes to received and the sent-by port (§18.2.2).
        assertEquals(100, bob.receive().status());
        SipMessage in = alice.receiveRequest("INVITE");
        assertEquals("SIP/2.0/UDP pc33.example.test:" + bob.port() + ";branch=z9hG4bKnamed;received=127.0.0.1",
                in.vias().get(1).toString());
    }

    @Test
    void aSentByOfTheSourceAddressIsLeftAsItIs() {
        bob.send(invite("sip:alice@" + alice.hostPort(), "SIP/2.0/UDP " + bob.hostPort() + ";branch=z9hG4bKsame", 70,
                "same@pc33", bob), lab.listen4);
        bob.receiveResponse(100);
        SipMessage in = alice.receiveRequest("INVITE");
        assertEquals("SIP/2.0/UDP " + bob.hostPort() + ";branch=z9hG4bKsame", in.vias().get(1).toString());
        assertFalse(in.vias().get(1).toString().contains("received"));
    }

    /** The Via header lines of a request, as its UAS copies them into a response (§8.2.6.2). */
    static String viaLines(SipMessage request) {
        StringBuilder sb = new StringBuilder();
        request.all("via").forEach(v -> sb.append("Via: ").append(v.value()).append("\r\n"));
        return sb.toString();
    }

    static InetSocketAddress at(Phone p) {
        return new InetSocketAddress(p.address, p.port());
    }
}
