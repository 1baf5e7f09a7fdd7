package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpLimits}: the decisions at accept — outside {@code allow}, over the client's share
 * (RFC 7766 §6.2.2), over the total (RFC 7766 §10) — each under its own counter, and the slots
 * given back.
 */
class TcpLimitsTest {
    private static final InetAddress ALICE = Dns64Fixture.address("2001:db8:6::2");
    private static final InetAddress BOB = Dns64Fixture.address("2001:db8:6::3");
    private static final InetAddress CAROL = Dns64Fixture.address("192.0.2.7");
    private static final InetAddress STRANGER = Dns64Fixture.STRANGER;

    private final Dns64Counters counters = new Dns64Counters();
    /** Three slots in all, two per client; ALICE, BOB and CAROL are allowed. */
    private final TcpLimits limits = new TcpLimits(Set.of(ALICE, BOB, CAROL)::contains, 3, 2, counters);

    @Test
    void aClientOutsideAllowIsRefusedAndTakesNoSlot() {
        for (int i = 0; i < 5; i++) {
            assertFalse(limits.admit(STRANGER));
        }
        assertEquals(5, counters.get(Dns64Counter.TCP_REFUSED_CLIENT));
        assertTrue(limits.admit(ALICE));
        assertTrue(limits.admit(BOB));
        assertTrue(limits.admit(CAROL), "the strangers hold none of the three slots");
    }

    @Test
    void oneClientHoldsAtMostItsShare() {
        assertTrue(limits.admit(ALICE));
        assertTrue(limits.admit(ALICE));
        assertFalse(limits.admit(ALICE));
        assertEquals(1, counters.get(Dns64Counter.TCP_CLIENT_LIMIT));
        assertTrue(limits.admit(BOB), "the third slot is still there for another client");
        limits.release(ALICE);
        assertTrue(limits.admit(ALICE), "a slot given back can be taken again");
    }

    @Test
    void everyoneTogetherHoldsAtMostTheTotal() {
        assertTrue(limits.admit(ALICE));
        assertTrue(limits.admit(BOB));
        assertTrue(limits.admit(CAROL));
        assertFalse(limits.admit(BOB));
        assertEquals(1, counters.get(Dns64Counter.TCP_REJECTED));
        assertEquals(0, counters.get(Dns64Counter.TCP_CLIENT_LIMIT));
        limits.release(CAROL);
        assertTrue(limits.admit(BOB));
    }

    @Test
    void aFullClientIsToldSoEvenWhenAllSlotsAreTaken() {
        assertTrue(limits.admit(ALICE));
        assertTrue(limits.admit(ALICE));
        assertTrue(limits.admit(BOB));
        assertFalse(limits.admit(ALICE));
        assertFalse(limits.admit(STRANGER));
        assertEquals(1, counters.get(Dns64Counter.TCP_CLIENT_LIMIT));
        assertEquals(1, counters.get(Dns64Counter.TCP_REFUSED_CLIENT));
        assertEquals(0, counters.get(Dns64Counter.TCP_REJECTED));
    }

    @Test
    void aMessageTimeoutIsCounted() {
        limits.messageTimedOut(ALICE, 2000);
        assertEquals(1, counters.get(Dns64Counter.TCP_MESSAGE_TIMEOUTS));
    }
}
