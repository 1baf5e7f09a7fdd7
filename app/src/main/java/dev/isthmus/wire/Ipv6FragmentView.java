package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over the IPv6 Fragment Header, RFC 8200 §4.5.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6FragmentView {
    public static final int LENGTH = 8;

    private MemorySegment s;
    private long off;

    public Ipv6FragmentView wrap(MemorySegment segment, long offset) {
        this.s = segment;
        this.off = offset;
        return this;
    }

    public int nextHeader() {
        return BigEndian.u8(s, off);
    }

    /** Fragment offset in 8-octet units. */
    public int fragmentOffset() {
        return BigEndian.u16(s, off + 2) >>> 3;
    }

    public boolean moreFragments() {
        return (BigEndian.u16(s, off + 2) & 1) != 0;
    }

    public int identification() {
        return BigEndian.u32(s, off + 4);
    }

    /** Writes the whole header; reserved fields are zeroed. */
    public Ipv6FragmentView set(int nextHeader, int offset8, boolean more, int identification) {
        BigEndian.set8(s, off, nextHeader);
        BigEndian.set8(s, off + 1, 0);
        BigEndian.set16(s, off + 2, (offset8 << 3) | (more ? 1 : 0));
        BigEndian.set32(s, off + 4, identification);
        return this;
    }
}
