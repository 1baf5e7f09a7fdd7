package dev.isthmus.alg.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Sends message content after DATA (RFC 5321 §4.5.2): a line that starts with '.' gets another
 * '.' in front, the content ends with CRLF (added if the stored content lacks it), then the
 * terminating {@code .CRLF}. The spool holds content with CRLF line ends, dot-unstuffed.
 */
final class DotStuffing {
    private DotStuffing() {}

    static void send(InputStream content, OutputStream out) throws IOException {
        byte[] buf = new byte[16384];
        boolean lineStart = true;
        int prev = '\n';
        int n;
        while ((n = content.read(buf)) > 0) {
            int from = 0;
            for (int i = 0; i < n; i++) {
                if (lineStart && buf[i] == '.') {
                    out.write(buf, from, i - from);
                    out.write('.');
                    from = i;
                }
                lineStart = buf[i] == '\n';
            }
            out.write(buf, from, n - from);
            prev = buf[n - 1];
        }
        if (prev != '\n') {
            out.write('\r');
            out.write('\n');
        }
        out.write(new byte[] {'.', '\r', '\n'});
    }
}
