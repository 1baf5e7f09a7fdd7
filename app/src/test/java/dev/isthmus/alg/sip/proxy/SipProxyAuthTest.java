package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.SipMessage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Digest authentication of {@code [[sip.users]]} (RFC 3261 §22): REGISTER gets 401, a domain user's INVITE 407. */
class SipProxyAuthTest {
    private SipLab lab;
    private Phone alice;
    private Phone bob;

    @BeforeEach
    void start() throws Exception {
        lab = SipLab.with().users("alice", "wonderland", "bob", "builder").start();
        alice = lab.phone6();
        bob = lab.phone4();
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    @Test
    void aRegisterIsChallengedThenAcceptedWithTheRightPassword() {
        SipMessage challenge = register(1, "alice", null);
        // §22.1/§22.4: 401 with WWW-Authenticate, realm the domain, qop=auth (RFC 2617 §3.2.1).
        assertEquals(401, challenge.status());
        String www = challenge.first("www-authenticate").value();
        assertTrue(www.startsWith("Digest realm=\"example.test\", nonce=\"") && www.endsWith(", qop=\"auth\", algorithm=MD5"), www);
        assertEquals(0, lab.proxy.counters().registrations());

        SipMessage ok = register(2, "alice", credentials("Authorization", "alice", "wonderland", "REGISTER",
                "sip:example.test", nonce(www)));
        assertEquals(200, ok.status());
        assertEquals(1, lab.proxy.counters().registrations());
    }

    @Test
    void aWrongPasswordIsChallengedAgainAndAnotherUsersIsForbidden() {
        String nonce = nonce(register(1, "alice", null).first("www-authenticate").value());
        SipMessage again = register(2, "alice", credentials("Authorization", "alice", "guess", "REGISTER",
                "sip:example.test", nonce));
        assertEquals(401, again.status());
        // §10.3 step 5: bob's own credentials do not let him bind alice's address of record.
        SipMessage forbidden = register(3, "alice", credentials("Authorization", "bob", "builder", "REGISTER",
                "sip:example.test", nonce));
        assertEquals(403, forbidden.status());
        assertEquals(0, lab.proxy.counters().registrations());
        assertTrue(lab.proxy.counters().refused(SipRefusal.AUTHENTICATION_REQUIRED) >= 2);
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.NOT_AUTHORIZED));
    }

    @Test
    void anInviteOfADomainUserIsChallengedWith407AndItsAckAbsorbed() {
        String ruri = "sip:bob@" + bob.hostPort();
        alice.send(invite(ruri, "z9hG4bKinv1", 1, null), lab.listen6);
        SipMessage challenge = alice.receiveResponse(407);
        String proxyAuth = challenge.first("proxy-authenticate").value();
        // §17.1.1.3: the caller ACKs the 407 with the INVITE's branch; the proxy made the 407, so the
        // ACK stops there and bob sees nothing of the attempt.
        alice.send(sip("""
                ACK %s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKinv1
                Max-Forwards: 70
                To: <%s>;tag=%s
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: auth-call@pc33
                CSeq: 1 ACK
                Content-Length: *

                """.formatted(ruri, alice.hostPort(), ruri, challenge.toTag())), lab.listen6);
        bob.assertSilent(300);

        alice.send(invite(ruri, "z9hG4bKinv2", 2, credentials("Proxy-Authorization", "alice", "wonderland", "INVITE",
                ruri, nonce(proxyAuth))), lab.listen6);
        alice.receiveResponse(100);
        SipMessage forwarded = bob.receiveRequest("INVITE");
        // §22.3: the proxy consumes its own credentials.
        assertNull(forwarded.first("proxy-authorization"), forwarded.toString());
    }

    private SipMessage register(int cseq, String user, String authorization) {
        alice.send(sip("""
                REGISTER sip:example.test SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKauth%d
                Max-Forwards: 70
                To: <sip:%s@example.test>
                From: <sip:%s@example.test>;tag=a73kszlfl
                Call-ID: auth-reg@pc33
                CSeq: %d REGISTER
                Contact: <sip:%s@%s>
                %sContent-Length: *

                """.formatted(alice.hostPort(), cseq, user, user, cseq, user, alice.hostPort(),
                authorization == null ? "" : authorization + "\n")), lab.listen6);
        return alice.receive();
    }

    private String invite(String ruri, String branch, int cseq, String authorization) {
        return sip("""
                INVITE %s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=%s
                Max-Forwards: 70
                To: <%s>
                From: Alice <sip:alice@example.test>;tag=1928301774
                Call-ID: auth-call@pc33
                CSeq: %d INVITE
                Contact: <sip:alice@%s>
                %sContent-Length: *

                """.formatted(ruri, alice.hostPort(), branch, ruri, cseq, alice.hostPort(),
                authorization == null ? "" : authorization + "\n"));
    }

    /** RFC 2617 §3.2.2 credentials with qop=auth, as a phone computes them. */
    private static String credentials(String header, String user, String password, String method, String uri, String nonce) {
        String response = DigestAuth.response("MD5", user, "example.test", password, method, uri, nonce, "00000001",
                "0a4f113b", "auth");
        return header + ": Digest username=\"" + user + "\", realm=\"example.test\", nonce=\"" + nonce + "\", uri=\""
                + uri + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001";
    }

    private static String nonce(String challenge) {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge);
        assertTrue(m.find(), challenge);
        return m.group(1);
    }
}
