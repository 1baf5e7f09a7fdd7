package dev.isthmus.dataplane;

import static dev.isthmus.wire.HexText.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.xlat.Offload;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Coalescing of translated UDP datagrams into one UDP super-packet (virtio-net GSO_UDP_L4). The
 * expected bytes were computed outside the code under test (RFC 1071 sums over RFC 768
 * pseudo-headers). Every test that coalesces also cuts the super-packet back as the kernel does
 * ({@code __udp_gso_segment}: the first datagram's headers for each segment, its own lengths, the
 * partial sum adjusted for the segment's length and completed over it) and checks that the
 * datagrams that come out are the ones that went in.
 */
class UdpCoalescerTest {
    private final Arena arena = Arena.ofConfined();
    private final UdpCoalescer coalescer = new UdpCoalescer(arena);

    // Three datagrams 192.0.2.2:1000 → 198.51.100.2:9, TTL 64, DF = 0, payloads "AAAA", "BBBB", "CC",
    // IDs 0x1234, 0x5678, 0x9abc, valid checksums.
    static final String A = """
            45 00 00 20   # IPv4, IHL 5, TOS 0, total length 32
            12 34 00 00   # ID 0x1234, no flags, offset 0
            40 11 7c 61   # TTL 64, UDP, header checksum
            c0 00 02 02   # 192.0.2.2
            c6 33 64 02   # 198.51.100.2
            03 e8 00 09   # ports 1000 → 9
            00 0c 8d 2a   # UDP length 12, checksum
            41 41 41 41   # "AAAA"
            """;
    static final String B = """
            45 00 00 20   56 78 00 00   40 11 38 1d   c0 00 02 02   c6 33 64 02
            03 e8 00 09   00 0c 8b 28   42 42 42 42
            """;
    static final String C = """
            45 00 00 1e   9a bc 00 00   40 11 f3 da   c0 00 02 02   c6 33 64 02
            03 e8 00 09   00 0a cc 6d   43 43
            """;

    /** The super-packet: A's headers, the three payloads, lengths for all, partial UDP sum. */
    static final String SUPER = """
            01 05 1c 00   # virtio: NEEDS_CSUM, GSO_UDP_L4, hdr_len 28 (little-endian)
            04 00 14 00   # gso_size 4, csum_start 20
            06 00         # csum_offset 6
            45 00 00 26   # total length 38 = 20 + 8 + 10
            12 34 00 00   # the first datagram's ID
            40 11 7c 5b   # header checksum for the new length
            c0 00 02 02
            c6 33 64 02
            03 e8 00 09
            00 12 ec 5b   # UDP length 18; the folded pseudo-header sum (src, dst, 17, 18), uncomplemented
            41 41 41 41
            42 42 42 42
            43 43
            """;

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void threeDatagramsOfOneFlowBecomeOneSuperPacket() {
        for (String d : List.of(A, B, C)) {
            offer(hex(d), false);
        }
        assertTrue(coalescer.full(), "a shorter datagram closes the super-packet");
        assertArrayEquals(hex(SUPER), sealed());
        assertEquals(3, coalescer.coalesced());
        assertFalse(coalescer.pending());
    }

    @Test
    void theKernelsSegmentationGivesBackTheDatagrams() {
        List<byte[]> in = List.of(hex(A), hex(B), hex(C));
        in.forEach(d -> offer(d, false));
        List<byte[]> out = segment(sealed());
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(withoutIdentification(in.get(i)), withoutIdentification(out.get(i)), "datagram " + i);
        }
    }

    @Test
    void aLoneDatagramLeavesUnchangedWithoutSegmentation() {
        offer(hex(A), false);
        byte[] written = sealed();
        assertArrayEquals(new byte[VirtioNetHeader.SIZE], Arrays.copyOf(written, VirtioNetHeader.SIZE));
        assertArrayEquals(hex(A), Arrays.copyOfRange(written, VirtioNetHeader.SIZE, written.length));
        assertEquals(0, coalescer.coalesced());
    }

    @Test
    void aLonePartialDatagramKeepsItsChecksumRequest() {
        byte[] a = hex(A);
        offer(a, true);
        byte[] written = sealed();
        // NEEDS_CSUM, no GSO, csum_start 20, csum_offset 6.
        assertArrayEquals(hex("01 00 00 00 00 00 14 00 06 00"), Arrays.copyOf(written, VirtioNetHeader.SIZE));
    }

    @Test
    void anotherFlowOrALargerPayloadFlushesFirst() {
        offer(hex(A), false);
        byte[] otherPort = hex(B);
        otherPort[20 + 1] = 10; // source port 1010: a different flow (checksum now wrong, but trusted here)
        assertTrue(flushesBefore(otherPort));
        byte[] otherTtl = hex(B);
        otherTtl[8] = 63;
        assertTrue(flushesBefore(otherTtl));
        byte[] larger = dgram4(6, 1);
        assertTrue(flushesBefore(larger));
        byte[] same = hex(B);
        assertFalse(flushesBefore(same));
    }

    @Test
    void aWrongChecksumNeverJoinsUnlessTheKernelVouchedForIt() {
        byte[] bad = hex(B);
        bad[27] ^= 1; // one payload bit: the UDP checksum no longer verifies
        MemorySegment s = MemorySegment.ofArray(bad);
        assertFalse(coalescer.coalescable(s, 0, bad.length, false, false));
        assertTrue(coalescer.coalescable(s, 0, bad.length, true, false), "DATA_VALID from the kernel");
        byte[] zero = hex(B);
        zero[26] = 0;
        zero[27] = 0;
        assertTrue(coalescer.coalescable(MemorySegment.ofArray(zero), 0, zero.length, false, false),
                "IPv4 UDP without a checksum (RFC 768) has nothing to repair");
    }

    @Test
    void fragmentsOptionsAndOtherProtocolsAreNotCoalescable() {
        byte[] mf = hex(A);
        mf[6] = 0x20; // MF
        byte[] options = hex(A);
        options[0] = 0x46;
        byte[] tcp = hex(A);
        tcp[9] = 6;
        byte[] empty = dgram4(0, 1);
        for (byte[] p : List.of(mf, options, tcp, empty)) {
            assertFalse(coalescer.coalescable(MemorySegment.ofArray(p), 0, p.length, true, false), HexFormat.of().formatHex(p));
        }
    }

    @Test
    void ipv6DatagramsCoalesceAndComeBackIntact() {
        List<byte[]> in = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            in.add(dgram6(i < 4 ? 100 : 37, i));
        }
        in.forEach(d -> offer(d, false));
        byte[] written = sealed();
        assertEquals(VirtioNetHeader.GSO_UDP_L4, written[1]);
        assertEquals(40 + 8 + 437, BigEndian.u16(MemorySegment.ofArray(written), VirtioNetHeader.SIZE + 4) + 40);
        List<byte[]> out = segment(written);
        assertEquals(5, out.size());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(in.get(i), out.get(i), "datagram " + i);
        }
    }

    @Test
    void aSuperPacketStopsAtTheSegmentLimit() {
        for (int i = 0; i < UdpCoalescer.MAX_SEGMENTS; i++) {
            assertFalse(coalescer.full());
            offer(dgram4(16, i), false);
        }
        assertTrue(coalescer.full());
        assertEquals(UdpCoalescer.MAX_SEGMENTS, segment(sealed()).size());
    }

    /** The worker's write path allocates nothing per datagram (checked as the xlat hot paths are). */
    @Test
    void coalescingAndTheVirtioHeaderAllocateNothing() {
        byte[] d = dgram4(100, 1);
        MemorySegment s = arena.allocate(d.length + 16);
        MemorySegment.copy(MemorySegment.ofArray(d), 0, s, 16, d.length);
        MemorySegment header = arena.allocate(VirtioNetHeader.SIZE);
        Offload offload = new Offload();
        Runnable work = () -> {
            for (int i = 0; i < 20_000; i++) {
                VirtioNetHeader.accept(s, 0, 16, d.length, offload);
                VirtioNetHeader.forOutput(header, 0, s, 16, d.length, offload, 0);
                if (coalescer.coalescable(s, 16, d.length, false, false) && coalescer.mustFlushBefore(s, 16, d.length)) {
                    coalescer.seal();
                }
                coalescer.add(s, 16, d.length, false);
                if (coalescer.full()) {
                    coalescer.seal();
                }
            }
        };
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        work.run();
        work.run();
        long before = threads.getCurrentThreadAllocatedBytes();
        work.run();
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(bytes < 4096, bytes + " bytes allocated for 20,000 datagrams");
        assertTrue(coalescer.coalesced() > 0);
    }

    @Property(tries = 200)
    void segmentationRestoresEveryDatagram(@ForAll @IntRange(min = 1, max = 1472) int size,
            @ForAll @IntRange(min = 2, max = 64) int count, @ForAll @IntRange(min = 0, max = 1471) int lastCut,
            @ForAll boolean ipv6) {
        try (Arena a = Arena.ofConfined()) {
            UdpCoalescer c = new UdpCoalescer(a);
            List<byte[]> in = new ArrayList<>();
            List<byte[]> written = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int payload = i == count - 1 ? Math.max(1, size - lastCut % size) : size;
                byte[] d = ipv6 ? dgram6(payload, i) : dgram4(payload, i);
                MemorySegment s = MemorySegment.ofArray(d);
                assertTrue(c.coalescable(s, 0, d.length, false, false));
                if (c.mustFlushBefore(s, 0, d.length)) {
                    written.add(seal(c));
                }
                c.add(s, 0, d.length, false);
                in.add(d);
                if (c.full()) {
                    written.add(seal(c));
                }
            }
            if (c.pending()) {
                written.add(seal(c));
            }
            List<byte[]> out = new ArrayList<>();
            for (byte[] w : written) {
                assertTrue(w.length - VirtioNetHeader.SIZE <= UdpCoalescer.MAX_LENGTH);
                out.addAll(segment(w));
            }
            assertEquals(in.size(), out.size());
            for (int i = 0; i < in.size(); i++) {
                assertArrayEquals(withoutIdentification(in.get(i)), withoutIdentification(out.get(i)));
            }
        }
    }

    // --- helpers ---

    private void offer(byte[] d, boolean partial) {
        MemorySegment s = MemorySegment.ofArray(d);
        assertTrue(coalescer.coalescable(s, 0, d.length, false, partial));
        assertFalse(coalescer.mustFlushBefore(s, 0, d.length));
        coalescer.add(s, 0, d.length, partial);
    }

    /** {@link UdpCoalescer#mustFlushBefore} for a datagram taken as trusted (its checksum aside). */
    private boolean flushesBefore(byte[] d) {
        MemorySegment s = MemorySegment.ofArray(d);
        assertTrue(coalescer.coalescable(s, 0, d.length, true, false));
        return coalescer.mustFlushBefore(s, 0, d.length);
    }

    private byte[] sealed() {
        return seal(coalescer);
    }

    private static byte[] seal(UdpCoalescer c) {
        int n = c.seal();
        return MemorySegment.ofAddress(c.address()).reinterpret(n).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Cuts what was written (virtio header + packet) into the datagrams the kernel makes of it; a
     * packet without GSO comes back as it is.
     */
    static List<byte[]> segment(byte[] written) {
        MemorySegment w = MemorySegment.ofArray(written);
        byte[] pkt = Arrays.copyOfRange(written, VirtioNetHeader.SIZE, written.length);
        if (VirtioNetHeader.gsoType(w, 0) == VirtioNetHeader.GSO_NONE) {
            return List.of(pkt);
        }
        assertEquals(VirtioNetHeader.GSO_UDP_L4, VirtioNetHeader.gsoType(w, 0));
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(w, 0));
        int l4 = VirtioNetHeader.csumStart(w, 0);
        int gso = VirtioNetHeader.gsoSize(w, 0);
        assertEquals(l4 + 8, VirtioNetHeader.hdrLen(w, 0));
        assertEquals(6, VirtioNetHeader.csumOffset(w, 0));
        MemorySegment p = MemorySegment.ofArray(pkt);
        boolean v4 = l4 == 20;
        assertEquals(pkt.length, v4 ? BigEndian.u16(p, 2) : BigEndian.u16(p, 4) + 40);
        if (v4) {
            assertTrue(Checksum.verifies(Checksum.add(p, 0, 20, 0)), "IPv4 header checksum");
        }
        int udpLen = pkt.length - l4;
        assertEquals(udpLen, BigEndian.u16(p, l4 + 4));
        int partial = BigEndian.u16(p, l4 + 6);
        List<byte[]> out = new ArrayList<>();
        int id = v4 ? BigEndian.u16(p, 4) : 0;
        for (int at = l4 + 8; at < pkt.length; at += gso) {
            int payload = Math.min(gso, pkt.length - at);
            byte[] seg = new byte[l4 + 8 + payload];
            System.arraycopy(pkt, 0, seg, 0, l4 + 8);
            System.arraycopy(pkt, at, seg, l4 + 8, payload);
            MemorySegment s = MemorySegment.ofArray(seg);
            if (v4) {
                BigEndian.set16(s, 2, seg.length);
                BigEndian.set16(s, 4, id++ & 0xffff);
                BigEndian.set16(s, 10, 0);
                BigEndian.set16(s, 10, Checksum.finish(Checksum.add(s, 0, 20, 0)));
            } else {
                BigEndian.set16(s, 4, seg.length - 40);
            }
            BigEndian.set16(s, l4 + 4, 8 + payload);
            // csum16_add(csum16_sub(check, old len), new len), then completed over the segment.
            long adjusted = partial + (~udpLen & 0xffff) + 8 + payload;
            BigEndian.set16(s, l4 + 6, Checksum.fold(adjusted));
            int c = Checksum.finish(Checksum.add(s, l4, 8 + payload, 0));
            BigEndian.set16(s, l4 + 6, c == 0 ? 0xffff : c);
            out.add(seg);
        }
        return out;
    }

    /** IPv4 packets with the Identification and header checksum zeroed: the fields segmentation renumbers. */
    private static byte[] withoutIdentification(byte[] d) {
        byte[] c = d.clone();
        if ((c[0] & 0xf0) == 0x40) {
            c[4] = c[5] = c[10] = c[11] = 0;
        }
        return c;
    }

    static byte[] dgram4(int payload, int seed) {
        byte[] d = new byte[28 + payload];
        MemorySegment s = MemorySegment.ofArray(d);
        BigEndian.set32(s, 0, 0x4500_0000 | d.length);
        BigEndian.set32(s, 4, seed * 7919 << 16);
        BigEndian.set32(s, 8, 0x4011_0000);
        BigEndian.set32(s, 12, 0xc000_0202);
        BigEndian.set32(s, 16, 0xc633_6402);
        BigEndian.set32(s, 20, 1000 << 16 | 9);
        BigEndian.set16(s, 24, 8 + payload);
        fill(d, 28, seed);
        BigEndian.set16(s, 10, Checksum.finish(Checksum.add(s, 0, 20, 0)));
        long pseudo = Checksum.add(s, 12, 8, 0) + 17 + 8 + payload;
        int c = Checksum.finish(Checksum.add(s, 20, 8 + payload, pseudo));
        BigEndian.set16(s, 26, c == 0 ? 0xffff : c);
        return d;
    }

    static byte[] dgram6(int payload, int seed) {
        byte[] d = new byte[48 + payload];
        MemorySegment s = MemorySegment.ofArray(d);
        BigEndian.set32(s, 0, 0x6000_0000 | 0x12345);
        BigEndian.set32(s, 4, (8 + payload) << 16 | 17 << 8 | 64);
        BigEndian.set64(s, 8, 0x2001_0db8_0064_0000L);
        BigEndian.set64(s, 16, 0x0000_0000_c000_0202L);
        BigEndian.set64(s, 24, 0x2001_0db8_0006_0000L);
        BigEndian.set64(s, 32, 2);
        BigEndian.set32(s, 40, 9 << 16 | 1000);
        BigEndian.set16(s, 44, 8 + payload);
        fill(d, 48, seed);
        long pseudo = Checksum.add(s, 8, 32, 0) + 17 + 8 + payload;
        int c = Checksum.finish(Checksum.add(s, 40, 8 + payload, pseudo));
        BigEndian.set16(s, 46, c == 0 ? 0xffff : c);
        return d;
    }

    private static void fill(byte[] d, int from, int seed) {
        for (int i = from; i < d.length; i++) {
            d[i] = (byte) (seed * 31 + i * 13);
        }
    }
}
