package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.SocketPlane;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on a real socket and the real spool: a message that got 250 is in the spool after a restart. */
class SmtpServerTest {
    @TempDir
    Path dir;

    @Test
    void aMessageOverLoopbackIsInTheSpool() throws IOException {
        SmtpSettings s = new SmtpSettings(List.of(new InetSocketAddress("::1", 0)), SmtpHarness.HOSTNAME,
                AddressSet.parse(List.of("::1/128")), dir, List.of(), null, 100_000, true, List.of(),
                SmtpSettings.DEFAULT_FIRST_RETRY, SmtpSettings.DEFAULT_MAX_RETRY_INTERVAL,
                SmtpSettings.DEFAULT_MAX_QUEUE_LIFETIME, 20, 10, 10, null, null, Map.of());
        List<QueuedMessage> queued = new CopyOnWriteArrayList<>();
        String replies;
        try (SocketPlane plane = SocketPlane.start(1); Spool spool = new Spool(dir);
                SmtpServer server = SmtpServer.start(plane, s, spool, queued::add);
                Socket c = new Socket()) {
            c.connect(server.addresses().getFirst(), 5000);
            c.setSoTimeout(5000);
            OutputStream out = c.getOutputStream();
            // One flight, then FIN: the client half-closes and still reads every reply.
            out.write("""
                    EHLO client\r
                    MAIL FROM:<a@example.org>\r
                    RCPT TO:<b@example.com>\r
                    DATA\r
                    """.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = c.getInputStream();
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().contains("354 ")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                sb.append((char) b);
            }
            out.write("Subject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
            replies = sb + new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        assertTrue(replies.startsWith("220 relay.example.net ESMTP isthmus\r\n"), replies);
        assertTrue(replies.endsWith("354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as " + queued.getFirst().id()
                + "\r\n221 2.0.0 relay.example.net closing connection\r\n"), replies);
        List<QueuedMessage> recovered;
        try (Spool restarted = new Spool(dir)) {
            recovered = restarted.recover();
        }
        assertEquals(1, recovered.size());
        assertEquals(List.of("b@example.com"), recovered.getFirst().envelope().recipients());
    }
}
