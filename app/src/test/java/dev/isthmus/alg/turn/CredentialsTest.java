package dev.isthmus.alg.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Long-term keys (RFC 8489 §9.2.2) and the REST-style shared-secret credentials coturn users know. */
class CredentialsTest {
    static final byte[] SECRET = "north".getBytes(StandardCharsets.UTF_8);

    @Test
    void md5KeyIsTheDigestOfTheColonJoinedTriple() throws Exception {
        byte[] want = MessageDigest.getInstance("MD5").digest("user:realm:pass".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(want, LongTermCredentials.md5Key("user", "realm", "pass"));
        assertEquals(16, want.length);
        assertEquals(32, LongTermCredentials.sha256Key("user", "realm", "pass").length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ASCII is left alone|Pass word!~|Pass word!~",
        "RFC 5769 §2.4's password|The\u00ADM\u00AAtr\u2168|TheMatrIX",
        "non-ASCII space becomes a space|a\u00A0b|a b",
        "zero width space maps to nothing|a\u200Bb|ab",
        "NFKC|\uFB01|fi",
    })
    void saslprepMapping(String name, String in, String out) {
        assertEquals(out, LongTermCredentials.prepare(in), name);
    }

    /** Expected password computed apart (Python: base64(hmac.new(b"north", b"1735689600:alice", sha1))). */
    @Test
    void restPasswordIsBase64OfHmacSha1() {
        String user = SharedSecretCredentials.username(1735689600L, "alice");
        assertEquals("1735689600:alice", user);
        assertEquals("HbvWA6hGDtdv3wflBolXLhvzs0w=", SharedSecretCredentials.password(SECRET, user));
        assertArrayEquals(LongTermCredentials.md5Key(user, "example.org", "HbvWA6hGDtdv3wflBolXLhvzs0w="),
                SharedSecretCredentials.md5Key(SECRET, user, "example.org"));
    }

    @ParameterizedTest(name = "{0} expires {1}")
    @CsvSource({"1735689600:alice, 1735689600", "1735689600, 1735689600", "1735689600:a:b, 1735689600",
        "alice:1735689600, -1", "':alice', -1", "9999999999999:x, -1", "12a:x, -1"})
    void expiryIsTheLeadingTimestamp(String user, long expiry) {
        assertEquals(expiry, SharedSecretCredentials.expiry(user));
    }

    @Test
    void currentUntilTheExpiry() {
        assertTrue(SharedSecretCredentials.isCurrent("100:a", 100));
        assertFalse(SharedSecretCredentials.isCurrent("100:a", 101));
        assertFalse(SharedSecretCredentials.isCurrent("a", 0));
    }

    @Test
    void aRestRequestVerifiesEndToEnd() throws Exception {
        String user = SharedSecretCredentials.username(2000000000L, "bob");
        byte[] key = SharedSecretCredentials.md5Key(SECRET, user, "example.org");
        byte[] m = new StunMessageBuilder(StunMethod.ALLOCATE, StunClass.REQUEST, new byte[12])
                .requestedTransport(17).username(user).realm("example.org").nonce("n").messageIntegrity(key)
                .fingerprint().encode();
        StunMessage d = StunMessage.decode(m, 0, m.length);
        byte[] serverKey = SharedSecretCredentials.md5Key(SECRET, d.username(), d.realm());
        assertEquals(StunMessage.Integrity.VALID, d.checkIntegrity(serverKey));
        byte[] wrong = SharedSecretCredentials.md5Key("south".getBytes(StandardCharsets.UTF_8), d.username(), d.realm());
        assertEquals(StunMessage.Integrity.INVALID, d.checkIntegrity(wrong));
    }
}
