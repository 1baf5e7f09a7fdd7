package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For every RFC 6052 prefix length and any prefix a DNS64 could use: the AAAA it synthesizes for
 * either well-known address gives that prefix back (RFC 7050 §3). A random prefix that itself
 * holds a WKA's bits at another position (Pref64SearchTest's ambiguous case) turns up with a
 * chance of about 2^-29 per try: none in these tries.
 */
class Pref64SearchPropertyTest {
    @Property(tries = 2000)
    void synthesizingTheWkaThenSearchingGivesThePrefixBack(@ForAll long hi, @ForAll long lo,
            @ForAll("lengths") int length, @ForAll("wkas") int wka) {
        Rfc6052Prefix p = pref64(new Ipv6Address(hi, lo & 0x00ffffffffffffffL), length);
        Assume.that(p != null);
        Ipv6Address synthesized = p.embed(wka);
        assertEquals(new Pref64Search.Found(p), Pref64Search.search(synthesized), synthesized.toString());
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.of(32, 40, 48, 56, 64, 96);
    }

    @Provide
    Arbitrary<Integer> wkas() {
        return Arbitraries.of(Pref64Search.WKA_170, Pref64Search.WKA_171);
    }

    /** The prefix, or null for the few RFC 6052 rules out (multicast, the WKP at another length). */
    private static Rfc6052Prefix pref64(Ipv6Address a, int length) {
        try {
            return Rfc6052Prefix.of(Ipv6Prefix.of(a, length));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
