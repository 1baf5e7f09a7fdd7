package dev.isthmus.alg.sip;

import java.net.InetAddress;

/**
 * {@code a=candidate:foundation component transport priority address port typ type ...}
 * (RFC 8839 §5.1). Only what the relay decides on is kept: the candidate's address family.
 * The grammar is checked field by field so that a malformed candidate is refused, not guessed at.
 *
 * @param address the literal, or null when the candidate names a host (an FQDN or an mDNS
 *     {@code .local} name, RFC 8839 §5.1): its family is unknown to the relay
 */
public record SdpCandidate(int component, InetAddress address, int port, String type) {
    static final String PREFIX = "a=candidate:";

    /** RFC 8839 §5.1: a foundation is 1 to 32 ice-chars. */
    private static final int MAX_FOUNDATION = 32;

    static SdpCandidate parse(String value) throws SdpException {
        String[] f = SdpFields.split(value);
        if (f == null || f.length < 8 || !foundation(f[0]) || !f[6].equals("typ") || !token(f[2]) || !token(f[7])) {
            throw bad(value);
        }
        int component = SdpFields.number(f[1], 3, 256); // component-id = 1*3DIGIT, 1-256
        int port = SdpFields.port(f[5]);
        if (component < 1 || port < 0 || !SdpFields.digits(f[3]) || f[3].length() > 10) {
            throw bad(value);
        }
        InetAddress a = SdpFields.literal(f[4], f[4].indexOf(':') >= 0);
        if (a == null && f[4].indexOf(':') >= 0) {
            throw bad(value); // a colon makes it an IPv6 literal or nothing (RFC 8839 §5.1)
        }
        return new SdpCandidate(component, a, port, f[7]);
    }

    private static SdpException bad(String value) {
        return new SdpException(SdpException.Reason.BAD_CANDIDATE, SdpFields.quote(value));
    }

    /** {@code ice-char = ALPHA / DIGIT / "+" / "/"} (RFC 8839 §5.1). */
    private static boolean foundation(String s) {
        if (s.length() > MAX_FOUNDATION) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 8866 §9 token: visible ASCII except the separators it lists. */
    private static boolean token(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
