package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a TCP header, RFC 9293 §3.1.
 *
 * <pre>
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class TcpView {
    public static final int MIN_HEADER = 20;
    public static final int CHECKSUM_OFFSET = 16;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    private MemorySegment s;
    private long off;

    public TcpView wrap(MemorySegment segment, long offset) {
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

    public int sequence() {
        return BigEndian.u32(s, off + 4);
    }

    public int acknowledgment() {
        return BigEndian.u32(s, off + 8);
    }

    public int headerLength() {
        return (BigEndian.u8(s, off + 12) >>> 4) << 2;
    }

    public int flags() {
        return BigEndian.u8(s, off + 13);
    }

    public int window() {
        return BigEndian.u16(s, off + 14);
    }

    public int checksum() {
        return BigEndian.u16(s, off + CHECKSUM_OFFSET);
    }

    public TcpView setSourcePort(int v) {
        BigEndian.set16(s, off, v);
        return this;
    }

    public TcpView setDestinationPort(int v) {
        BigEndian.set16(s, off + 2, v);
        return this;
    }

    public TcpView setChecksum(int v) {
        BigEndian.set16(s, off + CHECKSUM_OFFSET, v);
        return this;
    }
}
