package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.C6;
import static dev.isthmus.xlat.Xlat64Fixtures.S6;
import static dev.isthmus.xlat.Xlat64Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat64Fixtures.assertIpv6Valid;
import static dev.isthmus.xlat.Xlat64Fixtures.concat;
import static dev.isthmus.xlat.Xlat64Fixtures.harness;
import static dev.isthmus.xlat.Xlat64Fixtures.hex;
import static dev.isthmus.xlat.Xlat64Fixtures.ipv6;
import static dev.isthmus.xlat.Xlat64Fixtures.pattern;
import static dev.isthmus.xlat.Xlat64Fixtures.put16;
import static dev.isthmus.xlat.Xlat64Fixtures.settings;
import static dev.isthmus.xlat.Xlat64Fixtures.u16;
import static dev.isthmus.xlat.Xlat64Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.xlat.Xlat64Fixtures.Harness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * RFC 7915 §5.1 Flags (DF above 1260 bytes), §5 ("MUST send a Packet Too Big error message or
 * fragment the packet when the packet size exceeds the MTU of the next-hop interface") and
 * §5.1.1 with RFC 791 fragmentation. The packets are large, so they are built (with independently
 * computed checksums) rather than written out; the headers are checked field by field and the
 * payloads byte for byte.
 */
class Translator64MtuTest {

    /** A UDP datagram 2001:db8:6::5 → 2001:db8:64::c000:221 whose IPv4 translation is {@code total4} bytes. */
    static byte[] udpOfIpv4Size(int total4) {
        return ipv6(C6, S6, 17, 64, 0, udp(40000, 9, pattern(total4 - 28, 1)));
    }

    /** §5.1 Flags: DF is zero up to 1260 bytes of translated packet, one above. */
    @Test
    void dontFragmentAbove1260(TestInfo info) {
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(udpOfIpv4Size(1260)));
        assertEquals(0x0000, u16(h.only(), 6));
        assertIpv4Valid(h.only());
        h.pcap(info.getTestMethod().orElseThrow().getName() + "-1260");
        assertEquals(Verdict.TRANSLATED, h.run(udpOfIpv4Size(1261)));
        assertEquals(0x4000, u16(h.only(), 6));
        assertIpv4Valid(h.only());
        h.pcap(info.getTestMethod().orElseThrow().getName() + "-1261");
    }

    /**
     * §5: a DF packet above the IPv4 MTU (1400) is dropped and answered with Packet Too Big 2/0
     * whose MTU is what the IPv6 host may send so that the translation fits: 1400 + 20.
     */
    @Test
    void packetTooBig(TestInfo info) {
        Harness h = settings().ipv4Mtu(1400).harness();
        byte[] in = udpOfIpv4Size(1401);
        assertEquals(Verdict.ICMP_ERROR, h.run(in));
        assertEquals(DropReason.PACKET_TOO_BIG, h.trace().reason());
        byte[] ptb = h.only();
        assertIpv6Valid(ptb);
        assertEquals(1280, ptb.length, "RFC 4443 §2.4(c): quoted up to the minimum MTU");
        assertEquals(hexOf("""
                02 00         # ICMPv6 Packet Too Big, code 0 (checksum verified above)
                """), Xlat64Fixtures.hexOf(Arrays.copyOfRange(ptb, 40, 42)));
        assertEquals(1420, mtu(ptb));
        assertArrayEquals(Arrays.copyOf(in, 1280 - 48), Arrays.copyOfRange(ptb, 48, 1280));
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /** The IPv6 link's own MTU caps the Packet Too Big MTU: min(1400 + 20, 1400). */
    @Test
    void packetTooBigCappedByIpv6Mtu() {
        Harness h = settings().ipv4Mtu(1400).ipv6Mtu(1400).harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(udpOfIpv4Size(1401)));
        assertEquals(1400, mtu(h.only()));
    }

    /**
     * RFC 8200 §5: no Packet Too Big may say less than 1280. With an IPv4 MTU of 1000 the host is
     * told 1280; its 1280-byte packets then translate to 1260 bytes with DF clear, which the
     * translator fragments.
     */
    @Test
    void packetTooBigNeverBelow1280(TestInfo info) {
        Harness h = settings().ipv4Mtu(1000).harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(udpOfIpv4Size(1261)));
        assertEquals(1280, mtu(h.only()));
        assertEquals(Verdict.TRANSLATED, h.run(udpOfIpv4Size(1260)));
        assertEquals(2, h.out.size());
        h.out.forEach(Xlat64Fixtures::assertIpv4Valid);
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /**
     * DF clear and above the IPv4 MTU (576): RFC 791 fragmentation. 980 bytes of data make a
     * fragment of 552 (69 units of 8) with MF and one of 428; same ID, header checksums valid,
     * and the pieces put together are the unfragmented translation.
     */
    @Test
    void fragmentsWhenDontFragmentClear(TestInfo info) {
        byte[] in = udpOfIpv4Size(1000);
        Harness whole = harness();
        whole.run(in);
        byte[] reference = whole.only();

        Harness h = settings().ipv4Mtu(576).harness();
        assertEquals(Verdict.TRANSLATED, h.run(in));
        assertEquals(2, h.out.size());
        assertEquals(2, h.trace().outputs());
        byte[] a = h.out.get(0);
        byte[] b = h.out.get(1);
        assertEquals(572, a.length);
        assertEquals(448, b.length);
        assertEquals(0x2000, u16(a, 6), "MF, offset 0");
        assertEquals(69, u16(b, 6), "no MF, offset 69");
        assertEquals(u16(a, 4), u16(b, 4), "one Identification");
        assertIpv4Valid(a);
        assertIpv4Valid(b);
        assertArrayEquals(payload(reference), concat(payload(a), payload(b)));
        assertEquals(1, h.counters.paths(Path.UDP_64));
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /**
     * §5.1.1 then RFC 791: an IPv6 fragment (offset 100, M set) too big for the IPv4 link is split
     * again; the offsets continue from 100 and every piece keeps MF (the original had it). With M
     * clear, the last piece has MF clear.
     */
    @Test
    void refragmentsAFragment() {
        for (boolean more : new boolean[] {true, false}) {
            byte[] data = pattern(1000, 5);
            byte[] in = concat(hex("60000000 03f0 2c 40"
                    + "20010db8 00060000 00000000 00000005 20010db8 00640000 00000000 c0000221"),
                    hex("11 00" + String.format("%04x", 100 << 3 | (more ? 1 : 0)) + "cafef00d"), data);
            Harness h = settings().ipv4Mtu(576).harness();
            assertEquals(Verdict.TRANSLATED, h.run(in));
            assertEquals(2, h.out.size());
            byte[] a = h.out.get(0);
            byte[] b = h.out.get(1);
            assertEquals(0x2000 | 100, u16(a, 6));
            assertEquals((more ? 0x2000 : 0) | 169, u16(b, 6));
            assertEquals(0xf00d, u16(a, 4));
            assertEquals(0xf00d, u16(b, 4));
            assertIpv4Valid(a);
            assertIpv4Valid(b);
            assertArrayEquals(data, concat(payload(a), payload(b)));
            assertEquals(1, h.counters.paths(Path.FRAGMENT_64));
        }
    }

    /**
     * A fragment whose data would end beyond 65535 bytes of datagram (RFC 8200 §4.5): its chain of
     * extension headers is sound, so the drop says what is wrong.
     */
    @Test
    void fragmentBeyondLargestDatagram() {
        byte[] in = concat(hex("60000000 0010 2c 40"
                + "20010db8 00060000 00000000 00000005 20010db8 00640000 00000000 c0000221"),
                hex("11 00 fff8 00000001"), new byte[8]);
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.FRAGMENT_BEYOND_MAXIMUM, h.trace().reason());
    }

    /** A 64 KiB IPv6 payload with DF (no Fragment Header): too big for any IPv4 link. */
    @Test
    void largestPacket() {
        Harness h = settings().ipv4Mtu(65535).ipv6Mtu(65535).harness();
        byte[] in = ipv6(C6, S6, 17, 64, 0, udp(1, 2, new byte[65535 - 8]));
        put16(in, 44, 0); // UDP length overflows; the translator does not read it
        assertEquals(Verdict.ICMP_ERROR, h.run(in));
        assertEquals(DropReason.PACKET_TOO_BIG, h.trace().reason());
    }

    private static int mtu(byte[] ptb) {
        return u16(ptb, 44) << 16 | u16(ptb, 46);
    }

    private static byte[] payload(byte[] ipv4) {
        return Arrays.copyOfRange(ipv4, 20, ipv4.length);
    }

    private static String hexOf(String hex) {
        return Xlat64Fixtures.hexOf(hex(hex));
    }
}
