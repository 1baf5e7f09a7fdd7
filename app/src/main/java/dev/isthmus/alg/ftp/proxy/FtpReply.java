package dev.isthmus.alg.ftp.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * One whole reply from the server (RFC 959 §4.2): a single line {@code "ddd text"}, or several,
 * from {@code "ddd-text"} to the line that starts with the same code and a space.
 *
 * @param code the three-digit reply code
 * @param lines every line, without CRLF
 */
record FtpReply(int code, List<String> lines) {
    FtpReply {
        lines = List.copyOf(lines);
    }

    /** A one-line reply. */
    static FtpReply of(String line) {
        return new FtpReply(code(line), List.of(line));
    }

    /** RFC 959 §4.2: 1yz is a preliminary reply; another follows for the same command. */
    boolean preliminary() {
        return code >= 100 && code < 200;
    }

    boolean positive() {
        return code >= 200 && code < 300;
    }

    /** The reply as sent, every line with its CRLF. */
    String text() {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        return b.toString();
    }

    /** The last line (where a one-line reply's text is). */
    String last() {
        return lines.getLast();
    }

    /** The code of a reply's first line, or -1 when the line does not start with three digits. */
    static int code(String line) {
        if (line.length() < 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < 3; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v < 100 ? -1 : v;
    }

    /**
     * Gathers the lines of replies until each is whole. At most {@link #MAX_LINES} lines a reply:
     * the server's control connection is not a place to buffer without end.
     */
    static final class Reader {
        static final int MAX_LINES = 1000;

        private final List<String> lines = new ArrayList<>();
        private int code = -1;

        /**
         * The reply {@code line} completes, null when more lines belong to it.
         *
         * @throws IllegalArgumentException when the line cannot start a reply or the reply is too long
         */
        FtpReply add(String line) {
            if (code < 0) {
                int c = code(line);
                if (c < 0) {
                    throw new IllegalArgumentException("not a reply: \"" + printable(line) + "\"");
                }
                if (line.length() > 3 && line.charAt(3) == '-') {
                    code = c;
                    lines.add(line);
                    return null;
                }
                return FtpReply.of(line);
            }
            if (lines.size() >= MAX_LINES) {
                throw new IllegalArgumentException("a reply of more than " + MAX_LINES + " lines");
            }
            lines.add(line);
            // RFC 959 §4.2: the last line starts with the first line's code followed by a space.
            if (code(line) == code && (line.length() == 3 || line.charAt(3) == ' ')) {
                FtpReply r = new FtpReply(code, lines);
                lines.clear();
                code = -1;
                return r;
            }
            return null;
        }

        /** Control characters as {@code ?}, at most 80 characters: for a log line. */
        static String printable(String s) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length() && i < 80; i++) {
                char c = s.charAt(i);
                b.append(c < 32 || c > 126 ? '?' : c);
            }
            return b.toString();
        }
    }
}
