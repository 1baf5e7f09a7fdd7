package dev.isthmus.alg.turn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;

/**
 * The key of STUN's long-term credential mechanism (RFC 8489 §9.2.2):
 * {@code MD5(username ":" realm ":" password)}, or SHA-256 of the same when PASSWORD-ALGORITHM
 * says SHA-256 (§18.5.1.2), used as the HMAC key of MESSAGE-INTEGRITY(-SHA256).
 *
 * <p>String preparation. RFC 8489 names OpaqueString (RFC 8265 §4.2) for realm and password;
 * RFC 5389, against which RFC 5769's test vectors were written, named SASLprep (RFC 4013). We
 * apply SASLprep's mapping: the characters RFC 3454 table B.1 maps to nothing are removed, the
 * non-ASCII spaces of table C.1.2 become U+0020, then NFKC. For printable-ASCII passwords (what
 * an operator types into the configuration, and what coturn's REST passwords are) both profiles
 * leave the text as it is; for other text SASLprep is the one that reproduces RFC 5769 §2.4. We
 * do not refuse SASLprep's prohibited characters: the password is the operator's own, and a
 * client's differently prepared key simply fails the integrity check. The username is used as
 * its bytes arrive in USERNAME (RFC 8489 §9.2.2: "in which case OpaqueString has already been
 * applied").
 */
public final class LongTermCredentials {
    /** PASSWORD-ALGORITHM numbers (RFC 8489 §18.5). */
    public static final int MD5 = 0x0001;
    public static final int SHA256 = 0x0002;

    private LongTermCredentials() {}

    /** The 16-byte key for MESSAGE-INTEGRITY with the default algorithm, MD5. */
    public static byte[] md5Key(String username, String realm, String password) {
        return key("MD5", username, realm, password);
    }

    /** The 32-byte key when PASSWORD-ALGORITHM is SHA-256 (RFC 8489 §18.5.1.2). */
    public static byte[] sha256Key(String username, String realm, String password) {
        return key("SHA-256", username, realm, password);
    }

    private static byte[] key(String digest, String username, String realm, String password) {
        String text = username + ":" + prepare(realm) + ":" + prepare(password);
        try {
            return MessageDigest.getInstance(digest).digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            // MD5 and SHA-256 are among the digests every Java platform must have.
            throw new IllegalStateException(digest + " unavailable", e);
        }
    }

    /** SASLprep's mapping and normalisation (RFC 4013 §2.1-2.2), see the class comment. */
    static String prepare(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (isSpace(c)) {
                out.append(' ');
            } else if (!mapsToNothing(c)) {
                out.appendCodePoint(c);
            }
        });
        return Normalizer.normalize(out, Normalizer.Form.NFKC);
    }

    /** RFC 3454 table C.1.2, non-ASCII space characters; U+200B (zero width) is left to B.1, as Unicode no longer calls it a space. */
    private static boolean isSpace(int c) {
        return c == 0x00A0 || c == 0x1680 || c >= 0x2000 && c <= 0x200A || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** RFC 3454 table B.1, "commonly mapped to nothing". */
    private static boolean mapsToNothing(int c) {
        return c == 0x00AD || c == 0x034F || c == 0x1806 || c >= 0x180B && c <= 0x180D
                || c >= 0x200B && c <= 0x200D || c == 0x2060 || c >= 0xFE00 && c <= 0xFE0F || c == 0xFEFF;
    }
}
