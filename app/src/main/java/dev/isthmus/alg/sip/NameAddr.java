package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;

/**
 * The URI of a To, From, Contact, Route or Record-Route value (RFC 3261 §20.10, §25.1):
 * {@code [display-name] <URI> *(;param)} or a bare {@code addr-spec *(;param)}. Checked when a
 * message is read, so that a SIP URI the proxy may route by is one {@link SipUri} reads; the values
 * stay text, and the proxy takes the URI or a header parameter (a tag, an expiry) out of them here.
 */
public final class NameAddr {
    private NameAddr() {}

    /**
     * A single-valued header's value (To, From), whose display name may hold an unquoted comma:
     * only its quotes and brackets must balance.
     */
    static String single(String value) throws SipParseException {
        SipText.splitCommas(value);
        return value;
    }

    /** The URI of a checked value (without its brackets, display name and header parameters). */
    public static String uri(String value) {
        int open = unquotedIndexOf(value, '<');
        if (open >= 0) {
            return SipText.strip(value.substring(open + 1, value.indexOf('>', open)));
        }
        int semi = value.indexOf(';');
        return SipText.strip(semi < 0 ? value : value.substring(0, semi));
    }

    /**
     * A header parameter of a checked value, after its URI ({@code tag} of To and From, §19.3;
     * {@code expires} and {@code q} of a Contact, §20.10): its value, "" when it has none, null
     * when absent. Names compare case-insensitively (§7.3.1).
     */
    public static String param(String value, String name) {
        int open = unquotedIndexOf(value, '<');
        int from = open >= 0 ? value.indexOf('>', open) + 1 : 0;
        int semi = value.indexOf(';', from);
        if (semi < 0) {
            return null;
        }
        for (String p : value.substring(semi + 1).split(";")) {
            int eq = p.indexOf('=');
            String n = SipText.strip(eq < 0 ? p : p.substring(0, eq));
            if (n.equalsIgnoreCase(name)) {
                return eq < 0 ? "" : SipText.strip(p.substring(eq + 1));
            }
        }
        return null;
    }

    /** Refuses a value whose SIP URI does not parse, or a bare addr-spec holding {@code ?} (§20.10). */
    static void checkUri(String value) throws SipParseException {
        int open = unquotedIndexOf(value, '<');
        String uri;
        if (open >= 0) {
            int close = value.indexOf('>', open);
            if (close < 0) {
                throw new SipParseException(Reason.BAD_HEADER, "unterminated <");
            }
            uri = SipText.strip(value.substring(open + 1, close));
        } else {
            // §20.10: a URI holding a comma, question mark or semicolon must be in brackets, so
            // without them the URI ends at the first ';' and may hold no '?'.
            int semi = value.indexOf(';');
            uri = SipText.strip(semi < 0 ? value : value.substring(0, semi));
            if (uri.indexOf('?') >= 0) {
                throw new SipParseException(Reason.BAD_HEADER, "'?' in a URI outside <>");
            }
        }
        if (uri.isEmpty()) {
            throw new SipParseException(Reason.BAD_HEADER, "no URI");
        }
        if (SipUri.isSipScheme(uri)) {
            SipUri.parse(uri);
        }
    }

    private static int unquotedIndexOf(String s, char target) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == target) {
                return i;
            }
        }
        return -1;
    }
}
