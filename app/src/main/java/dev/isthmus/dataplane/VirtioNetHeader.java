package dev.isthmus.dataplane;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.xlat.Offload;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The virtio-net header that starts every read and write of a TUN device opened with
 * {@code IFF_VNET_HDR} (linux/virtio_net.h, struct virtio_net_hdr; Virtio 1.2 §5.1.6.1), and the
 * mapping between it and the translator's {@link Offload} facts.
 *
 * <pre>
 *  0        1          2             4              6               8               10
 *  | flags  | gso_type | hdr_len     | gso_size     | csum_start    | csum_offset   |
 * </pre>
 *
 * All 16-bit fields are in the host's byte order on a TUN device (little-endian here: a TUN
 * without TUNSETVNETLE/BE uses the native order, tuntap.rst). On this path the kernel's tx (what
 * we read) describes a packet the kernel wanted a device to checksum or segment; our write asks
 * the kernel for the same on the translated packet.
 */
final class VirtioNetHeader {
    static final int SIZE = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    static final int GSO_ECN = 0x80;

    /** {@link #accept} result: drop the packet (an offload request we cannot honour). */
    static final int REFUSE = -1;

    private static final ValueLayout.OfShort LE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VirtioNetHeader() {}

    static int flags(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    static int gsoType(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at + 1) & 0xff;
    }

    static int hdrLen(MemorySegment s, long at) {
        return s.get(LE16, at + 2) & 0xffff;
    }

    static int gsoSize(MemorySegment s, long at) {
        return s.get(LE16, at + 4) & 0xffff;
    }

    static int csumStart(MemorySegment s, long at) {
        return s.get(LE16, at + 6) & 0xffff;
    }

    static int csumOffset(MemorySegment s, long at) {
        return s.get(LE16, at + 8) & 0xffff;
    }

    static void write(MemorySegment s, long at, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
            int csumOffset) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, at + 1, (byte) gsoType);
        s.set(LE16, at + 2, (short) hdrLen);
        s.set(LE16, at + 4, (short) gsoSize);
        s.set(LE16, at + 6, (short) csumStart);
        s.set(LE16, at + 8, (short) csumOffset);
    }

    /**
     * Where an unfragmented TCP or UDP packet's transport header starts, packed with its
     * protocol and IP version ({@code version << 24 | protocol << 16 | offset}), or -1 for
     * anything else (ICMP, fragments, IPv6 extension headers, truncated).
     */
    static int transport(MemorySegment s, int off, int len) {
        if (len < 1) {
            return -1;
        }
        int version = BigEndian.u8(s, off) >>> 4;
        int l4;
        int protocol;
        if (version == 4) {
            if (len < 20) {
                return -1;
            }
            l4 = (BigEndian.u8(s, off) & 0xf) << 2;
            if (l4 < 20 || (BigEndian.u16(s, off + 6) & 0x3fff) != 0) {
                return -1;
            }
            protocol = BigEndian.u8(s, off + 9);
        } else if (version == 6) {
            l4 = 40;
            if (len < l4) {
                return -1;
            }
            protocol = BigEndian.u8(s, off + 6);
        } else {
            return -1;
        }
        if (protocol == IpProtocol.TCP ? len < l4 + 20 : protocol != IpProtocol.UDP || len < l4 + 8) {
            return -1;
        }
        return version << 24 | protocol << 16 | l4;
    }

    private static int checksumField(int protocol) {
        return protocol == IpProtocol.TCP ? 16 : 6;
    }

    /**
     * Turns the header read at {@code hdr} for the packet at {@code [pkt, pkt+len)} into
     * {@code offload} (cleared first). A checksum request the translator does not take as a
     * partial sum (not TCP/UDP at the IP header's end: ICMP, extension headers...) is completed
     * here in software, so the translator sees an ordinary packet.
     *
     * @return the ECN bit of a TCP super-packet's gso_type (0 or {@link #GSO_ECN}) to carry to the
     *     output, or {@link #REFUSE}: a segmentation request that does not describe this packet
     *     (legacy UFO, a type that does not match the IP version or protocol, a checksum not at
     *     the transport header)
     */
    static int accept(MemorySegment s, long hdr, int pkt, int len, Offload offload) {
        offload.clear();
        int flags = flags(s, hdr);
        int gsoType = gsoType(s, hdr);
        int type = gsoType & ~GSO_ECN;
        if ((flags & F_NEEDS_CSUM) == 0 && type == GSO_NONE) {
            return 0;
        }
        int t = transport(s, pkt, len);
        int start = csumStart(s, hdr);
        int field = csumOffset(s, hdr);
        if (type != GSO_NONE) {
            int gsoSize = gsoSize(s, hdr);
            if ((flags & F_NEEDS_CSUM) == 0 || t < 0 || gsoSize == 0) {
                return REFUSE;
            }
            int version = t >>> 24;
            int protocol = (t >>> 16) & 0xff;
            boolean fits = switch (type) {
                case GSO_TCPV4 -> version == 4 && protocol == IpProtocol.TCP;
                case GSO_TCPV6 -> version == 6 && protocol == IpProtocol.TCP;
                case GSO_UDP_L4 -> protocol == IpProtocol.UDP;
                default -> false; // GSO_UDP (UFO, IP fragmentation) is never offered
            };
            if (!fits || start != (t & 0xffff) || field != checksumField(protocol)) {
                return REFUSE;
            }
            offload.partialChecksum = true;
            offload.segmentSize = gsoSize;
            return protocol == IpProtocol.TCP ? gsoType & GSO_ECN : 0;
        }
        if (t >= 0 && start == (t & 0xffff) && field == checksumField((t >>> 16) & 0xff)) {
            offload.partialChecksum = true;
            return 0;
        }
        // Anything else with NEEDS_CSUM: the field holds a partial sum over [start, end); finish
        // it here (RFC 1071) as the device would have.
        if (start + field + 2 > len || (field & 1) != 0) {
            return REFUSE;
        }
        int c = Checksum.finish(Checksum.add(s, pkt + start, len - start, 0));
        BigEndian.set16(s, pkt + start + field, c == 0 ? 0xffff : c);
        return 0;
    }

    /**
     * Writes at {@code hdr} the header for a packet the translator emitted: the offload facts of
     * the translation for its TCP/UDP packet, all zeros (a complete packet) for anything else —
     * the ICMP errors the translator originates, fragments.
     *
     * @param ecn the ECN bit {@link #accept} returned, for a TCP super-packet's gso_type
     */
    static void forOutput(MemorySegment hdrSeg, long hdr, MemorySegment s, int off, int len, Offload offload, int ecn) {
        int t = offload.active() ? transport(s, off, len) : -1;
        if (t < 0) {
            write(hdrSeg, hdr, 0, GSO_NONE, 0, 0, 0, 0);
            return;
        }
        int version = t >>> 24;
        int protocol = (t >>> 16) & 0xff;
        int l4 = t & 0xffff;
        int l4h = protocol == IpProtocol.TCP ? (BigEndian.u8(s, off + l4 + 12) >>> 4) << 2 : 8;
        int gsoType = GSO_NONE;
        if (offload.segmentSize > 0) {
            gsoType = protocol == IpProtocol.UDP ? GSO_UDP_L4 : (version == 4 ? GSO_TCPV4 : GSO_TCPV6) | ecn;
        }
        write(hdrSeg, hdr, offload.partialChecksum ? F_NEEDS_CSUM : 0, gsoType, l4 + l4h,
                offload.segmentSize, l4, checksumField(protocol));
    }
}
