package dev.isthmus.alg.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DigestAuthTest {
    static final long NOW = 1_796_000_000_000L;
    static final List<String> BOTH = List.of("MD5", "SHA-256");

    @Test
    void rfc2617Section35Md5Vector() {
        assertEquals("6629fae49393a05397450978507c4ef1", DigestAuth.response("MD5", "Mufasa", "testrealm@host.com",
                "Circle Of Life", "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b",
                "auth"));
    }

    @Test
    void rfc7616Section391Sha256Vector() {
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", DigestAuth.response("SHA-256",
                "Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html",
                "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth"));
    }

    @Test
    void challengesOfferMd5ThenSha256WithOneNonce() {
        List<String> c = new DigestAuth("example.test", Map.of(), BOTH).challenges(false, NOW);
        assertEquals(2, c.size());
        assertTrue(c.get(0).startsWith("Digest realm=\"example.test\", nonce=\"") && c.get(0).endsWith(", qop=\"auth\", algorithm=MD5"), c.get(0));
        assertTrue(c.get(1).endsWith(", algorithm=SHA-256"), c.get(1));
        assertEquals(nonce(c.get(0)), nonce(c.get(1)));
        assertTrue(new DigestAuth("example.test", Map.of(), BOTH).challenges(true, NOW).get(0).contains(", stale=true"));
    }

    @Test
    void theRightAnswerToOurNonceNamesTheUser() {
        DigestAuth auth = new DigestAuth("example.test", Map.of("alice", "secret"), BOTH);
        for (String algorithm : new String[] {"MD5", "SHA-256"}) {
            String nonce = nonce(auth.challenges(false, NOW).getFirst());
            String r = DigestAuth.response(algorithm, "alice", "example.test", "secret", "REGISTER", "sip:example.test",
                    nonce, "00000001", "c0ffee", "auth");
            String header = "Digest username=\"alice\", realm=\"example.test\", nonce=\"" + nonce
                    + "\", uri=\"sip:example.test\", response=\"" + r + "\", algorithm=" + algorithm
                    + ", qop=auth, nc=00000001, cnonce=\"c0ffee\"";
            assertEquals(new DigestAuth.Verdict("alice", false), auth.check(header, "REGISTER", NOW + 1000), algorithm);
            assertFalse(auth.check(header, "INVITE", NOW + 1000).ok(), "the method is covered (A2)");
            assertEquals(new DigestAuth.Verdict(null, true), auth.check(header, "REGISTER",
                    NOW + DigestAuth.NONCE_LIFETIME_MILLIS + 1), "an old nonce is stale, not wrong");
        }
    }

    @Test
    void anAlgorithmNotChallengedWithIsRefused() {
        DigestAuth md5Only = new DigestAuth("example.test", Map.of("alice", "secret"), List.of("MD5"));
        List<String> c = md5Only.challenges(false, NOW);
        assertEquals(1, c.size());
        String nonce = nonce(c.getFirst());
        for (String algorithm : BOTH) {
            String r = DigestAuth.response(algorithm, "alice", "example.test", "secret", "REGISTER", "sip:example.test",
                    nonce, null, null, null);
            assertEquals(algorithm.equals("MD5"), md5Only.check(header("alice", nonce, r) + ", algorithm=" + algorithm,
                    "REGISTER", NOW).ok(), algorithm);
        }
    }

    @Test
    void wrongPasswordsForeignNoncesAndStrangersAreRefused() {
        DigestAuth auth = new DigestAuth("example.test", Map.of("alice", "secret"), BOTH);
        String nonce = nonce(auth.challenges(false, NOW).getFirst());
        String wrong = DigestAuth.response("MD5", "alice", "example.test", "guess", "REGISTER", "sip:example.test", nonce,
                null, null, null);
        assertFalse(auth.check(header("alice", nonce, wrong), "REGISTER", NOW).ok());
        String foreign = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
        String right = DigestAuth.response("MD5", "alice", "example.test", "secret", "REGISTER", "sip:example.test",
                foreign, null, null, null);
        assertEquals(DigestAuth.Verdict.NONE, auth.check(header("alice", foreign, right), "REGISTER", NOW));
        String other = new DigestAuth("example.test", Map.of("alice", "secret"), BOTH).challenges(false, NOW).getFirst();
        String theirs = DigestAuth.response("MD5", "alice", "example.test", "secret", "REGISTER", "sip:example.test",
                nonce(other), null, null, null);
        assertFalse(auth.check(header("alice", nonce(other), theirs), "REGISTER", NOW).ok(), "another instance's nonce");
        assertFalse(auth.check(header("mallory", nonce, right), "REGISTER", NOW).ok());
        assertFalse(auth.check("Basic YWxpY2U6c2VjcmV0", "REGISTER", NOW).ok());
    }

    @Test
    void credentialsParse() {
        assertEquals(Map.of("username", "a\"b", "realm", "r", "nc", "00000001"),
                DigestAuth.parse("Digest username=\"a\\\"b\",realm=\"r\" , nc=00000001"));
        assertNull(DigestAuth.parse("Digest username=\"unterminated"));
        assertNull(DigestAuth.parse("Digest realm=\"a\", realm=\"b\""), "a parameter given twice");
        assertNull(DigestAuth.parse("Digest"));
        assertNull(DigestAuth.parse("Digestive username=\"a\""));
    }

    private static String header(String user, String nonce, String response) {
        return "Digest username=\"" + user + "\", realm=\"example.test\", nonce=\"" + nonce
                + "\", uri=\"sip:example.test\", response=\"" + response + "\"";
    }

    private static String nonce(String challenge) {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge);
        assertTrue(m.find(), challenge);
        return m.group(1);
    }
}
