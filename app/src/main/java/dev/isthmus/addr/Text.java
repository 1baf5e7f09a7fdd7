package dev.isthmus.addr;

/** Small text helpers shared by the parsers of this package. */
final class Text {
    /** How much of a bad input an error message quotes; fuzzers send megabytes. */
    private static final int QUOTE_LIMIT = 64;

    private Text() {}

    /**
     * Parses the prefix length after the slash: plain decimal, no sign, no leading zero, at most
     * {@code max}.
     */
    static int prefixLength(String s, int from, int max, String what) {
        int to = s.length();
        if (from == to) {
            throw new IllegalArgumentException("bad " + what + " \"" + quote(s) + "\": no length after '/'");
        }
        if (to - from > 3) {
            throw new IllegalArgumentException("bad " + what + " \"" + quote(s) + "\": length is not in 0-" + max);
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("bad " + what + " \"" + quote(s)
                        + "\": length is not a decimal number");
            }
            v = v * 10 + (c - '0');
        }
        if (to - from > 1 && s.charAt(from) == '0') {
            throw new IllegalArgumentException("bad " + what + " \"" + quote(s) + "\": length has a leading zero");
        }
        if (v > max) {
            throw new IllegalArgumentException("bad " + what + " \"" + quote(s) + "\": length is not in 0-" + max);
        }
        return v;
    }

    /** The input as an error message may show it: shortened, control characters escaped. */
    static String quote(String s) {
        boolean cut = s.length() > QUOTE_LIMIT;
        String head = cut ? s.substring(0, QUOTE_LIMIT) : s;
        StringBuilder sb = new StringBuilder(head.length() + 8);
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        if (cut) {
            sb.append("...(").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}
