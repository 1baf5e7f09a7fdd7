package dev.isthmus.alg.turn;

import java.security.GeneralSecurityException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two message checks of RFC 8489: the HMAC of MESSAGE-INTEGRITY (§14.5, SHA-1) and
 * MESSAGE-INTEGRITY-SHA256 (§14.6), and the CRC of FINGERPRINT (§14.7).
 */
final class StunIntegrity {
    /** RFC 8489 §14.7: the CRC-32 is XORed with this so that it differs from the application's own CRC. */
    static final int FINGERPRINT_XOR = 0x5354554E;

    private StunIntegrity() {}

    /**
     * The HMAC over {@code message[0, attributeOffset)} with the header's length field replaced by
     * the length the message would have if the integrity attribute (header and {@code valueLength}
     * bytes) were its last (RFC 8489 §14.5, §14.6): later attributes are not covered.
     */
    static byte[] hmac(String algorithm, byte[] key, byte[] message, int attributeOffset, int valueLength) {
        Mac mac = mac(algorithm, key);
        mac.update(message, 0, 2);
        int adjusted = attributeOffset + 4 + valueLength - StunMessage.HEADER_LENGTH;
        mac.update((byte) (adjusted >>> 8));
        mac.update((byte) adjusted);
        mac.update(message, 4, attributeOffset - 4);
        return mac.doFinal();
    }

    static Mac mac(String algorithm, byte[] key) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac;
        } catch (GeneralSecurityException e) {
            // HmacSHA1 and HmacSHA256 are among the algorithms every Java platform must have.
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }

    /** The FINGERPRINT value for a message whose attribute starts at {@code attributeOffset} (RFC 8489 §14.7). */
    static int fingerprint(byte[] message, int attributeOffset) {
        CRC32 crc = new CRC32();
        crc.update(message, 0, attributeOffset);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }
}
