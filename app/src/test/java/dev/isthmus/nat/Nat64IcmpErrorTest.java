package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.HexText;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Verdict;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ICMP errors through the stateful NAT64 over literal packets: quoted fragments (RFC 6146 §3.4,
 * §3.5.3) and errors about hairpinned packets (RFC 6146 §3.8, RFC 5508 REQ-7). Addresses:
 * clients 2001:db8:6::2 and ::3, a router 2001:db8:6::1 on the IPv6 side, pool6
 * 2001:db8:64::/96, pool4 192.0.2.2 and .3, server 198.51.100.2 (2001:db8:64::c633:6402). The
 * mappings are static BIB entries, so every port is known: UDP (2001:db8:6::2, 40000) ↔
 * (192.0.2.2, 7000) and (2001:db8:6::3, 41234) ↔ (192.0.2.3, 8000).
 */
class Nat64IcmpErrorTest {
    static final Ipv6Address CLIENT = Ipv6Address.parse("2001:db8:6::2");
    static final Ipv6Address CLIENT2 = Ipv6Address.parse("2001:db8:6::3");
    static final int T1 = Ipv4Address.parse("192.0.2.2");
    static final int T2 = Ipv4Address.parse("192.0.2.3");

    private final Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.2/31")).build(), null);
    private final Nat64Translator xlat = Fixture.translator(table, "2001:db8:64::/96", () -> 1_000_000_000L);
    private final List<byte[]> out = new ArrayList<>();

    Nat64IcmpErrorTest() {
        assertEquals(Nat64Table.StaticResult.ADDED,
                table.addStatic(NatProtocol.UDP, CLIENT.hi(), CLIENT.lo(), 40000, T1, 7000));
        assertEquals(Nat64Table.StaticResult.ADDED,
                table.addStatic(NatProtocol.UDP, CLIENT2.hi(), CLIENT2.lo(), 41234, T2, 8000));
    }

    private Verdict run(byte[] packet) {
        out.clear();
        PacketBuffer b = PacketBuffer.scratch(PacketBuffer.DEFAULT_CAPACITY);
        b.load(packet);
        return xlat.translate(b, (seg, off, len) -> out.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)));
    }

    private byte[] only() {
        assertEquals(1, out.size(), "outputs");
        return out.get(0);
    }

    // ------------------------------------------------------------------ quoted fragments

    /**
     * The server's datagram (53 → (T,7000), 24 bytes) came in two IPv4 fragments; the NAT64 gave
     * the first a Fragment Header (RFC 7915 §4.1). The client's reassembly timed out and its Time
     * Exceeded quotes that first fragment: the ports behind the Fragment Header find the session
     * (RFC 6146 §3.5.3), and the error reaches the server from T quoting the IPv4 first fragment
     * it sent, destination port 7000 (RFC 7915 §5.3).
     */
    @Test
    void icmpv6ErrorQuotingAFirstFragmentFindsItsSession() {
        assertEquals(Verdict.TRANSLATED, run(HexText.hex("""
                60 00 00 00   # version 6, traffic class 0, flow label 0
                00 48 3a 40   # payload length 72, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:6::2 (the client)
                00 06 00 00
                00 00 00 00
                00 00 00 02
                20 01 0d b8   # destination 2001:db8:64::c633:6402 (the server)
                00 64 00 00
                00 00 00 00
                c6 33 64 02
                03 01 39 cb   # ICMPv6 Time Exceeded, code 1 (reassembly), checksum
                00 00 00 00   # unused
                60 00 00 00   # inner: version 6, traffic class 0, flow label 0
                00 18 2c 3f   # payload length 24, next header 44 (Fragment), hop limit 63
                20 01 0d b8   # source 2001:db8:64::c633:6402
                00 64 00 00
                00 00 00 00
                c6 33 64 02
                20 01 0d b8   # destination 2001:db8:6::2
                00 06 00 00
                00 00 00 00
                00 00 00 02
                11 00 00 01   # Fragment: next header 17, offset 0, M
                00 00 43 21   # identification 0x4321
                00 35 9c 40   # UDP source port 53, destination port 40000
                00 18 7b 0e   # UDP length 24 (the whole datagram), checksum
                69 73 74 68   # "isthmus!" (the rest, "fragment", is in the second fragment)
                6d 75 73 21
                """)), () -> xlat.trace().reason().toString());
        assertIpv4("""
                45 00 00 40   # version 4, IHL 5, TOS 0, total length 64
                00 00 00 00   # identification (the translator's generator: not compared), no flags
                3f 01 00 00   # TTL 63, protocol 1, header checksum (covers the identification: verified apart)
                c0 00 02 02   # source 192.0.2.2 (T)
                c6 33 64 02   # destination 198.51.100.2
                0b 01 85 14   # ICMPv4 Time Exceeded, code 1, checksum
                00 00 00 00   # unused
                45 00 00 24   # inner: version 4, IHL 5, TOS 0, total length 36
                43 21 20 00   # identification 0x4321, MF, offset 0
                3f 11 2c 70   # TTL 63, protocol 17, header checksum
                c6 33 64 02   # source 198.51.100.2
                c0 00 02 02   # destination 192.0.2.2
                00 35 1b 58   # UDP source port 53, destination port 7000 (t)
                00 18 95 d2   # UDP length 24, checksum for the IPv4 pseudo-header and t
                69 73 74 68
                6d 75 73 21
                """, only());
        assertEquals(0, table.stats().sessions(), "an error creates nothing (RFC 5508 REQ-6)");
    }

    /**
     * A later fragment holds no ports: the error has no tuple (RFC 6146 §3.4) and is dropped
     * rather than matched by whatever its payload bytes say.
     */
    @Test
    void icmpv6ErrorQuotingALaterFragmentIsDropped() {
        assertEquals(Verdict.DROPPED, run(HexText.hex("""
                60 00 00 00   # version 6, traffic class 0, flow label 0
                00 40 3a 40   # payload length 64, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:6::2
                00 06 00 00
                00 00 00 00
                00 00 00 02
                20 01 0d b8   # destination 2001:db8:64::c633:6402
                00 64 00 00
                00 00 00 00
                c6 33 64 02
                03 01 6c 27   # ICMPv6 Time Exceeded, code 1, checksum
                00 00 00 00   # unused
                60 00 00 00   # inner: version 6, traffic class 0, flow label 0
                00 10 2c 3f   # payload length 16, next header 44 (Fragment), hop limit 63
                20 01 0d b8   # source 2001:db8:64::c633:6402
                00 64 00 00
                00 00 00 00
                c6 33 64 02
                20 01 0d b8   # destination 2001:db8:6::2
                00 06 00 00
                00 00 00 00
                00 00 00 02
                11 00 00 10   # Fragment: next header 17, offset 2 (16 bytes), no M
                00 00 43 21   # identification 0x4321
                66 72 61 67   # "fragment": data, not ports
                6d 65 6e 74
                """)));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, xlat.trace().reason());
        assertTrue(out.isEmpty());
    }

    /**
     * The 4→6 counterpart: the client's datagram left as two IPv4 fragments from (T,7000); the
     * server's Time Exceeded quotes the first, whose ports find the session; the client gets it
     * quoting the first fragment as it sent it, Fragment Header and source port 40000 included
     * (RFC 7915 §4.3).
     */
    @Test
    void icmpv4ErrorQuotingAFirstFragmentFindsItsSession() {
        assertEquals(Verdict.TRANSLATED, run(HexText.hex("""
                45 00 00 40   # version 4, IHL 5, TOS 0, total length 64
                00 00 00 00   # identification 0, no flags
                40 01 8e 85   # TTL 64, protocol 1, header checksum
                c6 33 64 02   # source 198.51.100.2
                c0 00 02 02   # destination 192.0.2.2 (T)
                0b 01 85 14   # ICMPv4 Time Exceeded, code 1, checksum
                00 00 00 00   # unused
                45 00 00 24   # inner: version 4, IHL 5, TOS 0, total length 36
                56 78 20 00   # identification 0x5678, MF, offset 0
                3f 11 19 19   # TTL 63, protocol 17, header checksum
                c0 00 02 02   # source 192.0.2.2
                c6 33 64 02   # destination 198.51.100.2
                1b 58 00 35   # UDP source port 7000 (t), destination port 53
                00 18 95 d2   # UDP length 24, checksum
                69 73 74 68   # "isthmus!"
                6d 75 73 21
                """)), () -> xlat.trace().reason().toString());
        assertRows("""
                60 00 00 00   # version 6, traffic class 0, flow label 0
                00 48 3a 3f   # payload length 72, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c633:6402
                00 64 00 00
                00 00 00 00
                c6 33 64 02
                20 01 0d b8   # destination 2001:db8:6::2
                00 06 00 00
                00 00 00 00
                00 00 00 02
                03 01 26 74   # ICMPv6 Time Exceeded, code 1, checksum
                00 00 00 00   # unused
                60 00 00 00   # inner: version 6, traffic class 0, flow label 0
                00 18 2c 3f   # payload length 24, next header 44 (Fragment), hop limit 63
                20 01 0d b8   # source 2001:db8:6::2
                00 06 00 00
                00 00 00 00
                00 00 00 02
                20 01 0d b8   # destination 2001:db8:64::c633:6402
                00 64 00 00
                00 00 00 00
                c6 33 64 02
                11 00 00 01   # Fragment: next header 17, offset 0, M
                00 00 56 78   # identification 0x5678
                9c 40 00 35   # UDP source port 40000 (x), destination port 53
                00 18 7b 0e   # UDP length 24, checksum for the IPv6 pseudo-header and x
                69 73 74 68
                6d 75 73 21
                """, only());
    }

    /** 4→6, a later fragment quoted: no ports, no tuple (RFC 6146 §3.4), dropped. */
    @Test
    void icmpv4ErrorQuotingALaterFragmentIsDropped() {
        assertEquals(Verdict.DROPPED, run(HexText.hex("""
                45 00 00 38   # version 4, IHL 5, TOS 0, total length 56
                00 00 00 00   # identification 0, no flags
                40 01 8e 8d   # TTL 64, protocol 1, header checksum
                c6 33 64 02   # source 198.51.100.2
                c0 00 02 02   # destination 192.0.2.2
                0b 01 51 4b   # ICMPv4 Time Exceeded, code 1, checksum
                00 00 00 00   # unused
                45 00 00 1c   # inner: version 4, IHL 5, TOS 0, total length 28
                56 78 00 02   # identification 0x5678, offset 2 (16 bytes), no MF
                3f 11 39 1f   # TTL 63, protocol 17, header checksum
                c0 00 02 02   # source 192.0.2.2
                c6 33 64 02   # destination 198.51.100.2
                66 72 61 67   # "fragment": data, not ports
                6d 65 6e 74
                """)));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, xlat.trace().reason());
        assertTrue(out.isEmpty());
    }

    // ------------------------------------------------------------------ hairpinning, §3.8

    /**
     * A router before client 1 (link MTU 1400) answers the hairpinned datagram with Packet Too Big
     * to the source it saw, Pref64::T2, quoting the datagram as it came (cut to 64 bytes here).
     */
    private static final String PACKET_TOO_BIG_FROM_CLIENT1S_SIDE = """
            60 00 00 00   # version 6, traffic class 0, flow label 0
            00 48 3a 40   # payload length 72, next header 58, hop limit 64
            20 01 0d b8   # source 2001:db8:6::1 (a router before client 1)
            00 06 00 00
            00 00 00 00
            00 00 00 01
            20 01 0d b8   # destination 2001:db8:64::c000:203 (Pref64::T2)
            00 64 00 00
            00 00 00 00
            c0 00 02 03
            02 00 57 d9   # ICMPv6 Packet Too Big, code 0, checksum
            00 00 05 78   # MTU 1400
            60 00 00 00   # inner: version 6, traffic class 0, flow label 0
            05 98 11 3f   # payload length 1432, next header 17, hop limit 63
            20 01 0d b8   # source 2001:db8:64::c000:203 (Pref64::T2)
            00 64 00 00
            00 00 00 00
            c0 00 02 03
            20 01 0d b8   # destination 2001:db8:6::2 (X1')
            00 06 00 00
            00 00 00 00
            00 00 00 02
            1f 40 9c 40   # UDP source port 8000 (t2), destination port 40000 (x1)
            05 98 af 93   # UDP length 1432, checksum
            69 73 74 68   # "isthmus!isthmus!"
            6d 75 73 21
            69 73 74 68
            6d 75 73 21
            """;

    /** What 2001:db8:6::3 sends to (Pref64::T1, 7000): 1472 bytes, the first 64 written out. */
    private static byte[] client2Datagram() {
        byte[] head = HexText.hex("""
                60 00 00 00   # version 6, traffic class 0, flow label 0
                05 98 11 40   # payload length 1432, next header 17, hop limit 64
                20 01 0d b8   # source 2001:db8:6::3 (X2')
                00 06 00 00
                00 00 00 00
                00 00 00 03
                20 01 0d b8   # destination 2001:db8:64::c000:202 (Pref64::T1)
                00 64 00 00
                00 00 00 00
                c0 00 02 02
                a1 12 1b 58   # UDP source port 41234 (x2), destination port 7000 (t1)
                05 98 ae a9   # UDP length 1432, checksum
                """);
        byte[] p = Arrays.copyOf(head, 1472);
        byte[] text = "isthmus!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 48; i < p.length; i++) {
            p[i] = text[(i - 48) % 8];
        }
        return p;
    }

    /**
     * Client 2 sends a datagram to client 1 through pool4; it hairpins (from (Pref64::T2, 8000)
     * to (X1', 40000)). A router in front of client 1, link MTU 1400, answers Packet Too Big to
     * the source it saw, Pref64::T2, quoting the datagram as it came (the quote cut to 64 bytes
     * here). The NAT64 must not turn that into ICMPv4 from T1 to T2: it goes back to client 2,
     * from Pref64::T1, quoting client 2's own datagram — source (X2', 41234), destination
     * (Pref64::T1, 7000), UDP checksum as client 2 computed it — and the MTU as the router said
     * (IPv6 on both legs, no header changes size).
     */
    @Test
    void packetTooBigAboutAHairpinnedDatagramReachesItsSender() {
        byte[] datagram = client2Datagram();
        assertEquals(Verdict.TRANSLATED, run(datagram));
        byte[] delivered = only();
        byte[] error = HexText.hex(PACKET_TOO_BIG_FROM_CLIENT1S_SIDE);
        assertEquals(hexOf(Arrays.copyOfRange(delivered, 0, 64)), hexOf(Arrays.copyOfRange(error, 48, 112)),
                "the router quotes what the NAT64 delivered");
        assertEquals(Verdict.TRANSLATED, run(error), () -> xlat.trace().reason().toString());
        assertTrue(xlat.trace().hairpinned());
        assertRows("""
                60 00 00 00   # version 6, traffic class 0, flow label 0
                00 48 3a 3f   # payload length 72, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:202 (Pref64::T1)
                00 64 00 00
                00 00 00 00
                c0 00 02 02
                20 01 0d b8   # destination 2001:db8:6::3 (X2')
                00 06 00 00
                00 00 00 00
                00 00 00 03
                02 00 57 d8   # ICMPv6 Packet Too Big, code 0, checksum
                00 00 05 78   # MTU 1400, as reported
                60 00 00 00   # inner: client 2's datagram, as it was sent
                05 98 11 3f   # payload length 1432, next header 17, hop limit 63 (as the router saw it)
                20 01 0d b8   # source 2001:db8:6::3 (X2')
                00 06 00 00
                00 00 00 00
                00 00 00 03
                20 01 0d b8   # destination 2001:db8:64::c000:202 (Pref64::T1)
                00 64 00 00
                00 00 00 00
                c0 00 02 02
                a1 12 1b 58   # UDP source port 41234 (x2), destination port 7000 (t1)
                05 98 ae a9   # UDP length 1432, client 2's own checksum
                69 73 74 68
                6d 75 73 21
                69 73 74 68
                6d 75 73 21
                """, only());
        assertEquals(hexOf(Arrays.copyOfRange(datagram, 8, 64)), hexOf(Arrays.copyOfRange(only(), 56, 112)),
                "the quote is client 2's datagram but for the hop limit");
    }

    /** An error about a flow the table does not know, or with a bad checksum, goes nowhere. */
    @Test
    void hairpinnedErrorsWithoutSessionOrWithBadChecksumAreDropped() {
        byte[] error = HexText.hex(PACKET_TOO_BIG_FROM_CLIENT1S_SIDE);
        // Static entries filter nothing (endpoint-independent), so remove client 2's: (T2,8000)
        // then maps to nobody.
        assertTrue(table.removeStatic(NatProtocol.UDP, T2, 8000));
        assertEquals(Verdict.DROPPED, run(error));
        assertEquals(DropReason.NAT64_REFUSED, xlat.trace().reason());
        assertTrue(out.isEmpty());

        table.addStatic(NatProtocol.UDP, CLIENT2.hi(), CLIENT2.lo(), 41234, T2, 8000);
        error[55] ^= 1; // the inner hop limit: the ICMPv6 checksum no longer verifies
        assertEquals(Verdict.DROPPED, run(error));
        assertEquals(DropReason.BAD_ICMP_CHECKSUM, xlat.trace().reason());
        assertTrue(out.isEmpty());
    }

    // ------------------------------------------------------------------ checks

    private static void assertRows(String expected, byte[] actual) {
        assertEquals(rows(HexText.hex(expected)), rows(actual));
    }

    /**
     * Compares an IPv4 packet whose Identification is the translator's random one (RFC 7915 §5.1,
     * RFC 7739): the header checksum is verified, then both fields are left out of the comparison.
     */
    private static void assertIpv4(String expected, byte[] actual) {
        assertTrue(Checksum.verifies(Checksum.add(MemorySegment.ofArray(actual), 0, 20, 0)), "IPv4 header checksum");
        byte[] masked = actual.clone();
        Arrays.fill(masked, 4, 6, (byte) 0);
        Arrays.fill(masked, 10, 12, (byte) 0);
        assertRows(expected, masked);
    }

    private static String rows(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i += 4) {
            sb.append(HexFormat.ofDelimiter(" ").formatHex(b, i, Math.min(b.length, i + 4))).append('\n');
        }
        return sb.toString();
    }

    private static String hexOf(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
