package dev.isthmus.xlat;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.MemorySegment;

/**
 * Splits a translated IPv4 packet that is larger than the IPv4 next-hop MTU and may be
 * fragmented (DF clear) into IPv4 fragments as RFC 791 §2.3 describes, because RFC 7915 §1.4 says
 * the translator "MUST behave as a router, i.e., the translator MUST send a Packet Too Big error
 * message or fragment the packet when the packet size exceeds the MTU of the next-hop interface"
 * (§5: packets of at most 1260 bytes leave with DF clear, and §5.1.1 clears DF on fragments
 * "allowing this packet to be further fragmented by IPv4 routers").
 *
 * <p>Every fragment but the last carries a multiple of 8 data bytes and MF; the offsets count
 * 8-byte units from the offset of the packet being split, so an IPv6 fragment translated into an
 * IPv4 fragment (RFC 7915 §5.1.1) and then split again still reassembles: the last piece keeps the
 * original MF. All pieces share the Identification.
 *
 * <p>No copy: the fragments are emitted in order, each with its 20-byte header written just in
 * front of its data, over the tail of the previous fragment's data, which the sink has already
 * consumed ({@link PacketSink} bytes are only valid during the call). The packet is destroyed in
 * the process.
 */
final class Fragmenter64 {
    private static final int HEADER = 20;
    private static final int MF = 0x2000;
    private static final int OFFSET_MASK = 0x1fff;

    /** Window of the last fragment emitted. */
    int lastOffset;
    int lastLength;

    /**
     * Emits the fragments of the IPv4 packet {@code s[off, off+length)} (IHL 5, DF clear; its Total
     * Length field is ignored, {@code length} may exceed 65535 bytes when an IPv6 fragment this
     * large arrived) so that none exceeds {@code mtu}. Returns how many were emitted.
     */
    int fragment(MemorySegment s, int off, int length, int mtu, PacketSink out) {
        int chunk = Math.max(8, (mtu - HEADER) & ~7);
        int w0 = BigEndian.u32(s, off) & 0xffff_0000; // version, IHL, TOS
        int id = BigEndian.u16(s, off + 4);
        int flags = BigEndian.u16(s, off + 6);
        int lastMf = flags & MF;
        int base = flags & OFFSET_MASK;
        int ttlProto = BigEndian.u16(s, off + 8);
        int src = BigEndian.u32(s, off + 12);
        int dst = BigEndian.u32(s, off + 16);
        long fixed = Checksum.add32(w0, id + (long) ttlProto);
        fixed = Checksum.add32(src, Checksum.add32(dst, fixed));
        int dataEnd = off + length;
        int count = 0;
        for (int data = off + HEADER; data < dataEnd; data += chunk) {
            int n = Math.min(chunk, dataEnd - data);
            boolean last = data + n >= dataEnd;
            int fo = ((base + ((data - off - HEADER) >>> 3)) & OFFSET_MASK) | (last ? lastMf : MF);
            int total = HEADER + n;
            int csum = Checksum.finish(fixed + total + fo);
            int h = data - HEADER;
            BigEndian.set32(s, h, w0 | total);
            BigEndian.set32(s, h + 4, id << 16 | fo);
            BigEndian.set32(s, h + 8, ttlProto << 16 | csum);
            BigEndian.set32(s, h + 12, src);
            BigEndian.set32(s, h + 16, dst);
            out.emit(s, h, total);
            lastOffset = h;
            lastLength = total;
            count++;
        }
        return count;
    }
}
