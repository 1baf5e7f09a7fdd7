package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.smtp.DeliveryHarness.TestClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Blocking by refusal rate: the count, the window, the block, the /64, the bounded table. */
class RefusalTrackerTest {
    private static final SmtpSettings.RefusalLimit THREE_A_MINUTE =
            new SmtpSettings.RefusalLimit(3, Duration.ofMinutes(1), Duration.ofMinutes(10));

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SmtpCounters counters = new SmtpCounters();
    private final RefusalTracker tracker = new RefusalTracker(THREE_A_MINUTE, clock, 100, counters);

    private static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Test
    void theLimitthRefusalWithinTheWindowStartsTheBlock() {
        InetAddress c = ip("198.51.100.7");
        assertFalse(tracker.refused(c));
        clock.advance(Duration.ofSeconds(30));
        assertFalse(tracker.refused(c));
        assertFalse(tracker.blocked(c));
        clock.advance(Duration.ofSeconds(29));
        assertTrue(tracker.refused(c), "the third within 60 s");
        assertTrue(tracker.blocked(c));
        assertFalse(tracker.blocked(ip("198.51.100.8")), "another client is not");
    }

    @Test
    void refusalsSpreadOverMoreThanTheWindowDoNotBlock() {
        InetAddress c = ip("198.51.100.7");
        tracker.refused(c);
        tracker.refused(c);
        clock.advance(Duration.ofSeconds(60));
        assertFalse(tracker.refused(c), "a new window began: 1 of 3");
        assertFalse(tracker.refused(c));
        assertFalse(tracker.blocked(c));
        assertTrue(tracker.refused(c));
    }

    @Test
    void theBlockEndsAfterItsTimeAndIsNotExtendedMeanwhile() {
        InetAddress c = ip("198.51.100.7");
        for (int i = 0; i < 3; i++) {
            tracker.refused(c);
        }
        clock.advance(Duration.ofMinutes(9));
        assertFalse(tracker.refused(c), "a session open before the block goes on refusing; not a new block");
        assertTrue(tracker.blocked(c));
        clock.advance(Duration.ofMinutes(1));
        assertFalse(tracker.blocked(c));
        assertFalse(tracker.refused(c), "after the block, the count starts again");
    }

    @Test
    void ipv6ClientsCountByTheirSlash64() {
        // RFC 8981: one host draws temporary addresses from its /64; each alone would stay under the limit.
        assertFalse(tracker.refused(ip("2001:db8:7:1::1")));
        assertFalse(tracker.refused(ip("2001:db8:7:1:a:b:c:d")));
        assertTrue(tracker.refused(ip("2001:db8:7:1:ffff::9")));
        assertTrue(tracker.blocked(ip("2001:db8:7:1::77")));
        assertFalse(tracker.blocked(ip("2001:db8:7:2::1")), "the next /64 is someone else");
        assertEquals("2001:db8:7:1::/64", RefusalTracker.text(ip("2001:db8:7:1::1")));
        assertEquals("198.51.100.7", RefusalTracker.text(ip("198.51.100.7")));
    }

    @Test
    void theTableIsBoundedTheLeastRecentlySeenGoesAndIsCounted() {
        RefusalTracker small = new RefusalTracker(THREE_A_MINUTE, clock, 2, counters);
        InetAddress blocked = ip("198.51.100.1");
        for (int i = 0; i < 3; i++) {
            small.refused(blocked);
        }
        small.refused(ip("198.51.100.2"));
        assertTrue(small.blocked(blocked)); // seen: now the most recent
        small.refused(ip("198.51.100.3")); // evicts .2, the least recently seen
        assertEquals(2, small.size());
        assertEquals(1, counters.refusalTableEvictions());
        assertTrue(small.blocked(blocked));
    }

    @Test
    void aLimitOfZeroTurnsBlockingOff() {
        RefusalTracker off = new RefusalTracker(new SmtpSettings.RefusalLimit(0, Duration.ofMinutes(1),
                Duration.ofMinutes(10)), clock, 100, counters);
        InetAddress c = ip("198.51.100.7");
        for (int i = 0; i < 100; i++) {
            assertFalse(off.refused(c));
        }
        assertFalse(off.blocked(c));
        assertEquals(0, off.size());
    }
}
