package dev.isthmus.alg.smtp;

import static dev.isthmus.alg.smtp.DeliveryHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.smtp.DeliveryHarness.FakeDns;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeSmtpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery side on the real spool: recovered messages delivered, a bounce's DSN committed and delivered. */
class DeliverySpoolTest {
    @TempDir
    Path dir;

    @Test
    void recoveredMessageIsDeliveredAndItsBounceQueuedThroughTheSpool() throws Exception {
        byte[] content = "Subject: spooled\r\n\r\n.dot\r\n".getBytes(StandardCharsets.US_ASCII);
        try (FakeSmtpServer server = new FakeSmtpServer(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))) {
            server.rcptReply = r -> r.startsWith("bob") ? "550 5.1.1 no such user" : "250 ok";
            try (Spool spool = new Spool(dir)) {
                commit(spool, content, new Envelope("alice@src.test", List.of("bob@dest.test", "carol@dest.test"),
                    new InetSocketAddress("192.0.2.1", 40000), "client.example", null, false, false, "env-1"));
            }

            Spool restarted = new Spool(dir);
            FakeDns dns = new FakeDns().mx("dest.test", 10, "mx.dest.test").a("mx.dest.test", "127.0.0.1")
                    .mx("src.test", 10, "mx.dest.test");
            SmtpSettings s = DeliveryHarness.settings(false, List.of(), 20, null);
            try (Delivery d = new Delivery(s, DeliveryStore.of(restarted), new MxRouting(s, dns, server.port()),
                    Clock.systemUTC(), Duration.ofSeconds(3))) {
                d.start(restarted.recover());
                await("the message and its DSN delivered", () -> server.received.size() == 2);
                // The queue forgets a message after the spool does.
                await("the queue empty", () -> d.counters().queueSize() == 0);
                assertEquals(List.of(), list(restarted));
                assertEquals("Subject: spooled\r\n\r\n..dot\r\n", server.received.get(0).data());
                assertEquals("", server.received.get(1).mailFrom());
                assertTrue(server.received.get(1).data().contains("Original-Envelope-Id: env-1\r\n"));
            }
        }
    }

    /** RFC 3461: RET, ENVID, NOTIFY and ORCPT survive the spool's commit and a restart. */
    @Test
    void dsnRequestsSurviveCommitAndRecovery() throws Exception {
        byte[] content = "Subject: dsn\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
        Envelope.RecipientDsn bob = new Envelope.RecipientDsn(java.util.EnumSet.of(Envelope.Notify.SUCCESS),
                "rfc822", "Bob@dest.test");
        Envelope sent = new Envelope("alice@src.test", List.of("bob@dest.test", "carol@dest.test"),
                new InetSocketAddress("192.0.2.1", 40000), "client.example", null, false, false, "env-1",
                Envelope.Ret.HDRS, List.of(bob, Envelope.RecipientDsn.NONE));
        try (Spool spool = new Spool(dir)) {
            commit(spool, content, sent);
        }
        Envelope recovered;
        try (Spool restarted = new Spool(dir)) {
            recovered = restarted.recover().getFirst().envelope();
        }
        assertEquals(Envelope.Ret.HDRS, recovered.dsnRet());
        assertEquals(sent.dsnRecipients(), recovered.dsnRecipients());
    }

    private static void commit(Spool spool, byte[] content, Envelope e) throws IOException {
        try (Spool.Writer w = spool.begin()) {
            w.write(content, 0, content.length);
            w.commit(e);
        }
    }

    private static List<QueuedMessage> list(Spool spool) {
        try {
            return spool.list();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
