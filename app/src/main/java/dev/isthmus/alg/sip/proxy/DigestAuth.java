package dev.isthmus.alg.sip.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HTTP Digest authentication of SIP requests (RFC 3261 §22.4 with RFC 2617's {@code qop=auth};
 * RFC 8760's SHA-256 when configured) against the {@code [[sip.users]]} of the config.
 *
 * <p>Nonces carry their own issue time and an HMAC of it under a key made at start, so the proxy
 * keeps no state per challenge: a nonce older than {@link #NONCE_LIFETIME_MILLIS} is stale (the
 * client is challenged again with {@code stale=true}, RFC 2617 §3.2.1, and retries without asking
 * its user). A nonce may be replayed within its lifetime (no nonce-count table): the Authorization
 * covers the method and Request-URI, so a replay can only repeat the same request.
 */
final class DigestAuth {
    /** How long a nonce is good for. */
    static final long NONCE_LIFETIME_MILLIS = 5 * 60 * 1000;
    private static final int MAC_BYTES = 16;

    /** What {@link #check} found. */
    record Verdict(String user, boolean stale) {
        static final Verdict NONE = new Verdict(null, false);

        boolean ok() {
            return user != null;
        }
    }

    private final String realm;
    private final Map<String, String> passwords;
    private final SecretKeySpec key;
    private final List<String> algorithms;

    /** @param algorithms {@code MD5} and/or {@code SHA-256} (RFC 8760), in the order the challenges list them */
    DigestAuth(String realm, Map<String, String> passwords, List<String> algorithms) {
        this.realm = realm;
        this.algorithms = List.copyOf(algorithms);
        this.passwords = Map.copyOf(passwords);
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
    }

    /** The challenges of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate), one per algorithm, one nonce. */
    List<String> challenges(boolean stale, long now) {
        String nonce = nonce(now);
        String tail = ", nonce=\"" + nonce + "\", qop=\"auth\"" + (stale ? ", stale=true" : "");
        return algorithms.stream().map(a -> "Digest realm=\"" + realm + "\"" + tail + ", algorithm=" + a).toList();
    }

    /**
     * Checks an Authorization or Proxy-Authorization value for a request of {@code method}: the
     * user, when it is one of ours and the response is right over a fresh nonce of ours.
     */
    Verdict check(String headerValue, String method, long now) {
        Map<String, String> p = parse(headerValue);
        if (p == null || !realm.equals(p.get("realm"))) {
            return Verdict.NONE;
        }
        String user = p.get("username");
        String password = user == null ? null : passwords.get(user);
        String nonce = p.get("nonce");
        String uri = p.get("uri");
        String response = p.get("response");
        if (password == null || nonce == null || uri == null || response == null) {
            return Verdict.NONE;
        }
        long issued = issued(nonce);
        if (issued < 0) {
            return Verdict.NONE;
        }
        String algorithm = p.getOrDefault("algorithm", "MD5");
        String digest = algorithm.toUpperCase(Locale.ROOT);
        if (!algorithms.contains(digest)) {
            return Verdict.NONE; // only what the challenges offered
        }
        String qop = p.get("qop");
        if (qop != null && !(qop.equals("auth") && p.get("nc") != null && p.get("cnonce") != null)) {
            return Verdict.NONE;
        }
        String expected = response(digest, user, realm, password, method, uri, nonce, p.get("nc"), p.get("cnonce"), qop);
        boolean right = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        if (!right) {
            return Verdict.NONE;
        }
        // A right answer over an old nonce: the client knows the password, it only needs a new nonce.
        return now - issued > NONCE_LIFETIME_MILLIS ? new Verdict(null, true) : new Verdict(user, false);
    }

    /**
     * RFC 2617 §3.2.2.1 (RFC 7616 §3.4.1 for SHA-256): {@code H(H(A1):nonce:nc:cnonce:qop:H(A2))}
     * with {@code A1 = user:realm:password} and {@code A2 = method:uri}; without qop (RFC 2069)
     * {@code H(H(A1):nonce:H(A2))}.
     */
    static String response(String digest, String user, String realm, String password, String method, String uri,
            String nonce, String nc, String cnonce, String qop) {
        String ha1 = hash(digest, user + ":" + realm + ":" + password);
        String ha2 = hash(digest, method + ":" + uri);
        return qop == null ? hash(digest, ha1 + ":" + nonce + ":" + ha2)
                : hash(digest, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    private String nonce(long now) {
        byte[] time = ByteBuffer.allocate(8).putLong(now).array();
        byte[] n = ByteBuffer.allocate(8 + MAC_BYTES).put(time).put(mac(time), 0, MAC_BYTES).array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(n);
    }

    /** The issue time of one of our nonces, or -1 for anything else. */
    private long issued(String nonce) {
        byte[] n;
        try {
            n = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        if (n.length != 8 + MAC_BYTES) {
            return -1;
        }
        byte[] time = java.util.Arrays.copyOf(n, 8);
        byte[] want = java.util.Arrays.copyOf(mac(time), MAC_BYTES);
        return MessageDigest.isEqual(want, java.util.Arrays.copyOfRange(n, 8, n.length)) ? ByteBuffer.wrap(time).getLong() : -1;
    }

    private byte[] mac(byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static String hash(String algorithm, String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    /**
     * {@code Digest name=value, name="quoted value", ...} (RFC 2617 §3.2.2, RFC 3261 §25.1
     * {@code dig-resp}); null when it is not a Digest credential or does not parse.
     */
    static Map<String, String> parse(String value) {
        String v = value.strip();
        if (v.length() < 7 || !v.regionMatches(true, 0, "Digest", 0, 6) || !Character.isWhitespace(v.charAt(6))) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        int i = 7;
        while (i < v.length()) {
            while (i < v.length() && (v.charAt(i) == ',' || Character.isWhitespace(v.charAt(i)))) {
                i++;
            }
            if (i >= v.length()) {
                break;
            }
            int eq = v.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String name = v.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < v.length() && Character.isWhitespace(v.charAt(i))) {
                i++;
            }
            StringBuilder val = new StringBuilder();
            if (i < v.length() && v.charAt(i) == '"') {
                i++;
                while (i < v.length() && v.charAt(i) != '"') {
                    if (v.charAt(i) == '\\' && i + 1 < v.length()) {
                        i++;
                    }
                    val.append(v.charAt(i++));
                }
                if (i >= v.length()) {
                    return null; // unterminated quoted string
                }
                i++;
            } else {
                while (i < v.length() && v.charAt(i) != ',') {
                    val.append(v.charAt(i++));
                }
            }
            if (name.isEmpty() || out.putIfAbsent(name, val.toString().strip()) != null) {
                return null; // a parameter given twice is ambiguous
            }
        }
        return out;
    }
}
