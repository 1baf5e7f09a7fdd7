package dev.isthmus.alg.smtp;

import static dev.isthmus.alg.smtp.DeliveryHarness.await;
import static dev.isthmus.alg.smtp.DeliveryHarness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeDns;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeSmtpServer;
import dev.isthmus.alg.smtp.DeliveryHarness.MemoryStore;
import dev.isthmus.alg.smtp.DeliveryHarness.Received;
import dev.isthmus.alg.smtp.DeliveryHarness.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The delivery side end to end on loopback: a fake DNS, fake SMTP servers, an in-memory spool, a test clock. */
class DeliveryTest {
    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    private static final List<Ipv6Prefix> WKP = List.of(Ipv6Prefix.parse("64:ff9b::/96"));
    private static final String CONTENT = "From: alice@src.test\r\nSubject: hello\r\n\r\nbody\r\n";

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final MemoryStore store = new MemoryStore();
    private final TestClock clock = new TestClock(T0);
    private FakeSmtpServer server;
    private FakeDns dns;

    @BeforeEach
    void mx() throws IOException {
        server = closeLater(new FakeSmtpServer(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0)));
        dns = new FakeDns().mx("dest.test", 10, "mx.dest.test").a("mx.dest.test", "127.0.0.1")
                .mx("src.test", 10, "mx.dest.test");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    private Delivery delivery(boolean preferIpv6, int perDestination) {
        SmtpSettings s = DeliveryHarness.settings(preferIpv6, WKP, perDestination, null);
        return closeLater(new Delivery(s, store, new MxRouting(s, dns, server.port()), clock, Duration.ofSeconds(3)));
    }

    private QueuedMessage queue(Delivery d, String id, String from, String to, String content) {
        QueuedMessage m = store.add(message(id, from, List.of(to), T0, content, false), content);
        d.queued(m);
        return m;
    }

    @Test
    void deliversAndDotStuffsLinesStartingWithADot() throws Exception {
        Delivery d = delivery(false, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", "Subject: dots\r\n\r\n.hidden\r\n..two\r\nplain\r\n");
        await("delivery", () -> store.removed.contains("m1"));
        Received r = server.received.getFirst();
        assertEquals("alice@src.test", r.mailFrom());
        assertEquals(List.of("bob@dest.test"), r.rcptTo());
        assertEquals("Subject: dots\r\n\r\n..hidden\r\n...two\r\nplain\r\n", r.data());
        assertEquals(1, d.counters().delivered());
        await("the queue empty", () -> d.counters().queueSize() == 0);
    }

    @Test
    void triesTheNextMxWhenTheFirstRefusesTheConnection() throws Exception {
        dns = new FakeDns().mx("dest.test", 10, "mx1.dest.test").a("mx1.dest.test", "127.0.0.2")
                .mx("dest.test", 20, "mx2.dest.test").a("mx2.dest.test", "127.0.0.1");
        Delivery d = delivery(false, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("delivery", () -> store.removed.contains("m1"));
        assertEquals("127.0.0.1", server.received.getFirst().local().getAddress().getHostAddress());
    }

    @Test
    void preferredFamilyIsUsedWhenBothAnswer() throws Exception {
        FakeSmtpServer v6 = closeLater(new FakeSmtpServer(new InetSocketAddress(InetAddress.ofLiteral("::1"),
                server.port())));
        dns.aaaa("mx.dest.test", "::1");
        Delivery d = delivery(true, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("delivery", () -> store.removed.contains("m1"));
        assertEquals(1, v6.received.size());
        assertEquals(0, server.received.size());
    }

    @Test
    void fallsBackToTheOtherFamilyWhenThePreferredRefuses() throws Exception {
        dns.aaaa("mx.dest.test", "::1"); // nothing listens on [::1]:port
        Delivery d = delivery(true, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("delivery", () -> store.removed.contains("m1"));
        assertEquals(1, server.received.size());
    }

    @Test
    void synthesizedAaaaIsSkippedForTheARecord() throws Exception {
        dns.aaaa("mx.dest.test", "64:ff9b::7f00:1");
        Delivery d = delivery(true, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("delivery", () -> store.removed.contains("m1"));
        assertEquals(1, server.received.size());
    }

    @Test
    void temporaryFailuresAreRetriedWithGrowingIntervalsUntilDelivered() throws Exception {
        server.rcptReply = r -> server.commands.stream().filter(c -> c.startsWith("RCPT")).count() <= 3
                ? "451 4.3.0 try again later" : "250 2.1.5 ok";
        Delivery d = delivery(false, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        Duration[] waits = {Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20)};
        Instant expected = T0;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int n = attempt;
            await("attempt " + n, () -> store.state.get("m1").attempts() == n);
            QueuedMessage m = store.state.get("m1");
            expected = clock.instant().plus(waits[n - 1]);
            assertEquals(expected, m.nextAttempt(), "after attempt " + n);
            assertTrue(m.lastError().contains("451 4.3.0"), m.lastError());
            // Not yet due: nothing happens when the scheduler looks a minute early.
            clock.advance(waits[n - 1].minusMinutes(1));
            d.wake();
            Thread.sleep(50);
            assertEquals(n, d.counters().attempts());
            clock.advance(Duration.ofMinutes(1));
            d.wake();
        }
        await("delivery", () -> store.removed.contains("m1"));
        assertEquals(4, d.counters().attempts());
        assertEquals(3, d.counters().deferred());
        assertEquals(1, d.counters().delivered());
        assertEquals(1, server.received.size());
    }

    @Test
    void permanentFailureBouncesWithADsnTheSenderCanParse() throws Exception {
        server.rcptReply = r -> r.startsWith("bob") ? "550 5.1.1 <bob@dest.test>: no such user" : "250 2.1.5 ok";
        Delivery d = delivery(false, 20);
        QueuedMessage m = store.add(message("m1", "alice@src.test", List.of("bob@dest.test", "carol@dest.test"), T0,
                CONTENT, false), CONTENT);
        d.queued(m);
        // The DSN goes to alice@src.test, whose MX is the same fake server.
        await("the DSN delivered", () -> server.received.size() == 2);
        Received original = server.received.get(0);
        assertEquals(List.of("carol@dest.test"), original.rcptTo());
        Received dsn = server.received.get(1);
        assertEquals("", dsn.mailFrom(), "a DSN has the null reverse-path");
        assertEquals(List.of("alice@src.test"), dsn.rcptTo());

        Map<String, String> head = headers(dsn.data().substring(0, dsn.data().indexOf("\r\n\r\n")));
        assertEquals("<alice@src.test>", head.get("to"));
        assertEquals("auto-replied", head.get("auto-submitted"));
        String type = head.get("content-type");
        assertTrue(type.startsWith("multipart/report; report-type=delivery-status; boundary=\""), type);
        String boundary = type.substring(type.indexOf("boundary=\"") + 10, type.length() - 1);
        String[] parts = dsn.data().split("\r\n--" + java.util.regex.Pattern.quote(boundary));
        assertEquals(5, parts.length, "preamble, three parts, the closing --");
        assertTrue(parts[4].startsWith("--"), "closing delimiter");
        assertTrue(parts[1].contains("Content-Type: text/plain"));
        assertTrue(parts[1].contains("<bob@dest.test>: 550 5.1.1"));

        String status = parts[2];
        assertTrue(status.startsWith("\r\nContent-Type: message/delivery-status\r\n\r\n"), status);
        String[] groups = status.substring(status.indexOf("\r\n\r\n") + 4).split("\r\n\r\n");
        Map<String, String> perMessage = headers(groups[0]);
        assertEquals("dns; relay.example.net", perMessage.get("reporting-mta"));
        assertTrue(perMessage.containsKey("arrival-date"));
        Map<String, String> perRecipient = headers(groups[1]);
        assertEquals("rfc822; bob@dest.test", perRecipient.get("final-recipient"));
        assertEquals("failed", perRecipient.get("action"));
        assertEquals("5.1.1", perRecipient.get("status"));
        assertEquals("dns; mx.dest.test", perRecipient.get("remote-mta"));
        assertEquals("smtp; 550 5.1.1 <bob@dest.test>: no such user", perRecipient.get("diagnostic-code"));

        assertTrue(parts[3].startsWith("\r\nContent-Type: text/rfc822-headers\r\n\r\n"));
        assertTrue(parts[3].contains("Subject: hello\r\n"));
        assertTrue(!parts[3].contains("body"), "headers only, not the body");
        await("both messages done", () -> store.removed.containsAll(List.of("m1", "dsn1")));
        assertEquals(1, d.counters().bounced());
        assertEquals(1, d.counters().dsns());
    }

    @Test
    void noDsnForTheNullReversePath() throws Exception {
        server.rcptReply = r -> "550 5.1.1 no such user";
        Delivery d = delivery(false, 20);
        queue(d, "m1", "", "bob@dest.test", CONTENT);
        await("bounce", () -> store.removed.contains("m1"));
        assertEquals(1, d.counters().bounced());
        assertEquals(List.of(), store.enqueued);
    }

    @Test
    void smtputf8MessageToAServerWithoutSmtputf8Bounces() throws Exception {
        server.extensions = List.of("PIPELINING", "8BITMIME");
        Delivery d = delivery(false, 20);
        QueuedMessage m = store.add(message("m1", "alice@src.test", List.of("bjørn@dest.test"), T0, CONTENT, true),
                CONTENT);
        d.queued(m);
        await("bounce", () -> store.removed.contains("m1"));
        assertTrue(server.commands.stream().noneMatch(c -> c.startsWith("MAIL")), "RFC 6531 §3.4: not sent");
        assertEquals(1, store.enqueued.size());
        String dsn = store.text("dsn1");
        assertTrue(dsn.contains("Status: 5.6.7\r\n"), dsn);
        // RFC 6533: the report of an SMTPUTF8 message may hold UTF-8 addresses.
        assertTrue(dsn.contains("Content-Type: message/global-delivery-status\r\n"), dsn);
        assertTrue(dsn.contains("Final-Recipient: utf-8; bjørn@dest.test\r\n"), dsn);
        assertTrue(store.enqueued.getFirst().envelope().smtputf8());
    }

    @Test
    void givesUpAfterTheQueueLifetimeWithADsn() throws Exception {
        server.rcptReply = r -> r.startsWith("bob") ? "451 4.3.0 try again later" : "250 ok";
        Delivery d = delivery(false, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("first attempt", () -> store.state.get("m1").attempts() == 1);
        clock.advance(Duration.ofDays(5));
        d.flush("m1");
        await("give-up", () -> store.removed.contains("m1"));
        assertEquals(1, d.counters().bounced());
        assertTrue(store.text("dsn1").contains("Final-Recipient: rfc822; bob@dest.test\r\nAction: failed\r\n"));
    }

    @Test
    void perDestinationConcurrencyIsBounded() throws Exception {
        server.dataPause = Duration.ofMillis(100);
        Delivery d = delivery(false, 2);
        for (int i = 0; i < 6; i++) {
            queue(d, "m" + i, "alice@src.test", "bob" + i + "@dest.test", CONTENT);
        }
        await("six deliveries", () -> server.received.size() == 6);
        assertEquals(2, server.maxOpen.get());
    }

    @Test
    void startTlsWhenOfferedWithoutCheckingTheCertificate() throws Exception {
        server.tls = DeliveryHarness.serverTls();
        server.extensions = List.of("STARTTLS", "PIPELINING", "SIZE 10000000");
        Delivery d = delivery(false, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("delivery", () -> store.removed.contains("m1"));
        assertTrue(server.received.getFirst().tls());
        // RFC 3207 §4.2: the client forgets what it knew and says EHLO again.
        assertEquals(2, server.commands.stream().filter(c -> c.startsWith("EHLO")).count());
    }

    @Test
    void failedTlsHandshakeFallsBackToCleartext() throws Exception {
        server.tlsBroken = true;
        server.extensions = List.of("STARTTLS", "PIPELINING");
        Delivery d = delivery(false, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("delivery", () -> store.removed.contains("m1"));
        assertEquals(1, server.commands.stream().filter(c -> c.equals("STARTTLS")).count());
        assertTrue(!server.received.getFirst().tls());
    }

    @Test
    void heloWhenEhloIsRefused() throws Exception {
        server.ehlo = false;
        Delivery d = delivery(false, 20);
        queue(d, "m1", "alice@src.test", "bob@dest.test", CONTENT);
        await("delivery", () -> store.removed.contains("m1"));
        assertTrue(server.commands.contains("HELO relay.example.net"), server.commands::toString);
        assertTrue(server.commands.contains("MAIL FROM:<alice@src.test>"), "no extensions without EHLO");
    }

    @Test
    void messageLargerThanTheServersSizeBounces() throws Exception {
        server.extensions = List.of("SIZE 10");
        Delivery d = delivery(false, 20);
        queue(d, "m1", "", "bob@dest.test", CONTENT);
        await("bounce", () -> store.removed.contains("m1"));
        assertEquals(1, d.counters().bounced());
        assertTrue(server.commands.stream().noneMatch(c -> c.startsWith("MAIL")), "RFC 1870 §6: not tried");
    }

    private static Map<String, String> headers(String block) {
        Map<String, String> h = new LinkedHashMap<>();
        for (String line : block.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                h.put(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return h;
    }
}
