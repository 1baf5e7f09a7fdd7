package dev.isthmus.alg.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SMTP replies from a server (RFC 5321 §4.2): lines {@code 250-text} continued until
 * {@code 250 text}, every line with the same code. Bounded: a line longer than
 * {@link #MAX_LINE} or a reply of more than {@link #MAX_LINES} lines is refused, so a server
 * cannot make the client hold unbounded text. A malformed reply is an {@link IOException}
 * naming what was wrong: the attempt ends as a connection failure would (deferred).
 */
final class ReplyReader {
    /** §4.5.3.1.5 allows 512 octets per reply line; servers exceed it, so allow some more. */
    static final int MAX_LINE = 2048;
    static final int MAX_LINES = 100;

    private final InputStream in;
    /** The line being read (one reader per connection: no buffer per line). */
    private final byte[] buf = new byte[MAX_LINE];

    ReplyReader(InputStream in) {
        this.in = in;
    }

    Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !digits(line)) {
                throw new IOException("malformed reply: no code");
            }
            int c = Integer.parseInt(line, 0, 3, 10);
            if (c < 200 || c > 599) {
                throw new IOException("malformed reply: code " + c);
            }
            if (code >= 0 && c != code) {
                throw new IOException("malformed reply: code changed within a reply");
            }
            code = c;
            if (lines.size() == MAX_LINES) {
                throw new IOException("malformed reply: more than " + MAX_LINES + " lines");
            }
            char sep = line.length() > 3 ? line.charAt(3) : ' ';
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (sep == ' ') {
                return new Reply(code, lines);
            }
            if (sep != '-') {
                throw new IOException("malformed reply: separator after the code");
            }
        }
    }

    private static boolean digits(String line) {
        for (int i = 0; i < 3; i++) {
            if (line.charAt(i) < '0' || line.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** A line without its CRLF (a bare LF is taken as a line end too: servers send them). */
    private String readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b == '\n') {
                if (n > 0 && buf[n - 1] == '\r') {
                    n--;
                }
                return new String(buf, 0, n, StandardCharsets.UTF_8);
            }
            if (n == MAX_LINE) {
                throw new IOException("malformed reply: line longer than " + MAX_LINE + " octets");
            }
            buf[n++] = (byte) b;
        }
    }
}
