package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over the IPv6 fixed header, RFC 8200 §3.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                         Source Address                        +
 * |                          (128 bits)                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                      Destination Address                      +
 * |                          (128 bits)                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv6View {
    public static final int HEADER = 40;

    private static final int VER_TC_FLOW = 0;
    private static final int PAYLOAD_LENGTH = 4;
    private static final int NEXT_HEADER = 6;
    private static final int HOP_LIMIT = 7;
    private static final int SOURCE = 8;
    private static final int DESTINATION = 24;

    private MemorySegment s;
    private long off;

    public Ipv6View wrap(MemorySegment segment, long offset) {
        this.s = segment;
        this.off = offset;
        return this;
    }

    public long offset() {
        return off;
    }

    /** True when {@code available} bytes hold a whole version-6 fixed header. */
    public boolean fits(int available) {
        return available >= HEADER && version() == 6;
    }

    public int version() {
        return BigEndian.u8(s, off) >>> 4;
    }

    public int trafficClass() {
        return (BigEndian.u16(s, off + VER_TC_FLOW) >>> 4) & 0xff;
    }

    public int flowLabel() {
        return BigEndian.u32(s, off + VER_TC_FLOW) & 0xfffff;
    }

    public int payloadLength() {
        return BigEndian.u16(s, off + PAYLOAD_LENGTH);
    }

    public int nextHeader() {
        return BigEndian.u8(s, off + NEXT_HEADER);
    }

    public int hopLimit() {
        return BigEndian.u8(s, off + HOP_LIMIT);
    }

    public long sourceHi() {
        return BigEndian.u64(s, off + SOURCE);
    }

    public long sourceLo() {
        return BigEndian.u64(s, off + SOURCE + 8);
    }

    public long destinationHi() {
        return BigEndian.u64(s, off + DESTINATION);
    }

    public long destinationLo() {
        return BigEndian.u64(s, off + DESTINATION + 8);
    }

    /** Writes version 6, the traffic class and the flow label in one go. */
    public Ipv6View setVersionClassFlow(int trafficClass, int flowLabel) {
        BigEndian.set32(s, off + VER_TC_FLOW, 0x6000_0000 | (trafficClass & 0xff) << 20 | (flowLabel & 0xfffff));
        return this;
    }

    public Ipv6View setPayloadLength(int v) {
        BigEndian.set16(s, off + PAYLOAD_LENGTH, v);
        return this;
    }

    public Ipv6View setNextHeader(int v) {
        BigEndian.set8(s, off + NEXT_HEADER, v);
        return this;
    }

    public Ipv6View setHopLimit(int v) {
        BigEndian.set8(s, off + HOP_LIMIT, v);
        return this;
    }

    public Ipv6View setSource(long hi, long lo) {
        BigEndian.set64(s, off + SOURCE, hi);
        BigEndian.set64(s, off + SOURCE + 8, lo);
        return this;
    }

    public Ipv6View setDestination(long hi, long lo) {
        BigEndian.set64(s, off + DESTINATION, hi);
        BigEndian.set64(s, off + DESTINATION + 8, lo);
        return this;
    }

    /** Sum of the pseudo-header (RFC 8200 §8.1) for an upper layer of {@code length} bytes. */
    public long pseudoHeaderSum(int nextHeader, int length) {
        return Checksum.ipv6Pseudo(sourceHi(), sourceLo(), destinationHi(), destinationLo(), nextHeader, length);
    }
}
