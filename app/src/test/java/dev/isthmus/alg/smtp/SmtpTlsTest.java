package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/**
 * STARTTLS (RFC 3207) and AUTH (RFC 4954): the handshake over two in-memory channels, the
 * session reset after it, AUTH offered and accepted only over TLS.
 */
class SmtpTlsTest {
    static final String STRANGER = SmtpSessionTest.STRANGER;

    final SmtpHarness h = new SmtpHarness(SmtpHarness.settings(10_000, 10, Map.of("alice", "s3cret"), true));

    @Test
    void startTlsIsOfferedAndAuthIsNotBeforeIt() {
        SmtpHarness.Client c = h.connect(STRANGER);
        c.replies();
        String ehlo = c.lines("EHLO x");
        assertTrue(ehlo.contains("250 STARTTLS\r\n"), ehlo);
        assertFalse(ehlo.contains("AUTH"), ehlo);
        assertEquals("538 5.7.11 Encryption required: STARTTLS first\r\n", c.lines("AUTH PLAIN " + plain("alice", "s3cret")));
    }

    /** CVE-2011-0411: what follows STARTTLS in the same flight must not count as sent over TLS. */
    @Test
    void commandsPipelinedAfterStartTlsCloseTheSession() {
        SmtpHarness.Client c = h.connect(STRANGER);
        c.replies();
        assertTrue(c.send("EHLO x\r\nSTARTTLS\r\nRSET\r\n").endsWith("\r\n220 2.0.0 Ready to start TLS\r\n"));
        assertFalse(c.ch.isActive());
        assertEquals(1, h.counters().refused(SmtpRefusal.STARTTLS_PIPELINED));
    }

    /** The same for a partial line after STARTTLS: it would be glued to the first line over TLS. */
    @Test
    void aPartialLineAfterStartTls() {
        SmtpHarness.Client c = h.connect(STRANGER);
        c.replies();
        assertTrue(c.send("EHLO x\r\nSTARTTLS\r\nRS").endsWith(
                "\r\n554 5.5.1 Commands sent after STARTTLS before the TLS handshake\r\n"));
        assertFalse(c.ch.isActive());
    }

    @Test
    void authAfterStartTls() throws SSLException {
        Tls t = startTls();
        String ehlo = t.send("EHLO x\r\n");
        assertTrue(ehlo.contains("250 AUTH PLAIN LOGIN\r\n"), ehlo);
        assertFalse(ehlo.contains("STARTTLS"), ehlo);
        // RFC 3207 §4.2: the session starts over; a stranger is not yet allowed to relay.
        t.send("MAIL FROM:<a@example.org>\r\n");
        assertEquals("550 5.7.1 <b@example.com>: relay access denied\r\n", t.send("RCPT TO:<b@example.com>\r\n"));
        t.send("RSET\r\n");
        assertEquals("535 5.7.8 Authentication credentials invalid\r\n", t.send("AUTH PLAIN " + plain("alice", "nope") + "\r\n"));
        assertEquals("235 2.7.0 Authentication successful\r\n", t.send("AUTH PLAIN " + plain("alice", "s3cret") + "\r\n"));
        t.send("MAIL FROM:<a@example.org>\r\n");
        assertEquals("250 2.1.5 Ok\r\n", t.send("RCPT TO:<b@example.com>\r\n"));
        t.send("DATA\r\n");
        assertEquals("250 2.0.0 Ok: queued as Q0\r\n", t.send("hi\r\n.\r\n"));
        assertTrue(h.drafts.begun.getFirst().text().contains(" with ESMTPSA id "));
        assertEquals(1, h.counters().tls());
        assertEquals(1, h.counters().authenticated());
        assertEquals(1, h.counters().refused(SmtpRefusal.AUTH_FAILED));
    }

    @Test
    void authLogin() throws SSLException {
        Tls t = startTls();
        t.send("EHLO x\r\n");
        assertEquals("334 VXNlcm5hbWU6\r\n", t.send("AUTH LOGIN\r\n"));
        assertEquals("334 UGFzc3dvcmQ6\r\n", t.send(b64("alice") + "\r\n"));
        assertEquals("235 2.7.0 Authentication successful\r\n", t.send(b64("s3cret") + "\r\n"));
        assertEquals("503 5.5.1 Already authenticated\r\n", t.send("AUTH PLAIN\r\n"));
    }

    @Test
    void authPlainWithoutInitialResponseAndCancel() throws SSLException {
        Tls t = startTls();
        t.send("EHLO x\r\n");
        assertEquals("334 \r\n", t.send("AUTH PLAIN\r\n"));
        assertEquals("501 5.0.0 Authentication cancelled\r\n", t.send("*\r\n"));
        assertEquals("504 5.5.4 Unrecognized authentication type\r\n", t.send("AUTH CRAM-MD5\r\n"));
    }

    /** RFC 4954 §4: a server may close after failed attempts; this one does after three. */
    @Test
    void threeFailuresCloseTheSession() throws SSLException {
        Tls t = startTls();
        t.send("EHLO x\r\n");
        t.send("AUTH PLAIN " + plain("alice", "1") + "\r\n");
        t.send("AUTH PLAIN " + plain("alice", "2") + "\r\n");
        assertEquals("421 4.7.0 Too many failed authentications, closing connection\r\n",
                t.send("AUTH PLAIN " + plain("mallory", "3") + "\r\n"));
        assertFalse(t.server.ch.isActive());
    }

    static String plain(String user, String password) {
        return b64("\0" + user + "\0" + password);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A session after STARTTLS and the handshake, with a TLS client over in-memory channels. */
    Tls startTls() throws SSLException {
        SmtpHarness.Client server = h.connect(STRANGER);
        server.replies();
        server.lines("EHLO x");
        assertEquals("220 2.0.0 Ready to start TLS\r\n", server.lines("STARTTLS"));
        SslContext ctx = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        EmbeddedChannel client = new EmbeddedChannel(new SslHandler(ctx.newEngine(server.ch.alloc())));
        Tls t = new Tls(server, client);
        t.shuttle();
        assertTrue(client.pipeline().get(SslHandler.class).handshakeFuture().isSuccess());
        return t;
    }

    record Tls(SmtpHarness.Client server, EmbeddedChannel client) {
        /** Moves bytes both ways until neither side has any to give. */
        void shuttle() {
            for (int i = 0; i < 20; i++) {
                boolean moved = false;
                for (ByteBuf b; (b = client.readOutbound()) != null; moved = true) {
                    server.ch.writeInbound(b);
                }
                for (int k = 0; k < 4; k++) {
                    server.ch.runPendingTasks();
                }
                for (ByteBuf b; (b = server.ch.readOutbound()) != null; moved = true) {
                    client.writeInbound(b);
                }
                if (!moved) {
                    return;
                }
            }
        }

        String send(String text) {
            client.writeOutbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            shuttle();
            StringBuilder sb = new StringBuilder();
            for (ByteBuf b; (b = client.readInbound()) != null; ) {
                sb.append(b.toString(StandardCharsets.UTF_8));
                b.release();
            }
            return sb.toString();
        }
    }
}
