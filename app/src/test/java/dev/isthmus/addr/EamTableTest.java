package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.EamTable.Eam;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EamTableTest {

    /** RFC 7757 Appendix B: the example EAMT. */
    private static final EamTable APPENDIX_B = new EamTable(List.of(
            Eam.parse("192.0.2.1", "2001:db8:aaaa::"),
            Eam.parse("192.0.2.2/32", "2001:db8:bbbb::b/128"),
            Eam.parse("192.0.2.16/28", "2001:db8:cccc::/124"),
            Eam.parse("192.0.2.128/26", "2001:db8:dddd::/64"),
            Eam.parse("192.0.2.192/29", "2001:db8:eeee:8::/62"),
            Eam.parse("192.0.2.224/31", "64:ff9b::/127")));

    /** RFC 7757 Appendix B: addresses translated by that table, valid both ways. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "192.0.2.1   | 2001:db8:aaaa::        | 0",
        "192.0.2.2   | 2001:db8:bbbb::b       | 1",
        "192.0.2.16  | 2001:db8:cccc::        | 2",
        "192.0.2.24  | 2001:db8:cccc::8       | 2",
        "192.0.2.31  | 2001:db8:cccc::f       | 2",
        "192.0.2.128 | 2001:db8:dddd::        | 3",
        "192.0.2.152 | 2001:db8:dddd:0:6000:: | 3",
        "192.0.2.183 | 2001:db8:dddd:0:dc00:: | 3",
        "192.0.2.191 | 2001:db8:dddd:0:fc00:: | 3",
        "192.0.2.195 | 2001:db8:eeee:9:8000:: | 4",
        "192.0.2.225 | 64:ff9b::1             | 5",
    })
    void rfc7757AppendixB(String v4text, String v6text, int row) {
        int v4 = Ipv4Address.parse(v4text);
        Ipv6Address v6 = Ipv6Address.parse(v6text);
        assertEquals(row, APPENDIX_B.find4(v4));
        assertEquals(v6, new Ipv6Address(APPENDIX_B.map46Hi(row, v4), APPENDIX_B.map46Lo(row, v4)));
        assertEquals(row, APPENDIX_B.find6(v6.hi(), v6.lo()));
        assertEquals(v4, APPENDIX_B.map64(row, v6.hi(), v6.lo()));
    }

    @Test
    void addressesOutsideEveryRowHaveNoMatch() {
        assertEquals(-1, APPENDIX_B.find4(Ipv4Address.parse("192.0.2.3")));
        assertEquals(-1, APPENDIX_B.find4(Ipv4Address.parse("192.0.2.32")));
        assertEquals(-1, APPENDIX_B.find4(Ipv4Address.parse("198.51.100.1")));
        assertEquals(-1, APPENDIX_B.find6(0x20010db8aaaa0000L, 1));
        assertEquals(-1, APPENDIX_B.find6(0x20010db8dddd0001L, 0));
        assertEquals(-1, APPENDIX_B.find6(0x0064ff9b00000000L, 2));
        assertEquals(-1, EamTable.empty().find4(0));
        assertEquals(-1, EamTable.empty().find6(0, 0));
    }

    /**
     * When the IPv6 suffix is longer than the IPv4 suffix, the bits past the IPv4 suffix are
     * ignored on the way to IPv4 (2001:db8:dddd::/64 carries 6 IPv4 bits in 64).
     */
    @Test
    void excessIpv6SuffixBitsAreIgnored() {
        Ipv6Address a = Ipv6Address.parse("2001:db8:dddd:0:6000:beef::1");
        int row = APPENDIX_B.find6(a.hi(), a.lo());
        assertEquals(3, row);
        assertEquals(Ipv4Address.parse("192.0.2.152"), APPENDIX_B.map64(row, a.hi(), a.lo()));
    }

    /**
     * RFC 7757 §5: overlapping rows are allowed and each direction takes its own longest match.
     * 198.51.100.64 goes to 2001:db8::abcd (the /32 row), while 2001:db8:ffc6:3364:4000:: comes
     * back as 198.51.100.64 through the /0 ⇄ /40 row.
     */
    @Test
    void rfc7757Section5OverlappingRows() {
        EamTable t = new EamTable(List.of(
                Eam.parse("0.0.0.0/0", "2001:db8:ff00::/40"),
                Eam.parse("198.51.100.64", "2001:db8::abcd")));
        int v4 = Ipv4Address.parse("198.51.100.64");
        int row = t.find4(v4);
        assertEquals(1, row);
        assertEquals(Ipv6Address.parse("2001:db8::abcd"), new Ipv6Address(t.map46Hi(row, v4), t.map46Lo(row, v4)));

        Ipv6Address a = Ipv6Address.parse("2001:db8:ffc6:3364:4000::");
        row = t.find6(a.hi(), a.lo());
        assertEquals(0, row);
        assertEquals(v4, t.map64(row, a.hi(), a.lo()));

        int other = Ipv4Address.parse("203.0.113.9");
        row = t.find4(other);
        assertEquals(0, row);
        assertEquals(Ipv6Address.parse("2001:db8:ffcb:71:900::"),
                new Ipv6Address(t.map46Hi(row, other), t.map46Lo(row, other)));
    }

    @Test
    void longestPrefixWinsAmongNestedRows() {
        EamTable t = new EamTable(List.of(
                Eam.parse("10.0.0.0/8", "2001:db8:a00::/104"),
                Eam.parse("10.1.0.0/16", "2001:db8:b::/112"),
                Eam.parse("10.1.2.0/24", "2001:db8:c::/120"),
                Eam.parse("10.1.2.3/32", "2001:db8:d::3/128")));
        assertEquals(3, t.find4(Ipv4Address.parse("10.1.2.3")));
        assertEquals(2, t.find4(Ipv4Address.parse("10.1.2.4")));
        assertEquals(1, t.find4(Ipv4Address.parse("10.1.3.4")));
        assertEquals(0, t.find4(Ipv4Address.parse("10.2.3.4")));
        assertEquals(-1, t.find4(Ipv4Address.parse("11.0.0.0")));

        Ipv6Address a = Ipv6Address.parse("2001:db8:a00::1:203");
        assertEquals(0, t.find6(a.hi(), a.lo()));
        assertEquals(Ipv4Address.parse("10.1.2.3"), t.map64(0, a.hi(), a.lo()));
    }

    /** RFC 7757 §3.2: the IPv4 suffix must fit in the IPv6 suffix. */
    @Test
    void refusesAnIpv4SuffixLongerThanTheIpv6Suffix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Eam.parse("192.0.2.0/24", "2001:db8::/124"));
        assertEquals("EAM 192.0.2.0/24 <-> 2001:db8::/124: the IPv4 suffix (8 bits) does not fit in the IPv6"
                + " suffix (4 bits); RFC 7757 §3.2 needs the IPv6 suffix at least as long", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Eam.parse("0.0.0.0/0", "2001:db8::/97"));
        assertThrows(IllegalArgumentException.class, () -> Eam.parse("192.0.2.1/32", "2001:db8::/129"));
        // Equal, and longer on the IPv6 side, are both fine (Appendix B has both).
        Eam.parse("192.0.2.0/24", "2001:db8::/120");
        Eam.parse("192.0.2.0/28", "2001:db8::/120");
        Eam.parse("0.0.0.0/0", "::/0");
    }

    @Test
    void refusesRowsNoLookupCouldChooseBetween() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EamTable(List.of(
                Eam.parse("198.51.100.8", "2001:db8::1"),
                Eam.parse("198.51.100.9", "2001:db8::1"))));
        assertTrue(e.getMessage().contains("same IPv6 prefix 2001:db8::1/128"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EamTable(List.of(
                Eam.parse("198.51.100.0/24", "2001:db8:1::/120"),
                Eam.parse("198.51.100.0/24", "2001:db8:2::/120"))));
        assertTrue(e.getMessage().contains("same IPv4 prefix 198.51.100.0/24"), e.getMessage());
    }

    @Test
    void accessors() {
        assertEquals(6, APPENDIX_B.size());
        assertEquals(Eam.parse("192.0.2.16/28", "2001:db8:cccc::/124"), APPENDIX_B.entry(2));
        assertEquals("192.0.2.16/28 <-> 2001:db8:cccc::/124", APPENDIX_B.entry(2).toString());
        assertTrue(EamTable.empty().isEmpty());
        assertEquals(0, EamTable.empty().size());
    }

    @Test
    void lookupsAllocateNothing() {
        int[] sink = new int[1];
        long bytes = Allocations.of(() -> {
            int s = 0;
            for (int i = 0; i < 200_000; i++) {
                int v4 = 0xc0000200 | (i & 0xff);
                int row = APPENDIX_B.find4(v4);
                if (row >= 0) {
                    long hi = APPENDIX_B.map46Hi(row, v4);
                    long lo = APPENDIX_B.map46Lo(row, v4);
                    s += APPENDIX_B.find6(hi, lo) + APPENDIX_B.map64(row, hi, lo);
                }
            }
            sink[0] = s;
        });
        assertTrue(bytes < Allocations.NOISE, bytes + " bytes");
    }

    /** Thousands of rows at many lengths agree with a plain linear longest-match scan. */
    @Test
    void bigTableAgreesWithLinearScan() {
        Random rnd = new Random(7757);
        List<Eam> rows = new ArrayList<>();
        Set<Ipv4Prefix> seen4 = new HashSet<>();
        Set<Ipv6Prefix> seen6 = new HashSet<>();
        while (rows.size() < 5000) {
            int len4 = 16 + rnd.nextInt(17); // /16 to /32
            int len6 = 96 + len4 - rnd.nextInt(9); // IPv6 suffix = IPv4 suffix + 0 to 8 bits
            // Cluster addresses in 10.0.0.0/12 and 2001:db8::/108 so that rows overlap a lot.
            Ipv4Prefix p4 = new Ipv4Prefix((0x0a000000 | rnd.nextInt(1 << 20)) & Ipv4Prefix.mask(len4), len4);
            Ipv6Prefix p6 = Ipv6Prefix.of(new Ipv6Address(0x20010db800000000L, rnd.nextInt(1 << 20)), len6);
            if (!seen4.contains(p4) && !seen6.contains(p6)) {
                seen4.add(p4);
                seen6.add(p6);
                rows.add(new Eam(p6, p4));
            }
        }
        EamTable t = new EamTable(rows);
        for (int q = 0; q < 20_000; q++) {
            int v4 = 0x0a000000 | rnd.nextInt(1 << 20);
            assertEquals(linear4(rows, v4), t.find4(v4), () -> "find4 " + Ipv4Address.format(v4));
            long lo = rnd.nextInt(1 << 20) & 0xffffffffL;
            assertEquals(linear6(rows, 0x20010db800000000L, lo), t.find6(0x20010db800000000L, lo),
                    () -> "find6 " + Ipv6Address.format(0x20010db800000000L, lo));
        }
    }

    private static int linear4(List<Eam> rows, int v4) {
        int best = -1;
        for (int i = 0; i < rows.size(); i++) {
            Ipv4Prefix p = rows.get(i).ipv4();
            if (p.contains(v4) && (best < 0 || p.length() > rows.get(best).ipv4().length())) {
                best = i;
            }
        }
        return best;
    }

    private static int linear6(List<Eam> rows, long hi, long lo) {
        int best = -1;
        for (int i = 0; i < rows.size(); i++) {
            Ipv6Prefix p = rows.get(i).ipv6();
            if (p.contains(hi, lo) && (best < 0 || p.length() > rows.get(best).ipv6().length())) {
                best = i;
            }
        }
        return best;
    }

    @Property
    void map64OfMap46IsIdentity(@ForAll("rows") Eam row, @ForAll int v4) {
        EamTable t = new EamTable(List.of(row));
        int x = (v4 & ~row.ipv4().mask()) | row.ipv4().address();
        assertEquals(0, t.find4(x));
        long hi = t.map46Hi(0, x);
        long lo = t.map46Lo(0, x);
        assertTrue(row.ipv6().contains(hi, lo));
        assertEquals(0, t.find6(hi, lo));
        assertEquals(x, t.map64(0, hi, lo));
    }

    /** Against a bit-by-bit reference of "replace the prefix, copy the suffix". */
    @Property
    void map46CopiesTheSuffixBitForBit(@ForAll("rows") Eam row, @ForAll int v4) {
        EamTable t = new EamTable(List.of(row));
        int len4 = row.ipv4().length();
        long hi = row.ipv6().hi();
        long lo = row.ipv6().lo();
        for (int i = 0; i < 32 - len4; i++) {
            int bit4 = len4 + i;
            int bit6 = row.ipv6().length() + i;
            if ((v4 >>> (31 - bit4) & 1) != 0) {
                if (bit6 < 64) {
                    hi |= 1L << (63 - bit6);
                } else {
                    lo |= 1L << (127 - bit6);
                }
            }
        }
        assertEquals(hi, t.map46Hi(0, v4));
        assertEquals(lo, t.map46Lo(0, v4));
    }

    @Provide
    Arbitrary<Eam> rows() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 32),
                        Arbitraries.integers().between(0, 128),
                        Arbitraries.integers(),
                        Arbitraries.longs(),
                        Arbitraries.longs())
                .as((len4, extra, a4, hi, lo) -> {
                    // Any IPv6 length that leaves room for the IPv4 suffix.
                    int len6 = extra % (96 + len4 + 1);
                    return new Eam(Ipv6Prefix.of(new Ipv6Address(hi, lo), len6),
                            new Ipv4Prefix(a4 & Ipv4Prefix.mask(len4), len4));
                });
    }
}
