package dev.isthmus.dataplane;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Joins consecutive translated UDP datagrams of one flow into one UDP super-packet
 * ({@code VIRTIO_NET_HDR_GSO_UDP_L4}, Linux's UDP segmentation offload), so that a burst costs one
 * TUN write and one trip through the kernel's forwarding instead of one per datagram. The kernel
 * cuts it back into the same datagrams at the last moment (or hands it whole to a device that
 * segments in hardware); each segment gets the first datagram's headers with its own length and
 * checksum, which is exactly what the datagrams had. This is the write half of what Linux's UDP
 * GRO does for a receiver.
 *
 * <p>A datagram joins the pending super-packet only when nothing but its payload would differ:
 * IPv4 without options and unfragmented, or IPv6 with UDP as the next header; same addresses,
 * ports, TOS/Traffic Class, flow label, TTL/Hop Limit and DF; a payload of the first one's size
 * (the last may be shorter, and closes the super-packet). IPv4 Identification is the one field
 * that changes: the kernel numbers the segments up from the first datagram's value, as it does for
 * its own UDP GSO, which keeps the values of one burst distinct (the uniqueness RFC 6864 asks of
 * datagrams that may be fragmented; datagrams with DF = 0 here are at most 1260 bytes, RFC 7915
 * §5.1).
 *
 * <p>The super-packet's checksum is left to the kernel (a partial sum, {@code NEEDS_CSUM}), so a
 * datagram whose own checksum is wrong must never join — it would arrive repaired. Datagrams the
 * kernel already checked or asked us to leave partial are taken as they are; any other is
 * verified first (RFC 768 with the pseudo-header, RFC 8200 §8.1).
 *
 * <p>One per worker; the buffer holds the virtio-net header and the packet behind it so that a
 * flush is one {@code write}. Nothing is allocated after construction.
 */
final class UdpCoalescer {
    /** The kernel refuses UDP super-packets of more segments than this (UDP_MAX_SEGMENTS is 64 or more). */
    static final int MAX_SEGMENTS = 64;
    /** IPv4 Total Length and IPv6 Payload Length are 16 bits; we keep the whole packet under both. */
    static final int MAX_LENGTH = 65_535;

    /** Where the packet starts in {@link #buffer}, behind the virtio-net header. */
    private static final int PKT = VirtioNetHeader.SIZE;

    private final MemorySegment buffer;

    /** The UDP header offset of the datagram {@link #coalescable} accepted last. */
    private int offered;
    private int length;
    private int l4;
    private int version;
    private int segmentSize;
    private int segments;
    private boolean closed;
    private boolean partial;
    private long coalesced;

    UdpCoalescer(Arena arena) {
        buffer = arena.allocate(PKT + MAX_LENGTH, 8);
    }

    /** True when datagrams are waiting for {@link #seal}. */
    boolean pending() {
        return segments > 0;
    }

    /** Datagrams that left inside a super-packet of two or more, since construction. */
    long coalesced() {
        return coalesced;
    }

    /**
     * Offers one translated packet. Returns false when it is not a UDP datagram this can carry
     * (the caller then flushes what is pending and writes the packet itself, keeping the order).
     * Returns true when it was taken; the caller must {@link #seal} and write first when
     * {@link #mustFlushBefore} said so, and after taking it when {@link #full()}.
     *
     * @param trusted the packet's UDP checksum is known good or partial (see the class comment)
     * @param partialSum its checksum field holds only the pseudo-header sum (Linux CHECKSUM_PARTIAL)
     */
    boolean coalescable(MemorySegment s, int off, int len, boolean trusted, boolean partialSum) {
        int u = udpOffset(s, off, len);
        if (u < 0 || len - u - 8 <= 0 || BigEndian.u16(s, off + u + 4) != len - u
                || !(trusted || partialSum || checksumHolds(s, off, len, u))) {
            return false;
        }
        offered = u;
        return true;
    }

    /** True when the pending super-packet cannot take the datagram {@link #coalescable} just accepted. */
    boolean mustFlushBefore(MemorySegment s, int off, int len) {
        if (segments == 0) {
            return false;
        }
        int payload = len - offered - 8;
        return closed || segments == MAX_SEGMENTS || offered != l4 || payload > segmentSize
                || length + payload > MAX_LENGTH || !sameFlow(s, off);
    }

    /** Takes the datagram {@link #coalescable} just accepted, after {@link #mustFlushBefore} was answered. */
    void add(MemorySegment s, int off, int len, boolean partialSum) {
        if (segments == 0) {
            MemorySegment.copy(s, off, buffer, PKT, len);
            length = len;
            l4 = offered;
            version = BigEndian.u8(s, off) >>> 4;
            segmentSize = len - l4 - 8;
            partial = partialSum;
            closed = false;
        } else {
            int payload = len - l4 - 8;
            MemorySegment.copy(s, off + l4 + 8, buffer, PKT + length, payload);
            length += payload;
            closed = payload < segmentSize;
        }
        segments++;
    }

    /** True when the pending super-packet takes no more datagrams. */
    boolean full() {
        return closed || segments == MAX_SEGMENTS || length + segmentSize > MAX_LENGTH;
    }

    /** The address of the header + packet that {@link #seal} prepared. */
    long address() {
        return buffer.address();
    }

    /**
     * Finishes the pending packet (lengths, IPv4 header checksum, the partial UDP sum, the
     * virtio-net header) and returns the number of bytes to write from {@link #address()}; the
     * coalescer is empty afterwards.
     */
    int seal() {
        int n = segments;
        segments = 0;
        if (n == 1) {
            // A lone datagram leaves as it came, with or without its partial sum.
            VirtioNetHeader.write(buffer, 0, partial ? VirtioNetHeader.F_NEEDS_CSUM : 0, VirtioNetHeader.GSO_NONE,
                    0, 0, partial ? l4 : 0, partial ? 6 : 0);
            return PKT + length;
        }
        coalesced += n;
        int udpLength = length - l4;
        if (version == 4) {
            BigEndian.set16(buffer, PKT + 2, length);
            BigEndian.set16(buffer, PKT + 10, 0);
            BigEndian.set16(buffer, PKT + 10, Checksum.finish(Checksum.add(buffer, PKT, 20, 0)));
        } else {
            BigEndian.set16(buffer, PKT + 4, length - 40);
        }
        BigEndian.set16(buffer, PKT + l4 + 4, udpLength);
        // CHECKSUM_PARTIAL: the field holds the folded, uncomplemented pseudo-header sum; the kernel
        // rewrites it per segment for the segment's length and completes it over the segment.
        BigEndian.set16(buffer, PKT + l4 + 6, Checksum.fold(pseudoHeaderSum(buffer, PKT, udpLength)));
        VirtioNetHeader.write(buffer, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, l4 + 8,
                segmentSize, l4, 6);
        return PKT + length;
    }

    /** The offset of the UDP header of a datagram this can carry, or -1. */
    private static int udpOffset(MemorySegment s, int off, int len) {
        if (len < 28) {
            return -1;
        }
        int first = BigEndian.u8(s, off);
        if (first == 0x45) {
            // No options, not a fragment (MF clear, offset 0), UDP, Total Length = what we have.
            return (BigEndian.u16(s, off + 6) & 0x3fff) == 0 && BigEndian.u8(s, off + 9) == IpProtocol.UDP
                    && BigEndian.u16(s, off + 2) == len ? 20 : -1;
        }
        if (first >>> 4 == 6 && len >= 48) {
            return BigEndian.u8(s, off + 6) == IpProtocol.UDP && BigEndian.u16(s, off + 4) == len - 40 ? 40 : -1;
        }
        return -1;
    }

    /** Compares every header field but the lengths, IPv4 ID and the checksums with the pending first datagram. */
    private boolean sameFlow(MemorySegment s, int off) {
        if (BigEndian.u8(s, off) >>> 4 != version) {
            return false;
        }
        if (version == 4) {
            return BigEndian.u16(s, off) == BigEndian.u16(buffer, PKT)                 // version, IHL, TOS
                    && BigEndian.u32(s, off + 6) == BigEndian.u32(buffer, PKT + 6)     // flags, TTL, protocol (ID and offset: 0)
                    && BigEndian.u64(s, off + 12) == BigEndian.u64(buffer, PKT + 12)   // source, destination
                    && BigEndian.u32(s, off + 20) == BigEndian.u32(buffer, PKT + 20);  // ports
        }
        return BigEndian.u32(s, off) == BigEndian.u32(buffer, PKT)                     // version, traffic class, flow label
                && BigEndian.u16(s, off + 6) == BigEndian.u16(buffer, PKT + 6)         // next header, hop limit
                && BigEndian.u64(s, off + 8) == BigEndian.u64(buffer, PKT + 8)
                && BigEndian.u64(s, off + 16) == BigEndian.u64(buffer, PKT + 16)
                && BigEndian.u64(s, off + 24) == BigEndian.u64(buffer, PKT + 24)
                && BigEndian.u64(s, off + 32) == BigEndian.u64(buffer, PKT + 32)
                && BigEndian.u32(s, off + 40) == BigEndian.u32(buffer, PKT + 40);
    }

    /** The pseudo-header sum (RFC 768; RFC 8200 §8.1), unfolded, for a UDP length. */
    private static long pseudoHeaderSum(MemorySegment s, int off, int udpLength) {
        boolean v4 = BigEndian.u8(s, off) >>> 4 == 4;
        long sum = v4 ? Checksum.add(s, off + 12, 8, 0) : Checksum.add(s, off + 8, 32, 0);
        return sum + IpProtocol.UDP + udpLength;
    }

    /** True when a complete UDP checksum verifies (a zero checksum over IPv4 means none, RFC 768). */
    private static boolean checksumHolds(MemorySegment s, int off, int len, int u) {
        if (BigEndian.u16(s, off + u + 6) == 0) {
            return u == 20;
        }
        return Checksum.verifies(Checksum.add(s, off + u, len - u, pseudoHeaderSum(s, off, len - u)));
    }
}
