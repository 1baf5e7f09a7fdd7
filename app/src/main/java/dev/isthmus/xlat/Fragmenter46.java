package dev.isthmus.xlat;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.MemorySegment;

/**
 * Splits the data of a translated IPv4 packet that may be fragmented (DF clear) into IPv6
 * fragments, RFC 7915 §4.1: "If the DF flag is not set and the IPv4 packet will result in an IPv6
 * packet larger than a user-defined length (hereinafter referred to as 'lowest-ipv6-mtu', and
 * which defaults to 1280 bytes), the packet SHOULD be fragmented so that the resulting IPv6 packet
 * (with Fragment Header added to each fragment) will be less than or equal to lowest-ipv6-mtu".
 *
 * <p>Each fragment is an IPv6 header and a Fragment Header (RFC 8200 §4.5) in front of at most
 * {@code (mtu - 48) & ~7} data bytes — every fragment but the last carries a multiple of 8 and M
 * set; the last keeps the M flag of the packet being split, and offsets count from that packet's
 * own offset, so an IPv4 fragment split again still reassembles with its siblings. All fragments
 * share the Identification: the IPv4 one in the low 16 bits (§4.1 Fragment Header fields).
 *
 * <p>No copy: the fragments are emitted in order, each with its 48 bytes of headers written just
 * in front of its data, over the tail of the previous fragment's data, which the sink has already
 * consumed ({@link PacketSink} bytes are only valid during the call). The first fragment's headers
 * take the room in front of the data (the packet buffer's headroom). The packet is destroyed.
 */
final class Fragmenter46 {
    static final int IPV6_HEADER = 40;
    static final int FRAGMENT_HEADER = 8;
    static final int HEADERS = IPV6_HEADER + FRAGMENT_HEADER;

    /** Window of the last fragment emitted. */
    int lastOffset;
    int lastLength;

    /** Data bytes per fragment (all but the last) for fragments of at most {@code mtu} bytes. */
    static int chunk(int mtu) {
        return Math.max(8, (mtu - HEADERS) & ~7);
    }

    /**
     * Emits {@code s[data, end)} as IPv6 fragments of at most {@code mtu} bytes and returns how
     * many. {@code data - 48} must be inside the segment.
     *
     * @param trafficClass IPv6 Traffic Class
     * @param hopLimit IPv6 Hop Limit
     * @param nextHeader the upper-layer protocol: the Fragment Header's Next Header
     * @param offset8 fragment offset of {@code data} in the original datagram, 8-octet units
     * @param lastMore M flag of the last fragment (the MF of the packet being split)
     * @param id Fragment Header Identification
     */
    int fragment(MemorySegment s, int data, int end, int mtu, int trafficClass, int hopLimit, int nextHeader,
            int offset8, boolean lastMore, int id, long srcHi, long srcLo, long dstHi, long dstLo, PacketSink out) {
        int chunk = chunk(mtu);
        int w0 = 0x6000_0000 | (trafficClass & 0xff) << 20;
        int w1 = IpProtocol.FRAGMENT << 8 | (hopLimit & 0xff);
        int count = 0;
        for (int d = data; d < end; d += chunk) {
            int n = Math.min(chunk, end - d);
            boolean last = d + n >= end;
            int fo = ((offset8 + ((d - data) >>> 3)) & 0x1fff) << 3 | (last ? (lastMore ? 1 : 0) : 1);
            int h = d - HEADERS;
            BigEndian.set32(s, h, w0);
            BigEndian.set32(s, h + 4, (n + FRAGMENT_HEADER) << 16 | w1);
            BigEndian.set64(s, h + 8, srcHi);
            BigEndian.set64(s, h + 16, srcLo);
            BigEndian.set64(s, h + 24, dstHi);
            BigEndian.set64(s, h + 32, dstLo);
            BigEndian.set32(s, h + IPV6_HEADER, nextHeader << 24 | fo);
            BigEndian.set32(s, h + IPV6_HEADER + 4, id);
            out.emit(s, h, HEADERS + n);
            lastOffset = h;
            lastLength = HEADERS + n;
            count++;
        }
        return count;
    }
}
