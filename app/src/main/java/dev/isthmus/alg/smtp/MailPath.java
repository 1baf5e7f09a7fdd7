package dev.isthmus.alg.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The argument of {@code MAIL FROM:} or {@code RCPT TO:} (RFC 5321 §4.1.2): a path in angle
 * brackets and the ESMTP parameters after it. {@link #parse} never throws: a malformed argument
 * is a {@link Parsed} with the reply that refuses it.
 *
 * @param mailbox the address, {@code null} for the null path {@code <>}
 * @param sourceRoute the path had a source route ({@code <@a,@b:user@c>}), which RFC 5321
 *     §4.1.1.3 says to ignore: {@code mailbox} is its final address
 * @param parameters the ESMTP parameters, keywords upper-cased, value null for a bare keyword
 */
record MailPath(Mailbox mailbox, boolean sourceRoute, Map<String, String> parameters) {
    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its brackets. */
    static final int MAX_PATH = 256;
    /** RFC 5321 §4.5.3.1.1. */
    static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 §4.5.3.1.2. */
    static final int MAX_DOMAIN = 255;
    private static final Pattern SPACES = Pattern.compile(" +");
    /** RFC 5321 §4.1.2 esmtp-keyword, uppercased. */
    private static final Pattern KEYWORD = Pattern.compile("[A-Z0-9][A-Z0-9-]*");

    /** A path and its parameters, or the reply that refuses the argument. */
    record Parsed(MailPath path, String error) {
        static Parsed error(String reply) {
            return new Parsed(null, reply);
        }
    }

    /**
     * A mailbox: {@code local-part@domain}, or a local part alone (only {@code postmaster} is such
     * an address, RFC 5321 §4.5.1; the caller judges).
     *
     * @param localPart as sent, quotes included
     * @param quoted the local part is a Quoted-string
     * @param localText the local part's content (quotes and quoted-pairs undone)
     * @param domain the domain or address literal, or null
     */
    record Mailbox(String localPart, boolean quoted, String localText, String domain) {
        /** The address as it goes into the envelope. */
        String address() {
            return domain == null ? localPart : localPart + "@" + domain;
        }

        boolean ascii() {
            return address().chars().allMatch(c -> c < 0x80);
        }
    }

    /** Parses the argument of MAIL ({@code keyword} "FROM:") or RCPT ("TO:"). */
    static Parsed parse(String argument, String keyword) {
        if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return Parsed.error("501 5.5.4 Syntax: " + (keyword.equals("FROM:") ? "MAIL FROM:<address>" : "RCPT TO:<address>"));
        }
        int i = keyword.length();
        while (i < argument.length() && argument.charAt(i) == ' ') {
            i++; // not in RFC 5321's grammar, but common: tolerated, it changes no meaning
        }
        if (i >= argument.length() || argument.charAt(i) != '<') {
            return Parsed.error("501 5.1.7 The address must be in angle brackets");
        }
        int close = closingBracket(argument, i + 1);
        if (close < 0) {
            return Parsed.error("501 5.1.7 Unterminated address");
        }
        if (close + 1 - i > MAX_PATH) {
            return Parsed.error("501 5.1.3 Path too long (RFC 5321 §4.5.3.1.3)");
        }
        String inside = argument.substring(i + 1, close);
        boolean route = false;
        if (inside.startsWith("@")) {
            int colon = inside.indexOf(':');
            if (colon < 0 || !routeOk(inside.substring(0, colon))) {
                return Parsed.error("501 5.1.3 Bad source route");
            }
            route = true;
            inside = inside.substring(colon + 1);
        }
        Mailbox mailbox = null;
        if (!inside.isEmpty()) {
            mailbox = mailbox(inside);
            if (mailbox == null) {
                return Parsed.error("501 5.1.3 Bad address syntax");
            }
        } else if (route) {
            return Parsed.error("501 5.1.3 Bad address syntax");
        }
        Map<String, String> parameters = parameters(argument.substring(close + 1));
        if (parameters == null) {
            return Parsed.error("501 5.5.4 Bad parameter syntax");
        }
        return new Parsed(new MailPath(mailbox, route, parameters), null);
    }

    /** The index of the {@code >} that ends the path, skipping quoted strings; -1 if none. */
    private static int closingBracket(String s, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 5321 §4.1.2: A-d-l = At-domain *( "," At-domain ). */
    private static boolean routeOk(String route) {
        for (String hop : route.split(",", -1)) {
            if (!hop.startsWith("@") || !domainOk(hop.substring(1))) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5321 §4.1.2: Mailbox = Local-part "@" ( Domain / address-literal ); or a local part alone. */
    static Mailbox mailbox(String s) {
        int at;
        String localText;
        boolean quoted = s.startsWith("\"");
        if (quoted) {
            StringBuilder text = new StringBuilder();
            int i = 1;
            for (; i < s.length() && s.charAt(i) != '"'; i++) {
                char c = s.charAt(i);
                if (c == '\\') {
                    if (++i == s.length() || !quotedPairChar(s.charAt(i))) {
                        return null;
                    }
                    c = s.charAt(i);
                } else if (!qtext(c)) {
                    return null;
                }
                text.append(c);
            }
            if (i == s.length()) {
                return null;
            }
            at = i + 1;
            localText = text.toString();
            if (at < s.length() && s.charAt(at) != '@') {
                return null;
            }
        } else {
            at = s.lastIndexOf('@');
            if (at < 0) {
                at = s.length();
            }
            localText = s.substring(0, at);
            if (!dotString(localText)) {
                return null;
            }
        }
        String local = s.substring(0, at);
        if (local.length() > MAX_LOCAL_PART) {
            return null;
        }
        if (at == s.length()) {
            return new Mailbox(local, quoted, localText, null);
        }
        String domain = s.substring(at + 1);
        if (!domainOk(domain) && !addressLiteral(domain)) {
            return null;
        }
        return new Mailbox(local, quoted, localText, domain);
    }

    /** RFC 5321 §4.1.2: Dot-string = Atom *("." Atom); RFC 6531 §3.3 adds UTF-8 to atext. */
    private static boolean dotString(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        return s.chars().allMatch(c -> c == '.' || atext(c));
    }

    /** RFC 5322 §3.2.3 atext, and UTF-8 (RFC 6531 §3.3; the session checks SMTPUTF8 was given). */
    private static boolean atext(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0
                || c >= 0x80;
    }

    /** RFC 5321 §4.1.2: qtextSMTP, and UTF-8 (RFC 6531). */
    private static boolean qtext(char c) {
        return c >= 32 && c <= 126 && c != '"' && c != '\\' || c >= 0x80;
    }

    private static boolean quotedPairChar(char c) {
        return c >= 32 && c <= 126;
    }

    /** RFC 5321 §4.1.2: Domain = sub-domain *("." sub-domain), U-labels allowed (RFC 6531). */
    static boolean domainOk(String d) {
        if (d.isEmpty() || d.length() > MAX_DOMAIN) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            if (!label.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c >= 0x80)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5321 §4.1.3: {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}. */
    private static boolean addressLiteral(String d) {
        if (!d.startsWith("[") || !d.endsWith("]")) {
            return false;
        }
        String inner = d.substring(1, d.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String a = inner.substring(5);
            return a.contains(":") && a.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                    && a.length() <= 45;
        }
        return inner.matches("(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}");
    }

    /** RFC 5321 §4.1.2: Mail-parameters = esmtp-param *(SP esmtp-param); null when malformed. */
    private static Map<String, String> parameters(String rest) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rest.isBlank()) {
            return out;
        }
        if (!rest.startsWith(" ")) {
            return null;
        }
        for (String p : SPACES.split(rest.strip())) {
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : p.substring(eq + 1);
            if (!KEYWORD.matcher(key).matches() || value != null && (value.isEmpty()
                    || !value.chars().allMatch(c -> c >= 33 && c <= 126 && c != '=')) || out.putIfAbsent(key, value) != null) {
                return null;
            }
        }
        return out;
    }

    /** RFC 3461 §4: xtext, {@code +XX} for an octet; null when malformed. */
    static String xtextDecode(String x) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < x.length(); i++) {
            char c = x.charAt(i);
            if (c == '+') {
                if (i + 2 >= x.length()) {
                    return null;
                }
                int hi = Character.digit(x.charAt(i + 1), 16);
                int lo = Character.digit(x.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                sb.append((char) (hi << 4 | lo));
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return null;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
