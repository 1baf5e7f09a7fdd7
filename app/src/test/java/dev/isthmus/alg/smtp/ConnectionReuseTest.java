package dev.isthmus.alg.smtp;

import static dev.isthmus.alg.smtp.DeliveryHarness.await;
import static dev.isthmus.alg.smtp.DeliveryHarness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeDns;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeSmtpServer;
import dev.isthmus.alg.smtp.DeliveryHarness.MemoryStore;
import dev.isthmus.alg.smtp.DeliveryHarness.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Delivery over cached connections (Postfix's connection cache) against a scripted server on loopback. */
class ConnectionReuseTest {
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
        dns = new FakeDns().mx("dest.test", 10, "mx.dest.test").a("mx.dest.test", "127.0.0.1");
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

    private Delivery delivery(int perDestination, Duration cacheTime) {
        SmtpSettings s = DeliveryHarness.settings(false, WKP, perDestination, null).withConnectionCacheTime(cacheTime);
        return closeLater(new Delivery(s, store, new MxRouting(s, dns, server.port()), clock, Duration.ofSeconds(3)));
    }

    /** Queues one message and waits until it has left the queue (delivered, bounced or deferred). */
    private void deliver(Delivery d, String id, String from, String to) throws InterruptedException {
        QueuedMessage m = store.add(message(id, from, List.of(to), T0, CONTENT, false), CONTENT);
        long attempts = d.counters().attempts();
        d.queued(m);
        await(id + " attempted", () -> d.counters().attempts() > attempts && d.counters().queueSize() == 0);
    }

    private List<String> verbs() {
        return server.commands.stream().map(c -> c.split("[ :]", 2)[0]).toList();
    }

    @Test
    void twoMessagesToOneDestinationShareOneConnection() throws Exception {
        Delivery d = delivery(1, Duration.ofSeconds(30));
        deliver(d, "m1", "alice@src.test", "bob@dest.test");
        deliver(d, "m2", "alice@src.test", "carol@dest.test");
        assertEquals(2, server.received.size());
        assertEquals(1, server.accepts.get(), "one TCP connection");
        // After a completed transaction the next MAIL follows at once: no EHLO, no RSET (§4.1.1.5).
        assertEquals(List.of("EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA"), verbs());
        assertEquals(1, d.counters().connections());
        assertEquals(1, d.counters().connectionsReused());
        assertEquals(1, d.idleConnections());
    }

    @Test
    void aReusedTlsSessionStaysEncryptedWithoutASecondHandshake() throws Exception {
        server.tls = DeliveryHarness.serverTls();
        server.extensions = List.of("STARTTLS", "PIPELINING", "SIZE 10000000");
        Delivery d = delivery(1, Duration.ofSeconds(30));
        deliver(d, "m1", "alice@src.test", "bob@dest.test");
        deliver(d, "m2", "alice@src.test", "carol@dest.test");
        assertEquals(1, server.accepts.get());
        assertTrue(server.received.stream().allMatch(DeliveryHarness.Received::tls), server.received.toString());
        assertEquals(List.of("EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA"), verbs());
    }

    @Test
    void zeroCacheTimeOpensAConnectionPerMessage() throws Exception {
        Delivery d = delivery(1, Duration.ZERO);
        deliver(d, "m1", "alice@src.test", "bob@dest.test");
        deliver(d, "m2", "alice@src.test", "carol@dest.test");
        assertEquals(2, server.accepts.get());
        assertEquals(0, d.counters().connectionsReused());
        await("both QUIT", () -> server.commands.stream().filter("QUIT"::equals).count() == 2);
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedWithoutAFailure() throws Exception {
        server.hangUpAfterData = true;
        Delivery d = delivery(1, Duration.ofSeconds(30));
        deliver(d, "m1", "alice@src.test", "bob@dest.test");
        await("the server's close", () -> server.open.get() == 0);
        deliver(d, "m2", "alice@src.test", "carol@dest.test");
        assertEquals(List.of("m1", "m2"), store.removed);
        assertEquals(2, d.counters().delivered());
        assertEquals(0, d.counters().deferred());
        assertEquals(0, d.counters().bounced());
        assertEquals(2, server.accepts.get());
        assertEquals(1, d.counters().connectionsStale());
    }

    @Test
    void a421OnAReusedConnectionIsTriedAgainOnANewOne() throws Exception {
        server.mailReplyOnReuse = "421 4.4.2 fake.test idle too long, closing";
        Delivery d = delivery(1, Duration.ofSeconds(30));
        deliver(d, "m1", "alice@src.test", "bob@dest.test");
        deliver(d, "m2", "alice@src.test", "carol@dest.test");
        assertEquals(2, server.received.size());
        assertEquals(0, d.counters().deferred());
        assertEquals(2, server.accepts.get());
        assertEquals(1, d.counters().connectionsStale());
    }

    @Test
    void rsetFollowsAFailedTransactionBeforeTheNextMail() throws Exception {
        server.rcptReply = r -> r.startsWith("nobody") ? "550 5.1.1 no such user" : "250 2.1.5 ok";
        Delivery d = delivery(1, Duration.ofSeconds(30));
        deliver(d, "m1", "", "nobody@dest.test"); // the null reverse-path: no DSN to wait for
        deliver(d, "m2", "alice@src.test", "bob@dest.test");
        assertEquals(1, d.counters().bounced());
        assertEquals(1, d.counters().delivered());
        assertEquals(List.of("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "DATA"), verbs());
        assertEquals(1, server.accepts.get());
    }

    @Test
    void anIdleConnectionIsQuitWhenItsTimeIsUp() throws Exception {
        Delivery d = delivery(1, Duration.ofMillis(200));
        deliver(d, "m1", "alice@src.test", "bob@dest.test");
        await("QUIT at expiry", () -> server.commands.contains("QUIT") && server.open.get() == 0);
        assertEquals(0, d.idleConnections());
        deliver(d, "m2", "alice@src.test", "carol@dest.test");
        assertEquals(2, server.accepts.get(), "an expired connection is not reused");
    }

    @Test
    void idleConnectionsAreQuitWhenTheRelayStops() throws Exception {
        Delivery d = delivery(1, Duration.ofSeconds(30));
        deliver(d, "m1", "alice@src.test", "bob@dest.test");
        assertEquals(1, d.idleConnections());
        d.close();
        assertTrue(server.commands.contains("QUIT"), server.commands.toString());
        await("the connection closed", () -> server.open.get() == 0);
    }

    @Test
    void theCacheNeverHoldsMoreThanTheConcurrencyLimit() throws Exception {
        server.dataPause = Duration.ofMillis(20);
        Delivery d = delivery(2, Duration.ofSeconds(30));
        for (int i = 0; i < 20; i++) {
            store.add(message("m" + i, "alice@src.test", List.of("bob" + i + "@dest.test"), T0, CONTENT, false),
                    CONTENT);
            d.queued(store.state.get("m" + i));
        }
        await("all delivered", () -> d.counters().delivered() == 20);
        assertTrue(server.maxOpen.get() <= 2, "open at once: " + server.maxOpen.get());
        assertTrue(server.accepts.get() <= 2, "connections: " + server.accepts.get());
        assertTrue(d.idleConnections() <= 2, "idle: " + d.idleConnections());
        assertEquals(20, d.counters().connections() + d.counters().connectionsReused());
    }
}
