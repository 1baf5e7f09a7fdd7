package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc6052PrefixTest {
    private static final int V4 = Ipv4Address.parse("192.0.2.33");

    /**
     * RFC 6052 §2.4, Table 1 (network-specific prefixes) and Table 2 (the Well-Known Prefix):
     * 192.0.2.33 under each prefix length. The RFC writes the /64 row as
     * {@code 2001:db8:122:344:c0:2:2100::}; the same address in RFC 5952 form ends in {@code :0},
     * so the rows are compared as addresses, and the /96 rows in their dotted and hex forms.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2001:db8::/32         | 2001:db8:c000:221::",
        "2001:db8:100::/40     | 2001:db8:1c0:2:21::",
        "2001:db8:122::/48     | 2001:db8:122:c000:2:2100::",
        "2001:db8:122:300::/56 | 2001:db8:122:3c0:0:221::",
        "2001:db8:122:344::/64 | 2001:db8:122:344:c0:2:2100::",
        "2001:db8:122:344::/96 | 2001:db8:122:344::192.0.2.33",
        "2001:db8:122:344::/96 | 2001:db8:122:344::c000:221",
        "64:ff9b::/96          | 64:ff9b::192.0.2.33",
        "64:ff9b::/96          | 64:ff9b::c000:221",
    })
    void rfc6052Section24Examples(String prefix, String embedded) {
        Rfc6052Prefix p = Rfc6052Prefix.parse(prefix);
        Ipv6Address expected = Ipv6Address.parse(embedded);
        assertEquals(expected, new Ipv6Address(p.embedHi(V4), p.embedLo(V4)), "embed");
        assertEquals(expected, p.embed(V4));
        assertEquals(V4, p.extract(expected.hi(), expected.lo()), "extract");
        assertTrue(p.contains(expected.hi(), expected.lo()));
    }

    @Test
    void canonicalTextOfTheExamples() {
        assertEquals("2001:db8:122:344:c0:2:2100:0", Rfc6052Prefix.parse("2001:db8:122:344::/64").embed(V4).toString());
        assertEquals("64:ff9b::c000:221", Rfc6052Prefix.parse("64:ff9b::/96").embed(V4).toString());
    }

    /** §2.3: bits 64-71 and the suffix are not part of the IPv4 address on the way back. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2001:db8::/32         | 2001:db8:c000:221:ff00:ffff:ffff:ffff",
        "2001:db8:100::/40     | 2001:db8:1c0:2:ff21:ffff:ffff:ffff",
        "2001:db8:122::/48     | 2001:db8:122:c000:ff02:21ff:ffff:ffff",
        "2001:db8:122:300::/56 | 2001:db8:122:3c0:ff00:221:ffff:ffff",
        "2001:db8:122:344::/64 | 2001:db8:122:344:ffc0:2:21ff:ffff",
    })
    void extractIgnoresUOctetAndSuffix(String prefix, String embedded) {
        Ipv6Address a = Ipv6Address.parse(embedded);
        assertEquals(V4, Rfc6052Prefix.parse(prefix).extract(a.hi(), a.lo()));
    }

    @Test
    void containsIsThePrefixMatch() {
        Rfc6052Prefix p = Rfc6052Prefix.parse("2001:db8:64::/96");
        assertTrue(p.contains(0x20010db800640000L, 0x00000000c0000221L));
        assertFalse(p.contains(0x20010db800640000L, 0x00000001c0000221L));
        assertFalse(p.contains(0x20010db800650000L, 0x00000000c0000221L));
    }

    @Test
    void wellKnownPrefix() {
        assertEquals(Ipv6Prefix.parse("64:ff9b::/96"), Rfc6052Prefix.WELL_KNOWN);
        assertTrue(Rfc6052Prefix.of(Rfc6052Prefix.WELL_KNOWN).isWellKnown());
        assertFalse(Rfc6052Prefix.parse("2001:db8:64::/96").isWellKnown());
        // RFC 8215's local-use prefix is a different prefix, fine at /48.
        assertFalse(Rfc6052Prefix.parse("64:ff9b:1::/48").isWellKnown());
        assertEquals(96, Rfc6052Prefix.parse("64:ff9b::/96").length());
        assertEquals("64:ff9b::/96", Rfc6052Prefix.parse("64:ff9b::/96").toString());
        assertEquals(Rfc6052Prefix.parse("64:ff9b::/96"), Rfc6052Prefix.of(Rfc6052Prefix.WELL_KNOWN));
    }

    /** §2.2: only these six lengths. */
    @ParameterizedTest
    @ValueSource(strings = {"::/0", "2001::/16", "2001:db8::/31", "2001:db8::/33", "2001:db8::/44",
        "2001:db8::/63", "2001:db8::/65", "2001:db8::/72", "2001:db8::/95", "2001:db8::/97", "2001:db8::/128"})
    void refusesOtherLengths(String prefix) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rfc6052Prefix.parse(prefix));
        assertTrue(e.getMessage().contains("length must be 32, 40, 48, 56, 64 or 96"), e.getMessage());
    }

    /** §2.2: bits 64-71 must be zero, which only a /96 could set. */
    @Test
    void refusesNonZeroUOctet() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rfc6052Prefix.parse("2001:db8:122:344:100::/96"));
        assertTrue(e.getMessage().contains("u-octet"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Rfc6052Prefix.parse("2001:db8:122:344:ff00::/96"));
        // The bits just after the u-octet are fine.
        Rfc6052Prefix.parse("2001:db8:122:344:ff::/96");
    }

    /** §2.1: the Well-Known Prefix is a /96 and nothing else. */
    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b::/32", "64:ff9b::/40", "64:ff9b::/48", "64:ff9b::/56", "64:ff9b::/64"})
    void refusesWellKnownPrefixAtOtherLengths(String prefix) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rfc6052Prefix.parse(prefix));
        assertTrue(e.getMessage().contains("Well-Known Prefix"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ff00::/32", "ff02::/64", "ff0e:db8::/96", "ffff::/40"})
    void refusesMulticast(String prefix) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rfc6052Prefix.parse(prefix));
        assertTrue(e.getMessage().contains("multicast"), e.getMessage());
    }

    @Test
    void hotPathAllocatesNothing() {
        Rfc6052Prefix p = Rfc6052Prefix.parse("2001:db8:100::/40");
        long[] sink = new long[1];
        long bytes = Allocations.of(() -> {
            long s = 0;
            for (int i = 0; i < 200_000; i++) {
                long hi = p.embedHi(i);
                long lo = p.embedLo(i);
                s += p.extract(hi, lo) + (p.contains(hi, lo) ? 1 : 0);
            }
            sink[0] = s;
        });
        assertTrue(bytes < Allocations.NOISE, bytes + " bytes");
    }

    @Property
    void extractOfEmbedIsIdentityForEveryLength(@ForAll("prefixes") Rfc6052Prefix p, @ForAll int v4) {
        long hi = p.embedHi(v4);
        long lo = p.embedLo(v4);
        assertEquals(v4, p.extract(hi, lo));
        assertTrue(p.contains(hi, lo));
        assertEquals(0, lo >>> 56, "u-octet is zero");
        if (p.length() < 96) {
            // The suffix after the 40 bits of IPv4 + u-octet is zero.
            int suffixBits = 128 - (p.length() + 40);
            assertEquals(0, lo & ((1L << suffixBits) - 1), "suffix is zero");
        }
    }

    @Property
    void embedIsTheRfcLayoutBitByBit(@ForAll("prefixes") Rfc6052Prefix p, @ForAll int v4) {
        // A slow reference: write the 32 IPv4 bits one by one from bit L, skipping bits 64-71.
        long hi = p.prefix().hi();
        long lo = p.prefix().lo();
        int bit = p.length();
        for (int i = 31; i >= 0; i--) {
            if (bit == 64) {
                bit = 72;
            }
            if ((v4 >>> i & 1) != 0) {
                if (bit < 64) {
                    hi |= 1L << (63 - bit);
                } else {
                    lo |= 1L << (127 - bit);
                }
            }
            bit++;
        }
        assertEquals(hi, p.embedHi(v4));
        assertEquals(lo, p.embedLo(v4));
    }

    @Provide
    Arbitrary<Rfc6052Prefix> prefixes() {
        return Combinators.combine(
                        Arbitraries.of(32, 40, 48, 56, 64, 96),
                        Arbitraries.longs().filter(hi -> hi >>> 56 != 0xff),
                        Arbitraries.longs())
                .as((length, hi, lo) -> {
                    // Bits 64-71 zero (a /96 keeps the rest of lo up to bit 95).
                    long l = lo & Ipv6Prefix.maskLo(length) & 0x00ffffffffffffffL;
                    long h = hi & Ipv6Prefix.maskHi(length);
                    if (h == Rfc6052Prefix.WELL_KNOWN.hi() && l == 0 && length != 96) {
                        h ^= 1L << 63;
                    }
                    return Rfc6052Prefix.of(new Ipv6Prefix(h, l, length));
                });
    }
}
