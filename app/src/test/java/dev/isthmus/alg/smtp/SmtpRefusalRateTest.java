package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.smtp.DeliveryHarness.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client with too many relay refusals is refused at connect for the block, on a clock the test moves. */
class SmtpRefusalRateTest {
    static final String STRANGER = SmtpSessionTest.STRANGER;
    static final String BLOCKED_554 = "554 5.7.1 relay.example.net too many relay refusals from your address, try later\r\n";
    static final SmtpSettings.RefusalLimit THREE_A_MINUTE =
            new SmtpSettings.RefusalLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(10));

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

    static SmtpSettings with(SmtpSettings s, AddressSet allow, SmtpSettings.RefusalLimit limit) {
        return new SmtpSettings(s.listen(), s.hostname(), allow, s.spool(), s.resolvers(), s.smarthost(),
                s.maxMessageSize(), s.preferIpv6(), s.dns64Prefixes(), s.firstRetry(), s.maxRetryInterval(),
                s.maxQueueLifetime(), s.perDestinationConcurrency(), s.maxConnections(), s.maxPerClient(),
                s.tlsCertificate(), s.tlsKey(), s.users(), s.connectionCacheTime(), s.dns64Discovery(), limit);
    }

    private SmtpHarness harness(SmtpSettings s) {
        return new SmtpHarness(s, Duration.ofSeconds(60), clock);
    }

    @Test
    void aStrangerRefusedTooOftenIsRefusedAtConnectUntilTheBlockEnds() {
        SmtpHarness h = harness(with(SmtpHarness.settings(), SmtpHarness.ALLOW, THREE_A_MINUTE));
        SmtpHarness.Client c = h.connect(STRANGER);
        assertEquals("554 5.7.1 relay.example.net relay access denied\r\n", c.replies()); // 1
        assertEquals("503 5.7.1 Relay access denied: only QUIT (RFC 5321 §3.1)\r\n".repeat(2),
                c.lines("EHLO x", "MAIL FROM:<a@example.org>")); // 2, 3: the block begins
        // The session open when the block began goes on as it was: 503 (and it is cheap), not closed.
        assertEquals("503 5.7.1 Relay access denied: only QUIT (RFC 5321 §3.1)\r\n", c.lines("RCPT TO:<v@example.com>"));
        assertTrue(c.ch.isActive());

        SmtpHarness.Client again = h.connect("2001:db8:99::77"); // the same /64
        assertEquals(BLOCKED_554, again.replies());
        assertFalse(again.ch.isActive(), "closed, no dialogue");
        assertEquals(1, h.counters().refused(SmtpRefusal.REFUSAL_RATE));
        assertEquals(1, h.counters().sessions(), "a blocked connection is no session");

        clock.advance(Duration.ofMinutes(10));
        assertEquals("554 5.7.1 relay.example.net relay access denied\r\n", h.connect(STRANGER).replies());
    }

    @Test
    void relayDeniedToRcptCountsWhenAuthIsConfigured() {
        SmtpHarness h = harness(with(SmtpHarness.settings(10_000, 10, Map.of("alice", "secret"), true),
                SmtpHarness.ALLOW, THREE_A_MINUTE));
        SmtpHarness.Client c = h.connect(STRANGER);
        assertEquals("220 relay.example.net ESMTP isthmus\r\n", c.replies());
        c.lines("EHLO x", "MAIL FROM:<a@example.org>");
        for (int i = 0; i < 3; i++) {
            assertTrue(c.lines("RCPT TO:<victim" + i + "@example.com>").startsWith("550 5.7.1 <"));
        }
        assertEquals(BLOCKED_554, h.connect(STRANGER).replies());
        assertEquals(3, h.counters().refused(SmtpRefusal.RELAY_DENIED));
    }

    @Test
    void refusalsSpreadOverTimeDoNotBlock() {
        SmtpHarness h = harness(with(SmtpHarness.settings(), SmtpHarness.ALLOW, THREE_A_MINUTE));
        for (int i = 0; i < 10; i++) {
            SmtpHarness.Client c = h.connect(STRANGER);
            assertEquals("554 5.7.1 relay.example.net relay access denied\r\n", c.replies());
            c.lines("QUIT");
            clock.advance(Duration.ofSeconds(31));
        }
        assertEquals(0, h.counters().refused(SmtpRefusal.REFUSAL_RATE));
    }

    @Test
    void aClientInAllowIsNeverBlockedEvenInABlockedSlash64() {
        // allow names one address of the /64; its neighbour earns the block for the /64.
        AddressSet allow = AddressSet.parse(List.of("2001:db8:7::25/128"));
        SmtpHarness h = harness(with(SmtpHarness.settings(), allow, THREE_A_MINUTE));
        h.connect("2001:db8:7::66").lines("NOOP", "NOOP");
        assertEquals(BLOCKED_554, h.connect("2001:db8:7::67").replies());
        SmtpHarness.Client ours = h.connect("2001:db8:7::25");
        assertEquals("220 relay.example.net ESMTP isthmus\r\n", ours.replies());
        assertTrue(ours.lines("EHLO x").startsWith("250-"));
    }

    @Test
    void relayTricksFromAnAllowedClientDoNotCount() {
        // The operator's own mail server must not lock itself out by relaying a bad address.
        SmtpHarness h = harness(with(SmtpHarness.settings(), SmtpHarness.ALLOW, THREE_A_MINUTE));
        SmtpHarness.Client c = h.connect(SmtpSessionTest.CLIENT);
        c.replies();
        c.lines("EHLO x", "MAIL FROM:<a@example.org>");
        for (int i = 0; i < 5; i++) {
            assertTrue(c.lines("RCPT TO:<victim%example.com@relay.example.net>").startsWith("550 5.7.1"));
        }
        assertEquals("220 relay.example.net ESMTP isthmus\r\n", h.connect(SmtpSessionTest.CLIENT).replies());
    }

    @Test
    void limitZeroNeverBlocks() {
        SmtpHarness h = harness(with(SmtpHarness.settings(), SmtpHarness.ALLOW,
                new SmtpSettings.RefusalLimit(0, Duration.ofMinutes(1), Duration.ofMinutes(10))));
        h.connect(STRANGER).lines("NOOP", "NOOP", "NOOP", "NOOP", "NOOP");
        assertEquals("554 5.7.1 relay.example.net relay access denied\r\n", h.connect(STRANGER).replies());
    }
}
