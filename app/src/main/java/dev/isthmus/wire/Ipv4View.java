package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an IPv4 header, RFC 791 §3.1.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Create once, {@link #wrap} per packet. Accessors do no bounds reasoning of their own: callers
 * establish with {@link #fits} that the header is inside the data they have.
 */
public final class Ipv4View {
    public static final int MIN_HEADER = 20;

    private static final int VER_IHL = 0;
    private static final int TOS = 1;
    private static final int TOTAL_LENGTH = 2;
    private static final int IDENTIFICATION = 4;
    private static final int FLAGS_FRAGMENT = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECKSUM = 10;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;

    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int OFFSET_MASK = 0x1fff;

    private MemorySegment s;
    private long off;

    public Ipv4View wrap(MemorySegment segment, long offset) {
        this.s = segment;
        this.off = offset;
        return this;
    }

    public long offset() {
        return off;
    }

    /**
     * True when {@code available} bytes hold a version-4 header whose IHL is at least 5 and lies
     * entirely inside them (RFC 791 §3.1: IHL counts 32-bit words, minimum 5).
     */
    public boolean fits(int available) {
        return available >= MIN_HEADER && version() == 4 && ihl() >= 5 && headerLength() <= available;
    }

    public int version() {
        return BigEndian.u8(s, off + VER_IHL) >>> 4;
    }

    public int ihl() {
        return BigEndian.u8(s, off + VER_IHL) & 0x0f;
    }

    public int headerLength() {
        return ihl() << 2;
    }

    public int tos() {
        return BigEndian.u8(s, off + TOS);
    }

    public int totalLength() {
        return BigEndian.u16(s, off + TOTAL_LENGTH);
    }

    public int identification() {
        return BigEndian.u16(s, off + IDENTIFICATION);
    }

    public int flagsAndOffset() {
        return BigEndian.u16(s, off + FLAGS_FRAGMENT);
    }

    public boolean dontFragment() {
        return (flagsAndOffset() & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (flagsAndOffset() & FLAG_MF) != 0;
    }

    /** Fragment offset in 8-octet units. */
    public int fragmentOffset() {
        return flagsAndOffset() & OFFSET_MASK;
    }

    /** RFC 7915 §4.1: a packet is a fragment when MF is set or the offset is non-zero. */
    public boolean isFragment() {
        return (flagsAndOffset() & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return BigEndian.u8(s, off + TTL);
    }

    public int protocol() {
        return BigEndian.u8(s, off + PROTOCOL);
    }

    public int checksum() {
        return BigEndian.u16(s, off + CHECKSUM);
    }

    public int source() {
        return BigEndian.u32(s, off + SOURCE);
    }

    public int destination() {
        return BigEndian.u32(s, off + DESTINATION);
    }

    public Ipv4View setVersionIhl(int ihl) {
        BigEndian.set8(s, off + VER_IHL, 0x40 | ihl);
        return this;
    }

    public Ipv4View setTos(int v) {
        BigEndian.set8(s, off + TOS, v);
        return this;
    }

    public Ipv4View setTotalLength(int v) {
        BigEndian.set16(s, off + TOTAL_LENGTH, v);
        return this;
    }

    public Ipv4View setIdentification(int v) {
        BigEndian.set16(s, off + IDENTIFICATION, v);
        return this;
    }

    /** Sets DF, MF and the offset (8-octet units) at once; the reserved bit is cleared. */
    public Ipv4View setFragment(boolean df, boolean mf, int offset8) {
        BigEndian.set16(s, off + FLAGS_FRAGMENT, (df ? FLAG_DF : 0) | (mf ? FLAG_MF : 0) | (offset8 & OFFSET_MASK));
        return this;
    }

    public Ipv4View setTtl(int v) {
        BigEndian.set8(s, off + TTL, v);
        return this;
    }

    public Ipv4View setProtocol(int v) {
        BigEndian.set8(s, off + PROTOCOL, v);
        return this;
    }

    public Ipv4View setChecksum(int v) {
        BigEndian.set16(s, off + CHECKSUM, v);
        return this;
    }

    public Ipv4View setSource(int v) {
        BigEndian.set32(s, off + SOURCE, v);
        return this;
    }

    public Ipv4View setDestination(int v) {
        BigEndian.set32(s, off + DESTINATION, v);
        return this;
    }

    /** Recomputes the header checksum over {@link #headerLength()} bytes (RFC 791 §3.1). */
    public Ipv4View fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.add(s, off, headerLength(), 0)));
        return this;
    }

    public boolean checksumValid() {
        return Checksum.verifies(Checksum.add(s, off, headerLength(), 0));
    }

    /** Sum of this header's pseudo-header for an upper layer of {@code length} bytes. */
    public long pseudoHeaderSum(int length) {
        return Checksum.ipv4Pseudo(source(), destination(), protocol(), length);
    }
}
