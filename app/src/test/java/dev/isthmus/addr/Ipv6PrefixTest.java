package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv6Address;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6PrefixTest {

    @ParameterizedTest
    @CsvSource({
        "2001:db8::/32,         0x20010db800000000, 0x0000000000000000, 32",
        "64:ff9b::/96,          0x0064ff9b00000000, 0x0000000000000000, 96",
        "2001:db8:122:344::/64, 0x20010db801220344, 0x0000000000000000, 64",
        "2001:db8::ab00/120,    0x20010db800000000, 0x000000000000ab00, 120",
        "::/0,                  0x0000000000000000, 0x0000000000000000, 0",
        "2001:db8::1/128,       0x20010db800000000, 0x0000000000000001, 128",
        "2001:db8:eeee:8::/62,  0x20010db8eeee0008, 0x0000000000000000, 62",
    })
    void parses(String text, String hi, String lo, int length) {
        Ipv6Prefix p = Ipv6Prefix.parse(text);
        assertEquals(Long.parseUnsignedLong(hi.substring(2), 16), p.hi());
        assertEquals(Long.parseUnsignedLong(lo.substring(2), 16), p.lo());
        assertEquals(length, p.length());
        assertEquals(text, p.toString());
    }

    @Test
    void bareAddressIsASlash128AndAnyTextFormWorks() {
        assertEquals(Ipv6Prefix.parse("2001:db8::1/128"), Ipv6Prefix.parse("2001:DB8:0:0:0:0:0:1"));
        assertEquals(Ipv6Prefix.parse("64:ff9b::/96"), Ipv6Prefix.parse("64:ff9b::0.0.0.0/96"));
    }

    @Test
    void hostBitsSetIsRefusedAndNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ipv6Prefix.parse("2001:db8::1/64"));
        assertEquals("bad IPv6 prefix \"2001:db8::1/64\": host bits set in 2001:db8::1/64"
                + " (the prefix would be 2001:db8::/64)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("2001:db8:8000::/32"));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Prefix(0, 1, 127));
        assertThrows(IllegalArgumentException.class, () -> new Ipv6Prefix(1, 0, 63));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "/", "/64", "2001:db8::/", "2001:db8::/129", "2001:db8::/-1", "2001:db8::/064", "2001:db8::/6 4",
        "2001:db8::/64/64", "2001:db8/32", "2001:db8::/1000", "192.0.2.0/24", "2001:db8::%1/64",
        "[2001:db8::]/64",
    })
    void refusesMalformed(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse(text));
    }

    @Test
    void containsAndOverlapsAcrossTheHalves() {
        Ipv6Prefix p62 = Ipv6Prefix.parse("2001:db8:eeee:8::/62");
        Ipv6Prefix p96 = Ipv6Prefix.parse("2001:db8:eeee:9::/96");
        Ipv6Prefix p127 = Ipv6Prefix.parse("64:ff9b::/127");
        Ipv6Address in = Ipv6Address.parse("2001:db8:eeee:b:ffff::");
        Ipv6Address out = Ipv6Address.parse("2001:db8:eeee:c::");
        assertTrue(p62.contains(in));
        assertFalse(p62.contains(out));
        assertTrue(p127.contains(0x0064ff9b00000000L, 1));
        assertFalse(p127.contains(0x0064ff9b00000000L, 2));
        assertTrue(p62.overlaps(p96));
        assertTrue(p96.overlaps(p62));
        assertTrue(p62.covers(p96));
        assertFalse(p96.covers(p62));
        assertFalse(p62.overlaps(p127));
        assertTrue(Ipv6Prefix.parse("::/0").overlaps(p127));
        assertEquals(Ipv6Prefix.parse("2001:db8::/32"), Ipv6Prefix.of(Ipv6Address.parse("2001:db8:ffff::1"), 32));
    }

    @Property
    void masksAreLeadingOnesSplitAt64(@ForAll @IntRange(max = 128) int length) {
        long hi = Ipv6Prefix.maskHi(length);
        long lo = Ipv6Prefix.maskLo(length);
        assertEquals(length, Long.bitCount(hi) + Long.bitCount(lo));
        // ~mask must be a run of trailing ones, and lo may only start once hi is full.
        assertEquals(0, ~hi & (~hi + 1));
        assertEquals(0, ~lo & (~lo + 1));
        assertTrue(lo == 0 || hi == -1L);
    }

    @Property
    void everyPrefixContainsItsAddressesAndParsesBack(
            @ForAll long hi, @ForAll long lo, @ForAll @IntRange(max = 128) int length) {
        Ipv6Prefix p = Ipv6Prefix.of(new Ipv6Address(hi, lo), length);
        assertTrue(p.contains(hi, lo));
        assertTrue(p.contains(p.hi(), p.lo()));
        assertEquals(p, Ipv6Prefix.parse(p.toString()));
        if (length > 0) {
            int bit = length - 1; // the last prefix bit, counted from the left
            long flipHi = bit < 64 ? hi ^ (1L << (63 - bit)) : hi;
            long flipLo = bit >= 64 ? lo ^ (1L << (127 - bit)) : lo;
            assertFalse(p.contains(flipHi, flipLo));
        }
    }
}
