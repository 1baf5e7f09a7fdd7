package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.util.Arrays;

/**
 * RFC 7050 §3's search over any AAAA a resolver may answer for ipv4only.arpa: a result, never an
 * exception; a prefix found holds the address, and the address holds a WKA at that prefix's
 * position; candidates of an ambiguous one likewise.
 */
class Pref64SearchFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void everyAddressGivesAConsistentResult(byte[] data) {
        Ipv6Address a = Ipv6Address.ofBytes(Arrays.copyOf(data, 16));
        switch (Pref64Search.search(a)) {
            case Pref64Search.Found f -> holdsTheWka(f.prefix(), a);
            case Pref64Search.Ambiguous m -> {
                assertTrue(m.candidates().size() >= 2, m.toString());
                m.candidates().forEach(p -> holdsTheWka(p, a));
            }
            case Pref64Search.NotFound n -> {
                // nothing to hold
            }
        }
    }

    private static void holdsTheWka(Rfc6052Prefix p, Ipv6Address a) {
        assertTrue(p.contains(a.hi(), a.lo()), p + " " + a);
        int v4 = p.extract(a.hi(), a.lo());
        assertTrue(v4 == Pref64Search.WKA_170 || v4 == Pref64Search.WKA_171, p + " " + a);
        assertEquals(0, a.lo() >>> 56, "u-octet");
    }
}
