package dev.isthmus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortPoolTest {

    @Test
    void pairsAreEvenThenOddAndNeverShared() {
        PortPool p = new PortPool(30000, 30009, new Random(1));
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < 5; k++) {
            int even = p.allocatePair();
            assertEquals(0, even % 2, "RFC 3550 §11: RTP on an even port");
            assertTrue(seen.add(even) && seen.add(even + 1));
        }
        assertEquals(-1, p.allocatePair(), "range exhausted");
        assertEquals(-1, p.allocate());
        assertEquals(10, p.inUse());
    }

    @Test
    void anOddFirstPortIsSkippedForPairs() {
        PortPool p = new PortPool(30001, 30004, new Random(2));
        assertEquals(30002, p.allocatePair());
        assertEquals(-1, p.allocatePair(), "30001 and 30004 have no partner in the range");
        int single = p.allocate();
        assertTrue(single == 30001 || single == 30004);
    }

    @Test
    void aSinglePortBreaksAPair() {
        PortPool p = new PortPool(40000, 40001, new Random(3));
        int single = p.allocate();
        assertEquals(-1, p.allocatePair());
        p.release(single);
        assertEquals(40000, p.allocatePair());
        p.releasePair(40000);
        assertEquals(0, p.inUse());
    }

    @Test
    void releaseOfAFreeOrForeignPortChangesNothing() {
        PortPool p = new PortPool(50000, 50003, new Random(4));
        p.release(50001);
        p.release(1);
        assertEquals(0, p.inUse());
        p.allocate();
        p.release(50005);
        assertEquals(1, p.inUse());
    }

    @Test
    void everySinglePortIsHandedOutOnce() {
        PortPool p = new PortPool(1, 1000, new Random(5));
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < 1000; k++) {
            int port = p.allocate();
            assertTrue(port >= 1 && port <= 1000 && seen.add(port));
        }
        assertEquals(-1, p.allocate());
    }

    @Test
    void aBadRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PortPool(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new PortPool(10, 9));
        assertThrows(IllegalArgumentException.class, () -> new PortPool(1, 65536));
    }
}
