package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a UDP header, RFC 768.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class UdpView {
    public static final int HEADER = 8;
    public static final int CHECKSUM_OFFSET = 6;

    private MemorySegment s;
    private long off;

    public UdpView wrap(MemorySegment segment, long offset) {
        this.s = segment;
        this.off = offset;
        return this;
    }

    public int sourcePort() {
        return BigEndian.u16(s, off);
    }

    public int destinationPort() {
        return BigEndian.u16(s, off + 2);
    }

    public int length() {
        return BigEndian.u16(s, off + 4);
    }

    public int checksum() {
        return BigEndian.u16(s, off + CHECKSUM_OFFSET);
    }

    public UdpView setSourcePort(int v) {
        BigEndian.set16(s, off, v);
        return this;
    }

    public UdpView setDestinationPort(int v) {
        BigEndian.set16(s, off + 2, v);
        return this;
    }

    public UdpView setLength(int v) {
        BigEndian.set16(s, off + 4, v);
        return this;
    }

    public UdpView setChecksum(int v) {
        BigEndian.set16(s, off + CHECKSUM_OFFSET, v);
        return this;
    }
}
