package dev.isthmus.wire;

/**
 * IPv4 address text, strict dotted-quad form only (RFC 791 §3.2 address, RFC 6943 §3.1.1 for
 * why the loose forms are refused).
 *
 * <p>IPv4 addresses are plain {@code int}s everywhere in isthmus (network byte order read as a
 * big-endian int, so {@code 192.0.2.1} is {@code 0xc0000201}); this class only converts them to
 * and from text. Parsing is for configuration and tests: it accepts exactly four decimal
 * octets {@code 0}–{@code 255} separated by dots, and nothing else. In particular it refuses
 * the historical {@code inet_aton} forms ({@code 10.1}, {@code 0x7f.1}, {@code 0177.0.0.1}): a
 * leading zero would be octal to one tool and decimal to another (RFC 6943 §3.1.1), and a
 * config file must mean the same thing to the operator and the gateway. It never resolves a
 * name.
 */
public final class Ipv4Address {
    /** Longest text form, {@code 255.255.255.255}. */
    static final int MAX_TEXT_LENGTH = 15;
    /** How much of a bad input an error message quotes; fuzzers send megabytes. */
    private static final int QUOTE_LIMIT = 64;

    private Ipv4Address() {}

    /**
     * Parses a strict dotted quad.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     * @throws NullPointerException if {@code s} is null
     */
    public static int parse(String s) {
        return parse(s, 0, s.length(), s, "IPv4 address");
    }

    /**
     * Parses the dotted quad {@code s[from, to)}; {@code whole} and {@code what} only feed the
     * error message (the IPv6 parser hands in the embedded tail of a longer address).
     */
    static int parse(String s, int from, int to, String whole, String what) {
        if (to - from > MAX_TEXT_LENGTH) {
            throw bad(what, whole, "too long for a dotted quad");
        }
        if (from == to) {
            throw bad(what, whole, "empty");
        }
        int value = 0;
        int octets = 0;
        int pos = from;
        while (true) {
            int start = pos;
            int octet = 0;
            while (pos < to) {
                char c = s.charAt(pos);
                // Only ASCII digits: Character.isDigit would let other scripts' digits in.
                if (c < '0' || c > '9') {
                    break;
                }
                octet = octet * 10 + (c - '0');
                pos++;
            }
            int digits = pos - start;
            if (digits == 0) {
                throw bad(what, whole, pos < to
                        ? "unexpected '" + printable(s.charAt(pos)) + "' in octet " + (octets + 1)
                        : "octet " + (octets + 1) + " is empty");
            }
            if (digits > 3 || octet > 255) {
                throw bad(what, whole, "octet " + (octets + 1) + " is not in 0-255");
            }
            if (digits > 1 && s.charAt(start) == '0') {
                throw bad(what, whole, "octet " + (octets + 1)
                        + " has a leading zero (octal or decimal? refused, RFC 6943 §3.1.1)");
            }
            value = value << 8 | octet;
            octets++;
            if (octets == 4) {
                if (pos != to) {
                    throw bad(what, whole, "more than four octets or trailing text");
                }
                return value;
            }
            if (pos == to) {
                throw bad(what, whole, "only " + octets + " octet" + (octets == 1 ? "" : "s")
                        + ", a dotted quad needs 4");
            }
            if (s.charAt(pos) != '.') {
                throw bad(what, whole, "unexpected '" + printable(s.charAt(pos)) + "' after octet " + octets);
            }
            pos++;
        }
    }

    /** Dotted-quad text of {@code a}, e.g. {@code 0xc0000221} gives {@code "192.0.2.33"}. */
    public static String format(int a) {
        StringBuilder sb = new StringBuilder(MAX_TEXT_LENGTH);
        append(sb, a);
        return sb.toString();
    }

    /** Appends the dotted quad of {@code a} to {@code sb}. */
    public static StringBuilder append(StringBuilder sb, int a) {
        return sb.append(a >>> 24).append('.')
                .append(a >>> 16 & 0xff).append('.')
                .append(a >>> 8 & 0xff).append('.')
                .append(a & 0xff);
    }

    static IllegalArgumentException bad(String what, String input, String why) {
        return new IllegalArgumentException("bad " + what + " \"" + quote(input) + "\": " + why);
    }

    /** The input as an error message may show it: shortened, control characters escaped. */
    static String quote(String s) {
        boolean cut = s.length() > QUOTE_LIMIT;
        String head = cut ? s.substring(0, QUOTE_LIMIT) : s;
        StringBuilder sb = new StringBuilder(head.length() + 8);
        for (int i = 0; i < head.length(); i++) {
            sb.append(printable(head.charAt(i)));
        }
        if (cut) {
            sb.append("...(").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }

    static String printable(char c) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            return String.valueOf(c);
        }
        return String.format("\\u%04x", (int) c);
    }
}
