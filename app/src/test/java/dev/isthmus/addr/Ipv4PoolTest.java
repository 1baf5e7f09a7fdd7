package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Ipv4PoolTest {

    @Test
    void parsesAddressesPrefixesAndRanges() {
        Ipv4Pool p = Ipv4Pool.parse(List.of("192.0.2.1", "198.51.100.0/30", "203.0.113.10-203.0.113.19"));
        assertEquals(1 + 4 + 10, p.size());
        assertFalse(p.isEmpty());
        assertEquals("192.0.2.1, 198.51.100.0/30, 203.0.113.10-203.0.113.19", p.toString());
        assertTrue(p.contains(Ipv4Address.parse("198.51.100.3")));
        assertTrue(p.contains(Ipv4Address.parse("203.0.113.19")));
        assertFalse(p.contains(Ipv4Address.parse("203.0.113.20")));
        assertFalse(p.contains(Ipv4Address.parse("192.0.2.2")));
        assertFalse(p.contains(0));
    }

    @Test
    void overlappingAndAdjacentItemsCountOnce() {
        Ipv4Pool p = Ipv4Pool.parse(List.of(
                "192.0.2.0/30", "192.0.2.4-192.0.2.9", "192.0.2.3", "192.0.2.8/29", "192.0.2.2-192.0.2.5"));
        assertEquals(16, p.size());
        assertEquals("192.0.2.0/28", p.toString());
        assertEquals(p, Ipv4Pool.parse(List.of("192.0.2.0/28")));
    }

    @Test
    void theWholeSpaceFits() {
        Ipv4Pool p = Ipv4Pool.parse(List.of("0.0.0.0/0"));
        assertEquals(1L << 32, p.size());
        assertEquals("0.0.0.0/0", p.toString());
        assertTrue(p.contains(-1));
        Ipv4Pool q = Ipv4Pool.parse(List.of("255.255.255.255", "0.0.0.0-255.255.255.254"));
        assertEquals(p, q);
    }

    @Test
    void badItemsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ipv4Pool.parse(List.of("192.0.2.1", "192.0.2.9-192.0.2.1")));
        assertEquals("IPv4 pool item 2 \"192.0.2.9-192.0.2.1\": range ends before it starts", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ipv4Pool.parse(List.of("192.0.2.1/24")));
        assertTrue(e.getMessage().startsWith("IPv4 pool item 1 \"192.0.2.1/24\": "), e.getMessage());
        assertTrue(e.getMessage().contains("host bits set"), e.getMessage());
        for (String bad : List.of("", "-", "192.0.2.1-", "-192.0.2.1", "192.0.2.1--192.0.2.2", "192.0.2.1-192.0.2.2-192.0.2.3",
                "192.0.2.1 - 192.0.2.2", "192.0.2.0/33", "2001:db8::1", "192.0.2.1,192.0.2.2", "192.0.2.1-192.0.2.0/24")) {
            e = assertThrows(IllegalArgumentException.class, () -> Ipv4Pool.parse(List.of("192.0.2.1", bad)), bad);
            assertTrue(e.getMessage().startsWith("IPv4 pool item 2 "), e.getMessage());
        }
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> Ipv4Pool.parse(withNull));
    }

    @Test
    void emptyPool() {
        assertTrue(Ipv4Pool.parse(List.of()).isEmpty());
        assertEquals(0, Ipv4Pool.empty().size());
        assertEquals(0, Ipv4Pool.empty().pick(12345));
        assertEquals("", Ipv4Pool.empty().toString());
    }

    @Test
    void pickSpreadsEvenlyAcrossRangesOfDifferentSizes() {
        Ipv4Pool p = Ipv4Pool.parse(List.of("192.0.2.7", "198.51.100.0/29", "203.0.113.250-203.0.113.252"));
        assertEquals(12, p.size());
        int[] counts = new int[256 * 3];
        int draws = 120_000;
        for (int h = 0; h < draws; h++) {
            int a = p.pick(h); // consecutive hashes: the mixing must still spread them
            assertTrue(p.contains(a), Ipv4Address.format(a));
            int bucket = (a >>> 24 == 192 ? 0 : a >>> 24 == 198 ? 1 : 2) * 256 + (a & 0xff);
            counts[bucket]++;
        }
        // Chi-squared over the 12 addresses; 11 degrees of freedom, 0.999 quantile is 31.3.
        double expected = draws / 12.0;
        double chi2 = Arrays.stream(counts).filter(c -> c > 0).mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
        assertEquals(12, Arrays.stream(counts).filter(c -> c > 0).count());
        assertTrue(chi2 < 31.3, "chi2 " + chi2 + " " + Arrays.toString(counts));
    }

    @Test
    void pickIsDeterministicAndAllocatesNothing() {
        Ipv4Pool p = Ipv4Pool.parse(List.of("192.0.2.0/24", "198.51.100.0/25", "203.0.113.1"));
        assertEquals(p.pick(42), p.pick(42));
        int[] sink = new int[1];
        long bytes = Allocations.of(() -> {
            int s = 0;
            for (int i = 0; i < 200_000; i++) {
                s += p.pick(i * 0x9e3779b9);
            }
            sink[0] = s;
        });
        assertTrue(bytes < Allocations.NOISE, bytes + " bytes");
    }

    @Property
    void pickAlwaysLandsInThePoolAndTextRoundTrips(@ForAll("pools") List<String> items, @ForAll int hash) {
        Ipv4Pool p = Ipv4Pool.parse(items);
        int a = p.pick(hash);
        assertTrue(p.contains(a), Ipv4Address.format(a) + " not in " + p);
        assertEquals(p, Ipv4Pool.parse(List.of(p.toString().split(", "))));
        long covered = 0;
        for (String item : p.toString().split(", ")) {
            covered += Ipv4Pool.parse(List.of(item)).size();
        }
        assertEquals(p.size(), covered);
    }

    @Provide
    Arbitrary<List<String>> pools() {
        Arbitrary<Integer> addr = Arbitraries.integers().between(0xc0000200, 0xc00002ff); // overlap often
        Arbitrary<String> single = addr.map(Ipv4Address::format);
        Arbitrary<String> range = addr.list().ofSize(2).map(l -> {
            int a = Math.min(l.get(0), l.get(1));
            int b = Math.max(l.get(0), l.get(1));
            return Ipv4Address.format(a) + "-" + Ipv4Address.format(b);
        });
        Arbitrary<String> prefix = Arbitraries.integers().between(24, 32).flatMap(len ->
                addr.map(a -> new Ipv4Prefix(a & Ipv4Prefix.mask(len), len).toString()));
        return Arbitraries.oneOf(single, range, prefix).list().ofMinSize(1).ofMaxSize(6);
    }
}
