package dev.isthmus.alg.turn.server;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The NONCE values of the long-term credential mechanism (RFC 8489 §9.2): made by the server,
 * valid for a limited time, "the server SHOULD ... bound to the client's IP address" (§9.2 notes
 * a nonce may encode it). Stateless, so that a flood of unauthenticated requests fills no table:
 * the nonce is its expiry time and an HMAC, under a key drawn at start, of that time and the
 * client's address. A nonce that does not verify or has expired is stale (438, §9.2.4).
 */
final class Nonces {
    /** RFC 8489 §9.2 leaves the lifetime to the server; coturn's default is 600 s. */
    static final long LIFETIME_NANOS = 600_000_000_000L;
    private static final int MAC_BYTES = 12;

    private final byte[] key;

    Nonces() {
        this(new SecureRandom().generateSeed(32));
    }

    Nonces(byte[] key) {
        this.key = key.clone();
    }

    /** A fresh nonce for {@code client}, valid until {@code now + LIFETIME_NANOS}. */
    String make(InetAddress client, long now) {
        String expiry = Long.toHexString(now + LIFETIME_NANOS);
        return expiry + "-" + mac(expiry, client);
    }

    /** Whether {@code nonce} is one of ours, for {@code client}, and not expired at {@code now}. */
    boolean isValid(String nonce, InetAddress client, long now) {
        int dash = nonce.indexOf('-');
        if (dash <= 0 || dash > 16) {
            return false;
        }
        String expiry = nonce.substring(0, dash);
        long at;
        try {
            at = Long.parseUnsignedLong(expiry, 16);
        } catch (NumberFormatException e) {
            return false;
        }
        byte[] got = nonce.substring(dash + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] want = mac(expiry, client).getBytes(StandardCharsets.US_ASCII);
        // Compared in constant time, then the expiry: nanoTime values compare by difference.
        return MessageDigest.isEqual(got, want) && at - now > 0;
    }

    private String mac(String expiry, InetAddress client) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            m.update(expiry.getBytes(StandardCharsets.US_ASCII));
            m.update(client.getAddress());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(m.doFinal(), MAC_BYTES));
        } catch (GeneralSecurityException e) {
            // HmacSHA256 is among the algorithms every Java platform must have.
            throw new IllegalStateException(e);
        }
    }
}
