package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 7915 §5.1 / RFC 6864 §4.1 / RFC 7739 §5.3.1 Identification generator. */
class Xlat64IdentificationTest {

    /** RFC 6864 §4.1: one flow's consecutive packets never repeat an ID (within 65536 packets). */
    @Test
    void consecutivePacketsOfAFlowDiffer() {
        Xlat64Identification ids = new Xlat64Identification();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 65536; i++) {
            assertTrue(seen.add(ids.next(0xc6336405, 0xc0000221, 17)));
        }
    }

    /** Other flows' packets in between only move the counter on. */
    @Test
    void interleavedFlows() {
        Xlat64Identification ids = new Xlat64Identification(42, 0, true);
        int a1 = ids.next(1, 2, 17);
        ids.next(3, 4, 6);
        int a2 = ids.next(1, 2, 17);
        assertEquals((a1 + 2) & 0xffff, a2);
    }

    /** RFC 7739: the per-flow offset depends on the secret, so IDs are not predictable across translators. */
    @Test
    void offsetIsKeyed() {
        int differ = 0;
        for (int i = 0; i < 64; i++) {
            Xlat64Identification a = new Xlat64Identification(i, 0, true);
            Xlat64Identification b = new Xlat64Identification(i + 1000, 0, true);
            if (a.offset(0xc6336405, 0xc0000221, 17) != b.offset(0xc6336405, 0xc0000221, 17)) {
                differ++;
            }
        }
        assertTrue(differ > 60);
        Xlat64Identification k = new Xlat64Identification(7, 0, true);
        assertNotEquals(k.offset(1, 2, 17), k.offset(1, 2, 6));
        assertNotEquals(k.offset(1, 2, 17), k.offset(2, 1, 17));
    }

    /** Unkeyed (tests): the plain counter. */
    @Test
    void unkeyed() {
        Xlat64Identification ids = new Xlat64Identification(0, 0xffff, false);
        assertEquals(0xffff, ids.next(1, 2, 3));
        assertEquals(0, ids.next(1, 2, 3));
    }

    /** Allocation-free. */
    @Test
    void allocatesNothing() {
        Xlat64Identification ids = new Xlat64Identification();
        long bytes = Xlat64Allocations.of(() -> {
            for (int i = 0; i < 100_000; i++) {
                ids.next(i, ~i, 17);
            }
        });
        assertTrue(bytes < Xlat64Allocations.NOISE, bytes + " bytes");
    }
}
