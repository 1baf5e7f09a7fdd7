package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.alg.sip.SipMessage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registrar of RFC 3261 §10.3, and routing to what it holds (§16.5), through real sockets. */
class SipProxyRegistrarTest {
    private SipLab lab;
    private Phone alice;

    @BeforeEach
    void start() throws Exception {
        lab = SipLab.start();
        alice = lab.phone6();
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    /** A REGISTER of alice@example.test from the IPv6 phone (§10.2), {@code more} headers before Content-Length. */
    private SipMessage register(int cseq, String contact, String more) {
        alice.send(sip("""
                REGISTER sip:example.test SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKreg%d
                Max-Forwards: 70
                To: <sip:alice@example.test>
                From: <sip:alice@example.test>;tag=a73kszlfl
                Call-ID: 1j9FpLxk3uxtm8tn@pc33
                CSeq: %d REGISTER
                Contact: %s
                %sContent-Length: *

                """.formatted(alice.hostPort(), cseq, cseq, contact, more)), lab.listen6);
        return alice.receive();
    }

    private String contact() {
        return "sip:alice@" + alice.hostPort();
    }

    @Test
    void aRegisterIsAnsweredWithTheContactsAndTheirExpiry() {
        SipMessage ok = register(1, "<" + contact() + ">", "Expires: 3600\n");
        // §10.3 step 8: the 200 lists every current binding with its expires parameter.
        assertEquals(200, ok.status());
        assertEquals(List.of("<" + contact() + ">;expires=3600"), ok.contacts());
        assertEquals("1 REGISTER", ok.first("cseq").value());
        assertEquals(1, lab.proxy.counters().registrations());
    }

    @Test
    void anOlderRegisterFailsAndARetransmissionIsAnsweredAgain() {
        assertEquals(200, register(5, "<" + contact() + ">", "Expires: 3600\n").status());
        // §10.3 step 7: same Call-ID, lower CSeq: out of order, the request fails (500).
        assertEquals(500, register(4, "<" + contact() + ">", "Expires: 0\n").status());
        assertEquals(1, lab.proxy.counters().registrations(), "the older REGISTER changed nothing");
        // The same CSeq again is a retransmission (the registrar keeps no transaction): 200 as before.
        assertEquals(200, register(5, "<" + contact() + ">", "Expires: 3600\n").status());
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.OUT_OF_ORDER));
    }

    @Test
    void theContactsExpiresParameterWinsOverTheExpiresHeader() {
        // §10.3 step 7: "expires" of the Contact, else the Expires header, else the registrar's default.
        SipMessage ok = register(1, "<" + contact() + ">;expires=120", "Expires: 3600\n");
        assertEquals(List.of("<" + contact() + ">;expires=120"), ok.contacts());
        SipMessage byHeader = register(2, "<" + contact() + ">", "Expires: 600\n");
        assertEquals(List.of("<" + contact() + ">;expires=600"), byHeader.contacts());
    }

    @Test
    void expiresZeroRemovesTheBinding() {
        register(1, "<" + contact() + ">", "Expires: 3600\n");
        SipMessage ok = register(2, "<" + contact() + ">;expires=0", "");
        assertEquals(200, ok.status());
        assertEquals(List.of(), ok.contacts());
        assertEquals(0, lab.proxy.counters().registrations());
    }

    @Test
    void aStarWithExpiresZeroRemovesEveryBinding() {
        register(1, "<" + contact() + ">", "Expires: 3600\n");
        register(2, "<sip:alice@[::1]:5070>", "Expires: 3600\n");
        assertEquals(2, lab.proxy.counters().registrations());
        // §10.2.2 / §10.3 step 6: "Contact: *" with "Expires: 0" removes all of the address of record.
        SipMessage ok = register(3, "*", "Expires: 0\n");
        assertEquals(200, ok.status());
        assertEquals(List.of(), ok.contacts());
        assertEquals(0, lab.proxy.counters().registrations());
    }

    @Test
    void anExpiryBelowSixtySecondsIsTooBrief() {
        // §10.3 step 7 and §21.4.17: 423 with the registrar's Min-Expires (§20.23).
        SipMessage brief = register(1, "<" + contact() + ">;expires=30", "");
        assertEquals(423, brief.status());
        assertEquals("60", brief.first("min-expires").value());
        assertEquals(0, lab.proxy.counters().registrations());
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.INTERVAL_TOO_BRIEF));
    }

    @Test
    void aRegisterThatFailsChangesNothing() {
        // §10.3 step 7: the updates are committed only if all of them succeed.
        SipMessage brief = register(1, "<" + contact() + ">;expires=3600, <sip:alice@[::1]:5070>;expires=30", "");
        assertEquals(423, brief.status());
        assertEquals(0, lab.proxy.counters().registrations());
    }

    @Test
    void aStarWithoutExpiresZeroIs400() {
        // §10.3 step 6: "*" with an expiry other than zero is invalid: 400.
        SipMessage bad = register(1, "*", "Expires: 3600\n");
        assertEquals(400, bad.status());
    }

    @Test
    void theLongestExpiryIsMaxExpires() {
        // §10.3 step 7: the registrar may shorten the interval; the 200 says by how much.
        SipMessage ok = register(1, "<" + contact() + ">;expires=86400", "");
        assertEquals(List.of("<" + contact() + ">;expires=3600"), ok.contacts());
    }

    @Test
    void pastMaxRegistrationsA503() throws Exception {
        lab.close();
        lab = SipLab.with().maxRegistrations(1).start();
        alice = lab.phone6();
        assertEquals(200, register(1, "<" + contact() + ">", "").status());
        SipMessage full = register(2, "<sip:alice@[::1]:5070>", "");
        assertEquals(503, full.status());
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.REGISTRATIONS_FULL));
        assertEquals(1, lab.proxy.counters().registrations());
    }

    @Test
    void aRegisterForAnotherDomainIs404() {
        alice.send(sip("""
                REGISTER sip:example.test SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKother1
                Max-Forwards: 70
                To: <sip:alice@elsewhere.test>
                From: <sip:alice@elsewhere.test>;tag=a73kszlfl
                Call-ID: other-domain@pc33
                CSeq: 1 REGISTER
                Contact: <%s>
                Content-Length: *

                """.formatted(alice.hostPort(), contact())), lab.listen6);
        // §10.3 step 3: the To is not an address of record of this registrar's domain.
        assertEquals(404, alice.receive().status());
        assertEquals(0, lab.proxy.counters().registrations());
    }

    @Test
    void anInviteToTheAddressOfRecordReachesTheRegisteredContact() {
        register(1, "<" + contact() + ">", "Expires: 3600\n");
        Phone bob = lab.phone4();
        bob.send(sip("""
                INVITE sip:alice@example.test SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKbobinv1
                Max-Forwards: 70
                To: <sip:alice@example.test>
                From: <sip:bob@example.test>;tag=1928301774
                Call-ID: a84b4c76e66710@pc33
                CSeq: 314159 INVITE
                Contact: <sip:bob@%s>
                Content-Length: *

                """.formatted(bob.hostPort(), bob.hostPort())), lab.listen4);
        bob.receiveResponse(100);
        // §16.5: the Request-URI becomes the registered contact.
        SipMessage in = alice.receiveRequest("INVITE");
        assertEquals(contact(), in.requestUri());
        assertEquals("<sip:alice@example.test>", in.first("to").value());
    }

    @Test
    void aContactNamedByHostGetsItsCallsWhereItsRegisterCameFrom() {
        register(1, "<sip:alice@alice-phone.example.test>", "Expires: 3600\n");
        Phone bob = lab.phone4();
        bob.send(sip("""
                INVITE sip:alice@example.test SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKbobinv3
                Max-Forwards: 70
                To: <sip:alice@example.test>
                From: <sip:bob@example.test>;tag=1928301774
                Call-ID: by-source@pc33
                CSeq: 1 INVITE
                Contact: <sip:bob@%s>
                Content-Length: *

                """.formatted(bob.hostPort(), bob.hostPort())), lab.listen4);
        bob.receiveResponse(100);
        // §16.5: the Request-URI is the contact; the proxy resolves no names, so the request goes
        // to the address the binding was registered from.
        assertEquals("sip:alice@alice-phone.example.test", alice.receiveRequest("INVITE").requestUri());
    }

    @Test
    void anInviteToAnUnregisteredUserIs404() {
        Phone bob = lab.phone4();
        bob.send(sip("""
                INVITE sip:carol@example.test SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKbobinv2
                Max-Forwards: 70
                To: <sip:carol@example.test>
                From: <sip:bob@example.test>;tag=1928301774
                Call-ID: no-carol@pc33
                CSeq: 1 INVITE
                Contact: <sip:bob@%s>
                Content-Length: *

                """.formatted(bob.hostPort(), bob.hostPort())), lab.listen4);
        // §16.5: no target in the location service: 404 (no 100 first, it is answered at once).
        SipMessage nf = bob.receiveResponse(404);
        assertEquals("1 INVITE", nf.first("cseq").value());
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.NOT_FOUND));
    }
}
