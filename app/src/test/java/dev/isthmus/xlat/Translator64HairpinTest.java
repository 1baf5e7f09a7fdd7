package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.hex;
import static dev.isthmus.xlat.Xlat64Fixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.xlat.Xlat64Fixtures.Harness;
import dev.isthmus.xlat.XlatSettings.HairpinMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * RFC 7757 §4.2 hairpinning: 2001:db8:6::5 sends to 203.0.113.7, which is the IPv4 side of EAM
 * row 1 (an IPv6 node, 2001:db8:7::7). Once translated, the packet must not leave on the IPv4
 * side; it goes to the hairpin sink, which translates it back to IPv6 (Translator46). These
 * tests observe the decision (trace, the hairpin counter, nothing IPv4 on the sink), not what the
 * other direction makes of the packet.
 */
class Translator64HairpinTest {

    /** The packet 2001:db8:6::5 → 2001:db8:64::cb00:7107 (pool6 form of 203.0.113.7). */
    static final String VIA_POOL6 = """
            60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
            00 10 11 40   # payload length 16, next header 17, hop limit 64
            20 01 0d b8   # source 2001:db8:6::5
            00 06 00 00
            00 00 00 00
            00 00 00 05
            20 01 0d b8   # destination 2001:db8:64::cb00:7107
            00 64 00 00
            00 00 00 00
            cb 00 71 07
            9c 40 00 09   # UDP source port 40000, destination port 9
            00 10 0d 29   # UDP length 16, checksum
            69 73 74 68   # payload
            6d 75 73 21
            """;

    /** The packet 2001:db8:6::5 → 2001:db8:7::7 (EAM form of 203.0.113.7). */
    static final String VIA_EAM = """
            60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
            00 10 11 40   # payload length 16, next header 17, hop limit 64
            20 01 0d b8   # source 2001:db8:6::5
            00 06 00 00
            00 00 00 00
            00 00 00 05
            20 01 0d b8   # destination 2001:db8:7::7
            00 07 00 00
            00 00 00 00
            00 00 00 07
            9c 40 00 09   # UDP source port 40000, destination port 9
            00 10 49 87   # UDP length 16, checksum
            69 73 74 68   # payload
            6d 75 73 21
            """;

    static void assertHairpinned(Harness h) {
        assertEquals(Verdict.TRANSLATED, h.trace().verdict());
        assertTrue(h.trace().hairpinned());
        assertEquals(1, h.counters.paths(Path.HAIRPIN));
        for (byte[] p : h.out) {
            assertEquals(6, (p[0] & 0xff) >>> 4, "only IPv6 may come out of a hairpin");
        }
    }

    static void assertNotHairpinned(Harness h) {
        assertFalse(h.trace().hairpinned());
        assertEquals(0, h.counters.paths(Path.HAIRPIN));
    }

    /** §4.2.2 intrinsic: the destination was mapped with RFC 6052 and lands in the EAMT. */
    @Test
    void intrinsicViaPool6() {
        Harness h = settings().hairpin(HairpinMode.INTRINSIC).harness();
        h.run(hex(VIA_POOL6));
        assertHairpinned(h);
    }

    /** §4.2.2 intrinsic: a destination mapped by the EAM itself is an ordinary IPv4 destination. */
    @Test
    void intrinsicViaEam(TestInfo info) {
        Harness h = settings().hairpin(HairpinMode.INTRINSIC).harness();
        Translator64Test.translates(h, VIA_EAM, """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3f 11 03 55   # TTL 63, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                cb 00 71 07   # destination 203.0.113.7
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 3e d1   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """, info);
        assertNotHairpinned(h);
        assertEquals(MappingKind.EAM, h.trace().destinationMapping());
        assertEquals(1, h.trace().destinationEam());
    }

    /** §4.2.1 simple: any translated destination that matches an EAM hairpins. */
    @Test
    void simple() {
        Harness h = settings().hairpin(HairpinMode.SIMPLE).harness();
        h.run(hex(VIA_EAM));
        assertHairpinned(h);
        h = settings().hairpin(HairpinMode.SIMPLE).harness();
        h.run(hex(VIA_POOL6));
        assertHairpinned(h);
    }

    /** Hairpinning off: the packet leaves for 203.0.113.7 as IPv4. */
    @Test
    void off() {
        Harness h = settings().hairpin(HairpinMode.OFF).harness();
        assertEquals(Verdict.TRANSLATED, h.run(hex(VIA_POOL6)));
        assertNotHairpinned(h);
        assertEquals(4, (h.only()[0] & 0xff) >>> 4);
    }

    /**
     * §4.2.2: for an ICMP error the test is on the inner packet's source: here 2001:db8:64::cb00:7107
     * (pool6 → 203.0.113.7, in the EAMT) sent the packet the router complains about.
     */
    @Test
    void intrinsicIcmpError() {
        Harness h = settings().hairpin(HairpinMode.INTRINSIC).harness();
        h.run(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3c   # payload length 64, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:64::cb00:7107
                00 64 00 00
                00 00 00 00
                cb 00 71 07
                01 04 f4 db   # ICMPv6 type 1, code 4, checksum
                00 00 00 00   # unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3e   # payload length 16, next header 17, hop limit 62
                20 01 0d b8   # source 2001:db8:64::cb00:7107
                00 64 00 00
                00 00 00 00
                cb 00 71 07
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 0d 29   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """));
        assertHairpinned(h);
        assertEquals(1, h.counters.paths(Path.ICMP_ERROR_64));
    }

    /** A hairpinned packet never leaves on the IPv4 link, so its MTU does not split it. */
    @Test
    void hairpinIgnoresIpv4Mtu() {
        Harness h = settings().hairpin(HairpinMode.INTRINSIC).ipv4Mtu(576).harness();
        byte[] big = Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, "2001:db8:64::cb00:7107", 17, 64, 0,
                Xlat64Fixtures.udp(1, 2, new byte[1000]));
        h.run(big);
        assertHairpinned(h);
    }
}
