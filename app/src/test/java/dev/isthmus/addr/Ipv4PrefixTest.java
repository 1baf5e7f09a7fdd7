package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv4Address;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4PrefixTest {

    @ParameterizedTest
    @CsvSource({
        "192.0.2.0/24,     0xc0000200, 24, 0xffffff00",
        "198.51.100.64/26, 0xc6336440, 26, 0xffffffc0",
        "0.0.0.0/0,        0x00000000,  0, 0x00000000",
        "203.0.113.7/32,   0xcb007107, 32, 0xffffffff",
        "10.0.0.0/8,       0x0a000000,  8, 0xff000000",
    })
    void parses(String text, String address, int length, String mask) {
        Ipv4Prefix p = Ipv4Prefix.parse(text);
        assertEquals(Integer.parseUnsignedInt(address.substring(2), 16), p.address());
        assertEquals(length, p.length());
        assertEquals(Integer.parseUnsignedInt(mask.substring(2), 16), p.mask());
        assertEquals(text, p.toString());
    }

    @Test
    void bareAddressIsASlash32() {
        assertEquals(new Ipv4Prefix(0xc0000201, 32), Ipv4Prefix.parse("192.0.2.1"));
        assertEquals("192.0.2.1/32", Ipv4Prefix.parse("192.0.2.1").toString());
    }

    @Test
    void hostBitsSetIsRefusedAndNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ipv4Prefix.parse("192.0.2.1/24"));
        assertEquals("bad IPv4 prefix \"192.0.2.1/24\": host bits set in 192.0.2.1/24"
                + " (the prefix would be 192.0.2.0/24)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Ipv4Prefix(0xc0000201, 24));
        assertTrue(e.getMessage().contains("host bits set"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "/", "/24", "192.0.2.0/", "192.0.2.0/33", "192.0.2.0/-1", "192.0.2.0/+8", "192.0.2.0/024",
        "192.0.2.0/2 4", "192.0.2.0/24/24", "192.0.2.0/ 24", "192.0.2/24", "192.0.2.0/1000", "192.0.2.0/x",
        "192.0.2.0/24 ", "::/0",
    })
    void refusesMalformed(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Prefix.parse(text));
    }

    @Test
    void lengthOutOfRangeInConstructor() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Prefix(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Prefix(0, 33));
    }

    @Test
    void containsOverlapsCovers() {
        Ipv4Prefix p24 = Ipv4Prefix.parse("192.0.2.0/24");
        Ipv4Prefix p28 = Ipv4Prefix.parse("192.0.2.16/28");
        Ipv4Prefix other = Ipv4Prefix.parse("198.51.100.0/24");
        Ipv4Prefix all = Ipv4Prefix.parse("0.0.0.0/0");
        assertTrue(p24.contains(Ipv4Address.parse("192.0.2.255")));
        assertFalse(p24.contains(Ipv4Address.parse("192.0.3.0")));
        assertTrue(p28.contains(Ipv4Address.parse("192.0.2.31")));
        assertFalse(p28.contains(Ipv4Address.parse("192.0.2.32")));
        assertTrue(all.contains(0xffffffff));
        assertTrue(p24.overlaps(p28));
        assertTrue(p28.overlaps(p24));
        assertFalse(p24.overlaps(other));
        assertTrue(all.overlaps(other));
        assertTrue(p24.covers(p28));
        assertFalse(p28.covers(p24));
        assertEquals(Ipv4Address.parse("192.0.2.31"), p28.last());
        assertEquals(16, p28.size());
        assertEquals(1L << 32, all.size());
    }

    @Property
    void everyPrefixContainsItsFirstAndLastAddressAndParsesBack(
            @ForAll int a, @ForAll @IntRange(max = 32) int length) {
        Ipv4Prefix p = new Ipv4Prefix(a & Ipv4Prefix.mask(length), length);
        assertTrue(p.contains(p.address()));
        assertTrue(p.contains(p.last()));
        assertTrue(p.contains(a));
        assertEquals(p, Ipv4Prefix.parse(p.toString()));
        if (length > 0) {
            assertFalse(p.contains(a ^ (1 << (32 - length))), "flipping the last prefix bit leaves it");
        }
    }
}
