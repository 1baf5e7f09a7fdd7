package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat46Fixtures.C4;
import static dev.isthmus.xlat.Xlat46Fixtures.OWN4;
import static dev.isthmus.xlat.Xlat46Fixtures.S4;
import static dev.isthmus.xlat.Xlat46Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat46Fixtures.assertIpv6Valid;
import static dev.isthmus.xlat.Xlat46Fixtures.harness;
import static dev.isthmus.xlat.Xlat46Fixtures.hex;
import static dev.isthmus.xlat.Xlat46Fixtures.icmp;
import static dev.isthmus.xlat.Xlat46Fixtures.ipv4;
import static dev.isthmus.xlat.Xlat46Fixtures.pattern;
import static dev.isthmus.xlat.Xlat46Fixtures.rows;
import static dev.isthmus.xlat.Xlat46Fixtures.settings;
import static dev.isthmus.xlat.Xlat46Fixtures.u16;
import static dev.isthmus.xlat.Xlat46Fixtures.u32;
import static dev.isthmus.xlat.Xlat46Fixtures.u8;
import static dev.isthmus.xlat.Xlat46Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.xlat.Xlat46Fixtures.Harness;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * RFC 7915 §4 and §4.1 on fragments and sizes: the Fragment Header only for IPv4 fragments (and
 * fragments the translator makes), fragmentation of DF=0 packets to lowest-ipv6-mtu, and
 * Fragmentation Needed for DF=1 packets the IPv6 next hop cannot carry.
 */
class Translator46FragmentTest {

    /**
     * §4.1 "If there is a need to add a Fragment Header (the packet is a fragment ...)": Payload
     * Length + 8, Next Header 44; Fragment Header: Next Header = Protocol, offset and M copied,
     * Identification = the IPv4 one in the low 16 bits; §4.5: only the first fragment holds the UDP
     * header, whose checksum (of the whole datagram) is adjusted.
     */
    @Test
    void firstFragment(TestInfo info) {
        Harness h = Translator46Test.translates(harness(), """
                45 00 00 2c   # version 4, IHL 5, TOS 0x00, total length 44
                12 34 20 00   # identification 0x1234, MF, fragment offset 0
                40 11 5c 33   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 30 f9 58   # UDP length 48, checksum (of the whole datagram)
                00 01 02 03   # payload
                04 05 06 07
                08 09 0a 0b
                0c 0d 0e 0f
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 20 2c 3f   # payload length 32, next header 44, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                11 00 00 01   # fragment header: next header 17, offset 0, M 1
                00 00 12 34   # identification 0x1234
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 30 c7 b0   # UDP length 48, checksum (of the whole datagram)
                00 01 02 03   # payload
                04 05 06 07
                08 09 0a 0b
                0c 0d 0e 0f
                """, info);
        assertEquals(1, h.counters.paths(Path.FRAGMENT_46));
    }

    /** §4.1: a later fragment has no transport header to update; its data passes untouched. */
    @Test
    void laterFragment(TestInfo info) {
        Harness h = Translator46Test.translates(harness(), """
                45 00 00 2c   # version 4, IHL 5, TOS 0x00, total length 44
                12 34 00 03   # identification 0x1234, no flags, fragment offset 3
                40 11 7c 30   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                10 11 12 13   # fragment data
                14 15 16 17
                18 19 1a 1b
                1c 1d 1e 1f
                20 21 22 23
                24 25 26 27
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 20 2c 3f   # payload length 32, next header 44, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                11 00 00 18   # fragment header: next header 17, offset 3, M 0
                00 00 12 34   # identification 0x1234
                10 11 12 13   # fragment data
                14 15 16 17
                18 19 1a 1b
                1c 1d 1e 1f
                20 21 22 23
                24 25 26 27
                """, info);
        assertEquals(1, h.counters.paths(Path.FRAGMENT_46));
    }

    /**
     * §4 "the low-order 16 bits of the fragment identification are carried end-to-end, ensuring
     * that packets are correctly reassembled": both fragments translated, they reassemble into a
     * datagram whose UDP checksum verifies (the pcap has both, so tshark reassembles them too).
     */
    @Test
    void fragmentsReassemble() {
        byte[] first = hex("""
                45 00 00 2c   # version 4, IHL 5, TOS 0x00, total length 44
                12 34 20 00   # identification 0x1234, MF, fragment offset 0
                40 11 5c 33   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 30 f9 58   # UDP length 48, checksum (of the whole datagram)
                00 01 02 03   # payload
                04 05 06 07
                08 09 0a 0b
                0c 0d 0e 0f
                """);
        byte[] second = hex("""
                45 00 00 2c   # version 4, IHL 5, TOS 0x00, total length 44
                12 34 00 03   # identification 0x1234, no flags, fragment offset 3
                40 11 7c 30   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                10 11 12 13   # fragment data
                14 15 16 17
                18 19 1a 1b
                1c 1d 1e 1f
                20 21 22 23
                24 25 26 27
                """);
        Harness h = harness();
        h.run(first);
        byte[] out1 = h.only();
        h.run(second);
        byte[] out2 = h.only();
        byte[] whole = reassemble(List.of(out1, out2));
        assertIpv6Valid(whole);
        assertEquals(48, whole.length - 40);
        Xlat46Fixtures.writePcap("46-fragmentsReassemble", first, List.of(second, out1, out2));
    }

    /**
     * §4.1: "If the DF flag is not set and the IPv4 packet will result in an IPv6 packet larger than
     * ... lowest-ipv6-mtu ... the packet SHOULD be fragmented so that the resulting IPv6 packet
     * (with Fragment Header added to each fragment) will be less than or equal to lowest-ipv6-mtu":
     * 1380 bytes of UDP become 1232 + 148 (1232 = 1280 - 40 - 8).
     */
    @Test
    void dontFragmentClearIsFragmented() {
        byte[] in = ipv4(S4, C4, 17, 64, 0xb8, 0x1234, 0, new byte[0], udp(9, 40000, pattern(1372, 1)));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        assertEquals(2, h.out.size());
        assertEquals(2, h.trace().outputs());
        assertEquals(1, h.counters.paths(Path.UDP_46));
        byte[] f1 = h.out.get(0);
        byte[] f2 = h.out.get(1);
        assertEquals(1280, f1.length);
        assertEquals(48 + 148, f2.length);
        assertEquals(rows(hex("""
                6b 80 00 00   # version 6, traffic class 0xb8, flow label 0x0
                04 d8 2c 3f   # payload length 1240, next header 44, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                11 00 00 01   # fragment header: next header 17, offset 0, M 1
                00 00 12 34   # identification 0x1234
                """)), rows(Arrays.copyOf(f1, 48)));
        assertEquals(rows(hex("""
                6b 80 00 00   # version 6, traffic class 0xb8, flow label 0x0
                00 9c 2c 3f   # payload length 156, next header 44, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                11 00 04 d0   # fragment header: next header 17, offset 154, M 0
                00 00 12 34   # identification 0x1234
                """)), rows(Arrays.copyOf(f2, 48)));
        assertFragmentsOf(in, h.out, 1280);
        assertEquals(f2.length, h.buffer.length(), "the buffer's window is the last fragment");
        Xlat46Fixtures.writePcap("46-dontFragmentClearIsFragmented", in, h.out);
    }

    /** §4.1: an Echo Request fragmented by the translator; the ICMPv6 checksum covers the whole message. */
    @Test
    void echoFragmentedByTranslator() {
        byte[] in = ipv4(S4, C4, 1, 64, 0, 0x1234, 0, new byte[0], icmp(8, 0, 0x00010002, pattern(2000, 7)));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        assertEquals(2, h.out.size());
        assertFragmentsOf(in, h.out, 1280);
        Xlat46Fixtures.writePcap("46-echoFragmentedByTranslator", in, h.out);
    }

    /**
     * §4.1: "The translator MUST provide a configuration function for the network administrator to
     * adjust the threshold of the minimum IPv6 MTU to a value greater than 1280 bytes": with 1400,
     * a 1400-byte IPv4 packet (1420 as IPv6) is split at 1352 bytes of data, a 1300-byte one passes
     * whole.
     */
    @Test
    void lowestIpv6MtuConfigurable() {
        Harness h = settings().lowestIpv6Mtu(1400).harness();
        byte[] big = ipv4(S4, C4, 17, 64, 0, 0x1234, 0, new byte[0], udp(9, 40000, pattern(1372, 2)));
        h.run(big);
        assertEquals(2, h.out.size());
        assertEquals(1400, h.out.get(0).length);
        assertFragmentsOf(big, h.out, 1400);
        byte[] fits = ipv4(S4, C4, 17, 64, 0, 0x1234, 0, new byte[0], udp(9, 40000, pattern(1272, 2)));
        h.run(fits);
        assertEquals(1320, h.only().length);
        assertEquals(17, u8(h.only(), 6), "no Fragment Header (RFC 8021)");
        assertIpv6Valid(h.only());
    }

    /** The next hop's MTU caps lowest-ipv6-mtu when it is smaller. */
    @Test
    void ipv6MtuCapsFragmentSize() {
        Harness h = settings().lowestIpv6Mtu(9000).ipv6Mtu(1400).harness();
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 0, new byte[0], udp(9, 40000, pattern(3000, 2)));
        h.run(in);
        assertEquals(3, h.out.size());
        assertFragmentsOf(in, h.out, 1400);
    }

    /**
     * §4.1: "If the DF bit is set and the MTU of the next-hop interface is less than the total length
     * value of the IPv4 packet plus 20, the translator MUST send an ICMPv4 'Fragmentation Needed'
     * error message to the IPv4 source address", with the next-hop MTU the IPv4 side can use:
     * 1480 - 20 (RFC 1191 §4). The error quotes the packet as it arrived (RFC 1812 §4.3.2.3: at most
     * 576 bytes in all).
     */
    @Test
    void dontFragmentSetTooBig(TestInfo info) {
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 0x4000, new byte[0], udp(9, 40000, pattern(1452, 4)));
        Harness h = settings().ipv6Mtu(1480).harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(in));
        assertEquals(DropReason.PACKET_TOO_BIG, h.trace().reason());
        byte[] error = h.only();
        byte[] expected = ipv4(OWN4, S4, 1, 64, 0, 0, 0, new byte[0], icmp(3, 4, 1460, Arrays.copyOf(in, 548)));
        assertEquals(rows(expected), rows(error));
        assertIpv4Valid(error);
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /** The same for a DF=1 fragment: its translation would carry a Fragment Header, 28 bytes more. */
    @Test
    void dontFragmentSetFragmentTooBig() {
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 0x6000, new byte[0], udp(9, 40000, pattern(1448, 4)));
        Harness h = settings().ipv6Mtu(1480).harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(in), () -> "reason " + h.trace().reason());
        assertEquals(1452, u32(h.only(), 24), "next-hop MTU 1480 - 28");
    }

    /**
     * §4: with DF set, "path MTU discovery can operate end-to-end": a packet larger than
     * lowest-ipv6-mtu that the next hop carries is forwarded whole, without a Fragment Header.
     */
    @Test
    void dontFragmentSetFitsNextHop() {
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 0x4000, new byte[0], udp(9, 40000, pattern(1452, 4)));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in));
        assertEquals(1500, h.only().length);
        assertEquals(17, u8(h.only(), 6));
        assertIpv6Valid(h.only());
    }

    /**
     * §4.1: an IPv4 fragment that is itself too large is split again; the pieces keep its
     * Identification, count their offsets from its own, and only the last takes its M flag.
     */
    @Test
    void refragmentsAFragment() {
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 0x2000 | 100, new byte[0], pattern(1480, 5));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in));
        assertEquals(2, h.out.size());
        assertEquals(1, h.counters.paths(Path.FRAGMENT_46));
        assertEquals(100 << 3 | 1, u16(h.out.get(0), 42));
        assertEquals((100 + 154) << 3 | 1, u16(h.out.get(1), 42));
        for (byte[] f : h.out) {
            assertEquals(0x1234, u32(f, 44));
            assertIpv6Valid(f);
        }
        assertArrayEquals(Arrays.copyOfRange(in, 20, in.length),
                concatData(h.out));
    }

    /** The largest datagram, DF clear: 54 fragments, nothing lost. */
    @Test
    void largestDatagram() {
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 0, new byte[0], udp(9, 40000, pattern(65535 - 28, 6)));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in));
        assertEquals((65515 + 1231) / 1232, h.out.size());
        assertFragmentsOf(in, h.out, 1280);
    }

    /**
     * RFC 791 §3.2: an offset that puts the fragment's data past 65535 bytes cannot be reassembled
     * (nor expressed in a Fragment Header); counted as such, not as a bad header.
     */
    @Test
    void fragmentBeyondLargestDatagram() {
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 8190, new byte[0], pattern(100, 5));
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.FRAGMENT_BEYOND_MAXIMUM, h.trace().reason());
        assertEquals(0, h.counters.drops(DropReason.BAD_IPV4_HEADER));
    }

    /**
     * RFC 791 §3.2: every fragment but the last carries a multiple of 8 bytes; translated, RFC 8200
     * §4.5 would have the destination discard it. Its header is sound (IHL 5, checksum right), so
     * the drop has a reason of its own.
     */
    @Test
    void fragmentNotMultipleOfEight() {
        byte[] in = hex("""
                45 00 00 78   # version 4, IHL 5, TOS 0x00, total length 120 (100 bytes of data)
                12 34 20 00   # identification 0x1234, MF, fragment offset 0
                40 11 5b e7   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                """ + "00".repeat(100));
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.FRAGMENT_NOT_MULTIPLE_OF_8, h.trace().reason());
        assertEquals("fragment-not-multiple-of-8", h.trace().reason().key());
        assertEquals(0, h.counters.drops(DropReason.BAD_IPV4_HEADER));
    }

    // ---------------------------------------------------------------------------------------

    /**
     * Asserts that {@code frags} are well-formed IPv6 fragments of at most {@code mtu} bytes whose
     * data (8-byte multiples but the last, consecutive offsets, one Identification) reassembles to
     * the translation of the unfragmented IPv4 UDP or ICMP packet {@code in}: its transport
     * checksum verifies and its payload after the transport header is {@code in}'s.
     */
    static void assertFragmentsOf(byte[] in, List<byte[]> frags, int mtu) {
        for (byte[] f : frags) {
            assertTrue(f.length <= mtu, "fragment of " + f.length + " > " + mtu);
            assertIpv6Valid(f);
            assertEquals(u16(in, 4), u32(f, 44), "Identification = IPv4 ID");
        }
        byte[] whole = reassemble(frags);
        assertIpv6Valid(whole);
        int l4 = whole.length - 40;
        assertEquals(in.length - 20, l4);
        // Past the 8-byte UDP or ICMP header (the checksum and, for ICMP, the type change).
        assertArrayEquals(Arrays.copyOfRange(in, 28, in.length), Arrays.copyOfRange(whole, 48, whole.length));
    }

    /** An IPv6 packet without Fragment Header made of {@code frags} (which must be in order). */
    static byte[] reassemble(List<byte[]> frags) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int expectedOffset = 0;
        for (int i = 0; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            assertEquals(44, u8(f, 6), "Fragment Header");
            int fo = u16(f, 42);
            assertEquals(expectedOffset, fo >>> 3, "offset of fragment " + i);
            assertEquals(i < frags.size() - 1 ? 1 : 0, fo & 1, "M of fragment " + i);
            data.write(f, 48, f.length - 48);
            expectedOffset += (f.length - 48) / 8;
        }
        byte[] first = frags.get(0);
        byte[] d = data.toByteArray();
        byte[] p = new byte[40 + d.length];
        System.arraycopy(first, 0, p, 0, 40);
        Xlat46Fixtures.put16(p, 4, d.length);
        p[6] = first[40];
        System.arraycopy(d, 0, p, 40, d.length);
        return p;
    }

    private static byte[] concatData(List<byte[]> frags) {
        List<byte[]> parts = new ArrayList<>();
        for (byte[] f : frags) {
            parts.add(Arrays.copyOfRange(f, 48, f.length));
        }
        return Xlat46Fixtures.concat(parts.toArray(new byte[0][]));
    }
}
