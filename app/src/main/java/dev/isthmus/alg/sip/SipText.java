package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;
import java.util.ArrayList;
import java.util.List;

/** Character classes and splitting rules of RFC 3261 §25.1, shared by the parsers of this package. */
final class SipText {
    private SipText() {}

    /** {@code token}: alphanum and {@code -.!%*_+`'~} (§25.1). */
    static boolean isTokenChar(char c) {
        return isAlphanum(c) || "-.!%*_+`'~".indexOf(c) >= 0;
    }

    static boolean isToken(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isAlphanum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    static boolean isDigits(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static boolean isWsp(char c) {
        return c == ' ' || c == '\t';
    }

    static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /**
     * Digits as a number no larger than {@code max}, or -1 if {@code s} is not digits or exceeds
     * it. Leading zeros are allowed (RFC 4475 §3.1.1.1 writes Max-Forwards 0068).
     */
    static long boundedNumber(CharSequence s, long max) {
        if (!isDigits(s)) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            n = n * 10 + (s.charAt(i) - '0');
            if (n > max) {
                return -1;
            }
        }
        return n;
    }

    /**
     * A header value with its folding undone: RFC 3261 §7.3.1 lets a recipient replace linear
     * white space ({@code [*WSP CRLF] 1*WSP}) with one SP; leading and trailing white space is
     * dropped.
     */
    static String unfold(String raw) {
        StringBuilder sb = new StringBuilder(raw.length());
        int i = 0;
        int n = raw.length();
        while (i < n) {
            char c = raw.charAt(i);
            if (c == '\r' && i + 1 < n && raw.charAt(i + 1) == '\n') {
                int end = sb.length();
                while (end > 0 && isWsp(sb.charAt(end - 1))) {
                    end--;
                }
                sb.setLength(end);
                sb.append(' ');
                i += 2;
                while (i < n && isWsp(raw.charAt(i))) {
                    i++;
                }
            } else {
                sb.append(c);
                i++;
            }
        }
        return strip(sb);
    }

    /** {@code s} without leading and trailing SP and HTAB (not {@link String#strip}: that takes Unicode spaces). */
    static String strip(CharSequence s) {
        int start = 0;
        int end = s.length();
        while (start < end && isWsp(s.charAt(start))) {
            start++;
        }
        while (end > start && isWsp(s.charAt(end - 1))) {
            end--;
        }
        return s.subSequence(start, end).toString();
    }

    /**
     * The comma-separated elements of a header value (§7.3.1), each stripped. A comma inside a
     * quoted string (with its {@code \} quoted-pairs, §25.1) or between {@code <} and {@code >}
     * does not split: {@code "Watson, Thomas" <sip:a@b>} is one element. Empty elements are kept,
     * for the caller to refuse where its grammar has none.
     *
     * @throws SipParseException BAD_HEADER for an unterminated quoted string or {@code <}
     */
    static List<String> splitCommas(String value) throws SipParseException {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        boolean angle = false;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (angle) {
                if (c == '>') {
                    angle = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                angle = true;
            } else if (c == ',') {
                out.add(strip(value.substring(start, i)));
                start = i + 1;
            }
        }
        if (quoted || angle) {
            throw new SipParseException(Reason.BAD_HEADER, "unterminated " + (quoted ? "quoted string" : "<"));
        }
        out.add(strip(value.substring(start)));
        return out;
    }

    /** Whether every {@code %} in {@code s} starts an {@code escaped} {@code %HH} (§25.1). */
    static boolean escapesValid(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '%') {
                if (i + 2 >= s.length() || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            }
        }
        return true;
    }

    /** {@code s} with its {@code %HH} escapes decoded to the bytes they name, one char per byte. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                sb.append((char) Integer.parseInt(s, i + 1, i + 3, 16));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
