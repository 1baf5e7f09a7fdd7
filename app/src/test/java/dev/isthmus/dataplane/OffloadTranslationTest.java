package dev.isthmus.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.HexText;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.Offload;
import dev.isthmus.xlat.Translator;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Translation of packets that arrive with a virtio-net header (TUN {@code IFF_VNET_HDR}): partial
 * checksums (NEEDS_CSUM) and TCP/UDP super-packets (GSO), both directions, as the worker does it
 * — {@link VirtioNetHeader#accept}, {@link Translator#translate(PacketBuffer, dev.isthmus.wire.PacketSink, Offload)},
 * {@link VirtioNetHeader#forOutput}. The lab addresses: the client 2001:db8:6::2 is 192.0.2.2 by
 * EAM, the server 198.51.100.2 is 2001:db8:64::c633:6402 by pool6 (RFC 6052 §2.2, /96).
 *
 * <p>The partial checksums in the hex are the folded, uncomplemented pseudo-header sums (RFC 1071
 * arithmetic; RFC 8200 §8.1 and RFC 9293 §3.1 pseudo-headers), computed outside the code under
 * test. Every test also completes the translated checksum as the kernel would and checks that
 * the result verifies with the new pseudo-header.
 */
class OffloadTranslationTest {

    /** TCP 6→4 super-packet: 24 payload bytes in segments of 8 (gso_size), partial checksum. */
    static final String TCP6_SUPER = """
            01 04 3c 00   # virtio: NEEDS_CSUM, gso TCPV6, hdr_len 60 (little-endian)
            08 00 28 00   # gso_size 8, csum_start 40
            10 00         # csum_offset 16
            60 00 00 00   # IPv6, traffic class 0, flow label 0
            00 2c 06 40   # payload length 44, next header TCP, hop limit 64
            20 01 0d b8   # source 2001:db8:6::2
            00 06 00 00
            00 00 00 00
            00 00 00 02
            20 01 0d b8   # destination 2001:db8:64::c633:6402
            00 64 00 00
            00 00 00 00
            c6 33 64 02
            9c 40 14 51   # TCP source port 40000, destination port 5201
            00 00 00 01   # sequence number 1
            00 00 00 01   # acknowledgment number 1
            50 18 ff ff   # data offset 5, ACK PSH, window 65535
            86 46 00 00   # checksum: partial (pseudo-header sum, length 44), urgent 0
            69 73 74 68   # payload "isthmus!" three times
            6d 75 73 21
            69 73 74 68
            6d 75 73 21
            69 73 74 68
            6d 75 73 21
            """;

    /** TCP 4→6 super-packet, the reverse flow, DF set. */
    static final String TCP4_SUPER = """
            01 01 28 00   # virtio: NEEDS_CSUM, gso TCPV4, hdr_len 40
            08 00 14 00   # gso_size 8, csum_start 20
            10 00         # csum_offset 16
            45 00 00 40   # IPv4, IHL 5, TOS 0, total length 64
            12 34 40 00   # identification 0x1234, DF
            40 06 3c 4c   # TTL 64, protocol TCP, header checksum
            c6 33 64 02   # source 198.51.100.2
            c0 00 02 02   # destination 192.0.2.2
            14 51 9c 40   # TCP source port 5201, destination port 40000
            00 00 00 01   # sequence number 1
            00 00 00 01   # acknowledgment number 1
            50 18 ff ff   # data offset 5, ACK PSH, window 65535
            ec 6a 00 00   # checksum: partial (pseudo-header sum, length 44), urgent 0
            69 73 74 68   # payload "isthmus!" three times
            6d 75 73 21
            69 73 74 68
            6d 75 73 21
            69 73 74 68
            6d 75 73 21
            """;

    /** {@link #TCP4_SUPER} translated: RFC 7915 §4.1 header, §4.5 checksum (still partial). */
    static final String TCP4_SUPER_OUT = """
            01 04 3c 00   # virtio: NEEDS_CSUM, gso TCPV6, hdr_len 60
            08 00 28 00   # gso_size 8, csum_start 40
            10 00         # csum_offset 16
            60 00 00 00   # IPv6, traffic class 0 (the TOS), flow label 0
            00 2c 06 3f   # payload length 44, next header TCP, hop limit 63
            20 01 0d b8   # source 2001:db8:64::c633:6402
            00 64 00 00
            00 00 00 00
            c6 33 64 02
            20 01 0d b8   # destination 2001:db8:6::2
            00 06 00 00
            00 00 00 00
            00 00 00 02
            14 51 9c 40   # TCP source port 5201, destination port 40000
            00 00 00 01   # sequence number 1
            00 00 00 01   # acknowledgment number 1
            50 18 ff ff   # data offset 5, ACK PSH, window 65535
            86 46 00 00   # checksum: partial, the IPv6 pseudo-header sum
            69 73 74 68   # payload
            6d 75 73 21
            69 73 74 68
            6d 75 73 21
            69 73 74 68
            6d 75 73 21
            """;

    /** UDP 6→4 with a partial checksum and no segmentation (NEEDS_CSUM only). */
    static final String UDP6_PARTIAL = """
            01 00 00 00   # virtio: NEEDS_CSUM, gso NONE, hdr_len 0
            00 00 28 00   # gso_size 0, csum_start 40
            06 00         # csum_offset 6
            60 00 00 00   # IPv6
            00 10 11 40   # payload length 16, next header UDP, hop limit 64
            20 01 0d b8   # source 2001:db8:6::2
            00 06 00 00
            00 00 00 00
            00 00 00 02
            20 01 0d b8   # destination 2001:db8:64::c633:6402
            00 64 00 00
            00 00 00 00
            c6 33 64 02
            9c 40 00 09   # UDP source port 40000, destination port 9
            00 10 86 35   # length 16, checksum: partial (pseudo-header sum)
            69 73 74 68   # payload "isthmus!"
            6d 75 73 21
            """;

    static XlatSettings settings(int ipv6Mtu) {
        return new XlatSettings(Rfc6052Prefix.parse("2001:db8:64::/96"),
                new EamTable(List.of(EamTable.Eam.parse("192.0.2.2/32", "2001:db8:6::2/128"))),
                Ipv4Pool.empty(), null, -1, -1, false, 1280, null, 1500, ipv6Mtu,
                XlatSettings.IPV4_DUMMY_ADDRESS, Ipv6Address.parse("2001:db8:64::c000:8"),
                XlatSettings.HairpinMode.OFF, true, 0);
    }

    static byte[] hex(String text) {
        return HexText.hex(text);
    }

    /** One worker's path: header + packet in, header + packet per output. */
    static final class Harness {
        final Translator translator;
        final XlatCounters counters = new XlatCounters();
        final Offload offload = new Offload();
        final PacketBuffer pkt = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        final List<byte[]> outputs = new ArrayList<>();
        int accepted;

        Harness(int ipv6Mtu) {
            translator = new Translator(settings(ipv6Mtu), counters, NanoClock.SYSTEM);
        }

        Verdict run(byte[] withHeader) {
            MemorySegment s = pkt.segment();
            int at = PacketBuffer.HEADROOM - VirtioNetHeader.SIZE;
            MemorySegment.copy(withHeader, 0, s, ValueLayout.JAVA_BYTE, at, withHeader.length);
            int len = withHeader.length - VirtioNetHeader.SIZE;
            pkt.set(PacketBuffer.HEADROOM, len);
            accepted = VirtioNetHeader.accept(s, at, PacketBuffer.HEADROOM, len, offload);
            if (accepted < 0) {
                return null;
            }
            return translator.translate(pkt, (seg, off, l) -> {
                MemorySegment h = MemorySegment.ofArray(new byte[VirtioNetHeader.SIZE]);
                VirtioNetHeader.forOutput(h, 0, seg, off, l, offload, accepted);
                byte[] b = new byte[VirtioNetHeader.SIZE + l];
                MemorySegment.copy(h, 0, MemorySegment.ofArray(b), 0, VirtioNetHeader.SIZE);
                MemorySegment.copy(seg, off, MemorySegment.ofArray(b), VirtioNetHeader.SIZE, l);
                outputs.add(b);
            }, offload);
        }
    }

    /**
     * Completes the partial checksum of {@code out} (virtio header + packet) as the kernel does
     * for NEEDS_CSUM, then verifies it against the packet's own pseudo-header.
     */
    static void assertCompletedChecksumVerifies(byte[] out) {
        MemorySegment s = MemorySegment.ofArray(out);
        int p = VirtioNetHeader.SIZE;
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(s, 0) & VirtioNetHeader.F_NEEDS_CSUM);
        int start = VirtioNetHeader.csumStart(s, 0);
        int field = VirtioNetHeader.csumOffset(s, 0);
        int l4 = p + start;
        int l4Length = out.length - l4;
        BigEndian.set16(s, l4 + field, Checksum.finish(Checksum.add(s, l4, l4Length, 0)));
        long pseudo;
        if (BigEndian.u8(s, p) >>> 4 == 4) {
            pseudo = Checksum.ipv4Pseudo(BigEndian.u32(s, p + 12), BigEndian.u32(s, p + 16), BigEndian.u8(s, p + 9),
                    l4Length);
        } else {
            pseudo = Checksum.ipv6Pseudo(BigEndian.u64(s, p + 8), BigEndian.u64(s, p + 16), BigEndian.u64(s, p + 24),
                    BigEndian.u64(s, p + 32), BigEndian.u8(s, p + 6), l4Length);
        }
        assertTrue(Checksum.verifies(Checksum.add(s, l4, l4Length, pseudo)), "completed checksum must verify");
    }

    @Test
    void headerFieldsAreLittleEndian() {
        MemorySegment s = MemorySegment.ofArray(hex("01 04 3c 00 08 00 28 00 10 00"));
        assertEquals(1, VirtioNetHeader.flags(s, 0));
        assertEquals(VirtioNetHeader.GSO_TCPV6, VirtioNetHeader.gsoType(s, 0));
        assertEquals(60, VirtioNetHeader.hdrLen(s, 0));
        assertEquals(8, VirtioNetHeader.gsoSize(s, 0));
        assertEquals(40, VirtioNetHeader.csumStart(s, 0));
        assertEquals(16, VirtioNetHeader.csumOffset(s, 0));
        MemorySegment w = MemorySegment.ofArray(new byte[10]);
        w.fill((byte) 0x55);
        VirtioNetHeader.write(w, 0, 1, VirtioNetHeader.GSO_TCPV6, 60, 8, 40, 16);
        assertArrayEquals(s.toArray(ValueLayout.JAVA_BYTE), w.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void tcpSuperPacket64KeepsSegmentationAndAPartialChecksum() {
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(hex(TCP6_SUPER)));
        assertEquals(1, h.outputs.size());
        byte[] out = h.outputs.getFirst();
        MemorySegment s = MemorySegment.ofArray(out);
        // virtio: TCPV4, hdr_len and csum_start 20 shorter, same gso_size.
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(s, 0));
        assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(s, 0));
        assertEquals(40, VirtioNetHeader.hdrLen(s, 0));
        assertEquals(8, VirtioNetHeader.gsoSize(s, 0));
        assertEquals(20, VirtioNetHeader.csumStart(s, 0));
        assertEquals(16, VirtioNetHeader.csumOffset(s, 0));
        int p = VirtioNetHeader.SIZE;
        assertEquals(0x45, BigEndian.u8(s, p));
        assertEquals(64, BigEndian.u16(s, p + 2), "total length");
        // RFC 7915 §5.1: DF from the size of one segment (48 bytes ≤ 1260), not the super-packet.
        assertEquals(0, BigEndian.u16(s, p + 6) & 0x4000);
        assertEquals(0xc0000202, BigEndian.u32(s, p + 12));
        assertEquals(0xc6336402, BigEndian.u32(s, p + 16));
        assertTrue(Checksum.verifies(Checksum.add(s, p, 20, 0)), "IPv4 header checksum");
        // The partial sum is now the IPv4 pseudo-header's (RFC 9293 §3.1), uncomplemented.
        assertEquals(0xec6a, BigEndian.u16(s, p + 20 + 16));
        assertCompletedChecksumVerifies(out);
    }

    @Test
    void tcpSuperPacket46KeepsSegmentationAndAPartialChecksum() {
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(hex(TCP4_SUPER)));
        assertEquals(1, h.outputs.size());
        assertEquals(HexFormat.of().formatHex(hex(TCP4_SUPER_OUT)), HexFormat.of().formatHex(h.outputs.getFirst()));
        assertCompletedChecksumVerifies(h.outputs.getFirst());
    }

    @Test
    void tcpSegmentsThatWouldExceedTheIpv6MtuAreCutSmaller() {
        // gso_size 1460: IPv4 segments of 1500 bytes become 1520 in IPv6; with ipv6-mtu 1500 the
        // super-packet is cut into segments of 1500 - 40 - 20 = 1440 bytes instead of the
        // Fragmentation Needed one 1500-byte DF packet would get.
        byte[] in = hex(TCP4_SUPER);
        in[4] = (byte) 0xb4; // gso_size 1460 = 0x05b4, little-endian
        in[5] = 0x05;
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(in));
        MemorySegment s = MemorySegment.ofArray(h.outputs.getFirst());
        assertEquals(1440, VirtioNetHeader.gsoSize(s, 0));
        assertEquals(VirtioNetHeader.GSO_TCPV6, VirtioNetHeader.gsoType(s, 0));
        assertCompletedChecksumVerifies(h.outputs.getFirst());
    }

    @Test
    void ecnBitOfTheSegmentationTypeIsCarried() {
        byte[] in = hex(TCP6_SUPER);
        in[1] = (byte) (VirtioNetHeader.GSO_TCPV6 | VirtioNetHeader.GSO_ECN);
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(in));
        assertEquals(VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN,
                VirtioNetHeader.gsoType(MemorySegment.ofArray(h.outputs.getFirst()), 0));
    }

    @Test
    void udpPartialChecksumWithoutSegmentation() {
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(hex(UDP6_PARTIAL)));
        byte[] out = h.outputs.getFirst();
        MemorySegment s = MemorySegment.ofArray(out);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(s, 0));
        assertEquals(VirtioNetHeader.GSO_NONE, VirtioNetHeader.gsoType(s, 0));
        assertEquals(20, VirtioNetHeader.csumStart(s, 0));
        assertEquals(6, VirtioNetHeader.csumOffset(s, 0));
        assertEquals(0xec59, BigEndian.u16(s, VirtioNetHeader.SIZE + 20 + 6));
        assertCompletedChecksumVerifies(out);
    }

    @Test
    void udpSuperPacketKeepsItsDatagramSize() {
        byte[] in = hex(UDP6_PARTIAL);
        in[1] = VirtioNetHeader.GSO_UDP_L4; // USO: datagrams of 4 payload bytes
        in[4] = 4;
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(in));
        MemorySegment s = MemorySegment.ofArray(h.outputs.getFirst());
        assertEquals(VirtioNetHeader.GSO_UDP_L4, VirtioNetHeader.gsoType(s, 0));
        assertEquals(4, VirtioNetHeader.gsoSize(s, 0));
        assertEquals(28, VirtioNetHeader.hdrLen(s, 0));
        assertCompletedChecksumVerifies(h.outputs.getFirst());
    }

    @Test
    void udpSuperPacketWhoseDatagramsDoNotFitIsRefusedNotResized() {
        // RFC 7915 §5.1 / §1.4 applied to one datagram of the super-packet: 20 + 8 + 1500 > the
        // IPv4 MTU 1500, and UDP datagram boundaries must not move: Packet Too Big (type 2).
        byte[] in = hex(UDP6_PARTIAL);
        in[1] = VirtioNetHeader.GSO_UDP_L4;
        in[4] = (byte) 0xdc; // gso_size 1500 = 0x05dc
        in[5] = 0x05;
        Harness h = new Harness(1500);
        assertEquals(Verdict.ICMP_ERROR, h.run(in));
        MemorySegment s = MemorySegment.ofArray(h.outputs.getFirst());
        assertEquals(0, VirtioNetHeader.flags(s, 0), "an originated error carries no offload");
        assertEquals(IpProtocol.ICMPV6, BigEndian.u8(s, VirtioNetHeader.SIZE + 6));
        assertEquals(2, BigEndian.u8(s, VirtioNetHeader.SIZE + 40));
    }

    @Test
    void partialChecksumIsCompletedBeforeFragmenting() {
        // UDP 4→6, DF clear, 1300 bytes: larger than lowest-ipv6-mtu 1280, so RFC 7915 §4.1
        // fragments it; fragments cannot carry a partial checksum, so it is completed first.
        int payload = 1300 - 28;
        byte[] in = new byte[VirtioNetHeader.SIZE + 1300];
        MemorySegment s = MemorySegment.ofArray(in);
        VirtioNetHeader.write(s, 0, VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 20, 6);
        int p = VirtioNetHeader.SIZE;
        BigEndian.set32(s, p, 0x4500_0000 | 1300);
        BigEndian.set32(s, p + 4, 0x1234_0000);
        BigEndian.set32(s, p + 8, 0x4011_0000);
        BigEndian.set32(s, p + 12, 0xc6336402);
        BigEndian.set32(s, p + 16, 0xc0000202);
        BigEndian.set16(s, p + 10, Checksum.finish(Checksum.add(s, p, 20, 0)));
        BigEndian.set32(s, p + 20, 0x1451_9c40);
        BigEndian.set16(s, p + 24, 8 + payload);
        for (int i = 0; i < payload; i++) {
            BigEndian.set8(s, p + 28 + i, i);
        }
        BigEndian.set16(s, p + 26, Checksum.fold(Checksum.ipv4Pseudo(0xc6336402, 0xc0000202, IpProtocol.UDP, 8 + payload)));
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(in));
        assertEquals(2, h.outputs.size());
        MemorySegment first = MemorySegment.ofArray(h.outputs.getFirst());
        assertEquals(0, VirtioNetHeader.flags(first, 0), "a fragment has no offload");
        // Reassemble the UDP datagram from the two fragments and verify its checksum.
        byte[] udp = new byte[8 + payload];
        int at = 0;
        for (byte[] f : h.outputs) {
            int data = f.length - VirtioNetHeader.SIZE - 48;
            System.arraycopy(f, VirtioNetHeader.SIZE + 48, udp, at, data);
            at += data;
        }
        assertEquals(udp.length, at);
        MemorySegment u = MemorySegment.ofArray(udp);
        long pseudo = Checksum.ipv6Pseudo(BigEndian.u64(first, 18), BigEndian.u64(first, 26),
                BigEndian.u64(first, 34), BigEndian.u64(first, 42), IpProtocol.UDP, udp.length);
        assertTrue(Checksum.verifies(Checksum.add(u, 0, udp.length, pseudo)));
    }

    @Test
    void checksumRequestOutsideTcpUdpIsCompletedInSoftware() {
        // ICMPv6 Echo Request with NEEDS_CSUM at offset 2: the field holds the pseudo-header sum.
        byte[] in = new byte[VirtioNetHeader.SIZE + 40 + 16];
        MemorySegment s = MemorySegment.ofArray(in);
        VirtioNetHeader.write(s, 0, VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 40, 2);
        int p = VirtioNetHeader.SIZE;
        BigEndian.set32(s, p, 0x6000_0000);
        BigEndian.set32(s, p + 4, 16 << 16 | IpProtocol.ICMPV6 << 8 | 64);
        BigEndian.set64(s, p + 8, 0x20010db800060000L);
        BigEndian.set64(s, p + 16, 2);
        BigEndian.set64(s, p + 24, 0x20010db800640000L);
        BigEndian.set64(s, p + 32, 0xc6336402L);
        BigEndian.set32(s, p + 40, 128 << 24);
        BigEndian.set32(s, p + 44, 0x0001_0001);
        BigEndian.set64(s, p + 48, 0x6973746d75732121L);
        BigEndian.set16(s, p + 42, Checksum.fold(Checksum.ipv6Pseudo(0x20010db800060000L, 2, 0x20010db800640000L,
                0xc6336402L, IpProtocol.ICMPV6, 16)));
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(in));
        byte[] out = h.outputs.getFirst();
        MemorySegment o = MemorySegment.ofArray(out);
        assertEquals(0, VirtioNetHeader.flags(o, 0));
        assertTrue(Checksum.verifies(Checksum.add(o, p + 20, 16, 0)), "ICMPv4 checksum (no pseudo-header)");
    }

    @Test
    void segmentationTypeThatDoesNotMatchThePacketIsRefused() {
        byte[] in = hex(TCP6_SUPER);
        in[1] = VirtioNetHeader.GSO_TCPV4;
        Harness h = new Harness(1500);
        assertEquals(null, h.run(in));
        assertEquals(VirtioNetHeader.REFUSE, h.accepted);
        in[1] = VirtioNetHeader.GSO_UDP; // UFO is never offered
        assertEquals(null, h.run(in));
    }

    @Test
    void packetWithoutOffloadGetsAZeroHeader() {
        byte[] in = hex(UDP6_PARTIAL);
        in[0] = 0; // no NEEDS_CSUM: the checksum must then be complete
        MemorySegment s = MemorySegment.ofArray(in);
        int l4 = VirtioNetHeader.SIZE + 40;
        BigEndian.set16(s, l4 + 6, 0);
        long pseudo = Checksum.ipv6Pseudo(0x20010db800060000L, 2, 0x20010db800640000L, 0xc6336402L, IpProtocol.UDP, 16);
        BigEndian.set16(s, l4 + 6, Checksum.finish(Checksum.add(s, l4, 16, pseudo)));
        Harness h = new Harness(1500);
        assertEquals(Verdict.TRANSLATED, h.run(in));
        MemorySegment o = MemorySegment.ofArray(h.outputs.getFirst());
        assertArrayEquals(new byte[10], o.asSlice(0, 10).toArray(ValueLayout.JAVA_BYTE));
        int p = VirtioNetHeader.SIZE;
        assertTrue(Checksum.verifies(Checksum.add(o, p + 20, 16, Checksum.ipv4Pseudo(0xc0000202, 0xc6336402,
                IpProtocol.UDP, 16))));
    }
}
