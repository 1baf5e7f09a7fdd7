package dev.isthmus.alg.turn;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The time-limited credentials of the "TURN REST API" (draft-uberti-behave-turn-rest), which
 * coturn calls {@code use-auth-secret}: a web service sharing {@code secret} with the TURN
 * server hands out {@code username = "<expiry, Unix seconds>:<user>"} and
 * {@code password = base64(HMAC-SHA1(secret, username))}; the server recomputes the password
 * and then checks MESSAGE-INTEGRITY with the ordinary long-term key of that pair.
 */
public final class SharedSecretCredentials {
    /** coturn's default separator between timestamp and user ({@code --rest-api-separator}). */
    public static final char SEPARATOR = ':';

    /** Digits of a Unix time in seconds until the year 33658: more is not a timestamp. */
    private static final int MAX_TIMESTAMP_DIGITS = 12;

    private SharedSecretCredentials() {}

    /** The user name for {@code user} valid until {@code expiresAt} (Unix seconds). */
    public static String username(long expiresAt, String user) {
        return Long.toString(expiresAt) + SEPARATOR + user;
    }

    /** The password the shared secret gives {@code username}. */
    public static String password(byte[] secret, String username) {
        byte[] mac = StunIntegrity.mac("HmacSHA1", secret).doFinal(username.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac);
    }

    /**
     * The expiry time (Unix seconds) a user name starts with, as coturn reads it: the digits
     * before the first separator, or the whole name when it has none; -1 when that is not a
     * number, which is not a REST user name.
     */
    public static long expiry(String username) {
        int sep = username.indexOf(SEPARATOR);
        String stamp = sep < 0 ? username : username.substring(0, sep);
        if (stamp.isEmpty() || stamp.length() > MAX_TIMESTAMP_DIGITS) {
            return -1;
        }
        for (int i = 0; i < stamp.length(); i++) {
            if (stamp.charAt(i) < '0' || stamp.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(stamp);
    }

    /** Whether {@code username} is a REST user name still valid at {@code now} (Unix seconds). */
    public static boolean isCurrent(String username, long now) {
        return expiry(username) >= now;
    }

    /** The long-term key (RFC 8489 §9.2.2) of {@code username} under {@code secret}. */
    public static byte[] md5Key(byte[] secret, String username, String realm) {
        return LongTermCredentials.md5Key(username, realm, password(secret, username));
    }
}
