package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an IPv6 extension header with the common layout of RFC 8200 §4.3–§4.6
 * (Hop-by-Hop, Routing, Destination Options): Next Header, then the length in 8-octet units
 * not counting the first 8 octets. For a Routing Header (§4.4) it also reads the routing type and
 * Segments Left.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |  Routing Type | Segments Left |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6ExtensionView {
    public static final int MIN_LENGTH = 8;
    /** Offset of Segments Left inside a Routing Header (for Parameter Problem pointers). */
    public static final int SEGMENTS_LEFT_OFFSET = 3;

    private MemorySegment s;
    private long off;

    public Ipv6ExtensionView wrap(MemorySegment segment, long offset) {
        this.s = segment;
        this.off = offset;
        return this;
    }

    public int nextHeader() {
        return BigEndian.u8(s, off);
    }

    /** Whole header length in bytes: (Hdr Ext Len + 1) * 8. */
    public int length() {
        return (BigEndian.u8(s, off + 1) + 1) << 3;
    }

    public int routingType() {
        return BigEndian.u8(s, off + 2);
    }

    public int segmentsLeft() {
        return BigEndian.u8(s, off + SEGMENTS_LEFT_OFFSET);
    }
}
