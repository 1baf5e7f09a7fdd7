package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;
import java.util.Locale;
import java.util.Map;

/**
 * One header field: {@code raw} is its text as received, continuation lines and all, without the
 * final CRLF, and is what {@link SipMessage} writes back, so a proxy forwards every header it does
 * not change byte for byte (RFC 3261 §16.6). {@code name} is the name as written, {@code value}
 * the value unfolded (§7.3.1).
 */
public record SipHeader(String raw, String name, String value) {
    /**
     * Compact forms (RFC 3261 §7.3.3 and the extensions that registered one): each stands for the
     * long name, which is what {@link #key} returns.
     */
    private static final Map<String, String> COMPACT = Map.ofEntries(
            Map.entry("i", "call-id"),
            Map.entry("m", "contact"),
            Map.entry("e", "content-encoding"),
            Map.entry("l", "content-length"),
            Map.entry("c", "content-type"),
            Map.entry("f", "from"),
            Map.entry("s", "subject"),
            Map.entry("k", "supported"),
            Map.entry("t", "to"),
            Map.entry("v", "via"),
            Map.entry("o", "event"), // RFC 6665 §8.2.1
            Map.entry("r", "refer-to"), // RFC 3515 §2.1
            Map.entry("u", "allow-events"), // RFC 6665 §8.2.2
            Map.entry("x", "session-expires"), // RFC 4028 §4
            Map.entry("y", "identity"), // RFC 8224 §4
            Map.entry("b", "referred-by"), // RFC 3892 §3
            Map.entry("a", "accept-contact"), // RFC 3841 §9.2
            Map.entry("j", "reject-contact"), // RFC 3841 §9.2
            Map.entry("d", "request-disposition")); // RFC 3841 §9.1

    /**
     * Reads one header field from its raw text ({@code name HCOLON value}, §7.3.1: white space may
     * stand between the name and the colon, RFC 4475 §3.1.1.1).
     */
    static SipHeader parse(String raw) throws SipParseException {
        int colon = raw.indexOf(':');
        if (colon < 0) {
            throw new SipParseException(Reason.BAD_HEADER, "no colon");
        }
        String name = SipText.strip(raw.substring(0, colon));
        if (!SipText.isToken(name) || SipText.isWsp(raw.charAt(0))) {
            throw new SipParseException(Reason.BAD_HEADER, "name is not a token");
        }
        return new SipHeader(raw, name, SipText.unfold(raw.substring(colon + 1)));
    }

    /** A new header {@code name: value}, as this proxy writes the ones it adds. */
    public static SipHeader of(String name, String value) {
        if (!SipText.isToken(name) || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("bad header " + name + ": " + value);
        }
        return new SipHeader(name + ": " + value, name, SipText.strip(value));
    }

    /** The long name in lowercase, compact forms expanded: the name a lookup compares. */
    public String key() {
        return canonical(name);
    }

    /** Whether this header is {@code other} (a long or compact name, any case). */
    public boolean is(String other) {
        return key().equals(canonical(other));
    }

    static String canonical(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return COMPACT.getOrDefault(lower, lower);
    }
}
