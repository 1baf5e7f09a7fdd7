package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** RFC 8200 §4 chains as RFC 7915 §5.1/§5.1.1 read them. */
class Ipv6ChainTest {
    /** A fixed header (addresses zero) with Next Header {@code nh} and Payload Length {@code length}. */
    static String fixed(String nh, int length) {
        return String.format("60000000 %04x %s 40", length, nh) + " 00000000".repeat(8);
    }

    static DropReason walk(Ipv6Chain c, String hex) {
        byte[] b = hex(hex);
        // Walk from offset 3 of a larger segment: offsets are absolute.
        MemorySegment s = MemorySegment.ofArray(new byte[b.length + 3]);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, s, 3, b.length);
        return c.walk(s, 3, 3 + b.length);
    }

    @Test
    void noExtensionHeader() {
        Ipv6Chain c = new Ipv6Chain();
        assertEquals(DropReason.NONE, walk(c, fixed("11", 8) + "00000000 00000000"));
        assertEquals(17, c.protocol);
        assertEquals(3 + 40, c.upperOffset);
        assertEquals(-1, c.fragmentHeader);
        assertEquals(-1, c.segmentsLeftPointer);
        assertFalse(c.isFragment());
    }

    /** §5.1: Hop-by-Hop, Destination Options and Routing are skipped; the pointer marks Segments Left. */
    @Test
    void skipsAndRemembersSegmentsLeft() {
        Ipv6Chain c = new Ipv6Chain();
        assertEquals(DropReason.NONE, walk(c, fixed("00", 40)
                + "3c000104 00000000"                 // Hop-by-Hop → Destination Options, PadN
                + "2b010104 00000000 00000000 00000000" // Destination Options (16 bytes) → Routing
                + "06000001 00000000"                 // Routing type 0, Segments Left 1 → TCP
                + "00000000 00000000"));
        assertEquals(6, c.protocol);
        assertEquals(3 + 40 + 32, c.upperOffset);
        assertEquals(40 + 24 + 3, c.segmentsLeftPointer);
    }

    /** §5.1.1: the Fragment Header's fields. */
    @Test
    void fragmentHeader() {
        Ipv6Chain c = new Ipv6Chain();
        assertEquals(DropReason.NONE, walk(c, fixed("2c", 16) + "3a00 0059 12345678" + "00000000 00000000"));
        assertEquals(58, c.protocol);
        assertEquals(3 + 40, c.fragmentHeader);
        assertEquals(11, c.fragmentOffset8);
        assertTrue(c.moreFragments);
        assertEquals(0x12345678, c.fragmentId);
        assertTrue(c.isFragment());
        // An atomic fragment (offset 0, M 0) is no fragment.
        assertEquals(DropReason.NONE, walk(c, fixed("2c", 16) + "1100 0000 00000001" + "00000000 00000000"));
        assertFalse(c.isFragment());
    }

    /** §5.1.1: nothing but ESP (or an upper layer) may follow the Fragment Header. */
    @Test
    void extensionAfterFragment() {
        Ipv6Chain c = new Ipv6Chain();
        for (String nh : new String[] {"00", "2b", "3c", "2c", "33", "87"}) {
            assertEquals(DropReason.EXTENSION_AFTER_FRAGMENT,
                    walk(c, fixed("2c", 24) + nh + "00 0000 00000001" + "11000000 00000000 00000000 00000000"), nh);
        }
        assertEquals(DropReason.NONE, walk(c, fixed("2c", 16) + "3200 0000 00000001" + "00000000 00000000"));
        assertEquals(50, c.protocol);
    }

    /** Headers that do not fit, and Hop-by-Hop anywhere but first (RFC 8200 §4.3). */
    @Test
    void malformed() {
        Ipv6Chain c = new Ipv6Chain();
        assertEquals(DropReason.BAD_EXTENSION_HEADER, walk(c, fixed("00", 4) + "11000000"));
        assertEquals(DropReason.BAD_EXTENSION_HEADER, walk(c, fixed("00", 8) + "11010000 00000000"));
        assertEquals(DropReason.BAD_EXTENSION_HEADER, walk(c, fixed("2c", 4) + "11000000"));
        assertEquals(DropReason.BAD_EXTENSION_HEADER, walk(c, fixed("3c", 16) + "00000104 00000000 11000104 00000000"));
    }
}
