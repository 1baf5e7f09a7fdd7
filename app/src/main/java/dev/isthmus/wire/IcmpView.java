package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ICMPv4 (RFC 792) or ICMPv6 (RFC 4443 §2.1) header; both share the first
 * four octets and differ in how they use the next four.
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Identifier / Pointer / Unused / MTU ...  (type dependent)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data (echo payload, or as much of the invoking packet...)  |
 * </pre>
 */
public final class IcmpView {
    public static final int HEADER = 8;
    public static final int CHECKSUM_OFFSET = 2;

    private MemorySegment s;
    private long off;

    public IcmpView wrap(MemorySegment segment, long offset) {
        this.s = segment;
        this.off = offset;
        return this;
    }

    public int type() {
        return BigEndian.u8(s, off);
    }

    public int code() {
        return BigEndian.u8(s, off + 1);
    }

    /** Type and code as one 16-bit word, as they enter the checksum. */
    public int typeCode() {
        return BigEndian.u16(s, off);
    }

    public int checksum() {
        return BigEndian.u16(s, off + CHECKSUM_OFFSET);
    }

    /** The second 32-bit word (identifier+sequence, pointer, MTU, unused...). */
    public int rest() {
        return BigEndian.u32(s, off + 4);
    }

    /** Echo identifier (RFC 792 / RFC 4443 §4.1). */
    public int identifier() {
        return BigEndian.u16(s, off + 4);
    }

    public int sequence() {
        return BigEndian.u16(s, off + 6);
    }

    /** ICMPv4 Fragmentation Needed next-hop MTU (RFC 1191 §4): low 16 bits of the second word. */
    public int ipv4NextHopMtu() {
        return BigEndian.u16(s, off + 6);
    }

    /** ICMPv6 Packet Too Big MTU (RFC 4443 §3.2): the whole second word. */
    public int ipv6Mtu() {
        return BigEndian.u32(s, off + 4);
    }

    /** ICMPv4 Parameter Problem pointer (RFC 792): first octet of the second word. */
    public int ipv4Pointer() {
        return BigEndian.u8(s, off + 4);
    }

    /** ICMPv6 Parameter Problem pointer (RFC 4443 §3.4): the whole second word. */
    public int ipv6Pointer() {
        return BigEndian.u32(s, off + 4);
    }

    /** RFC 4884 §4.1 length attribute of ICMPv4 errors, in 32-bit words (octet 5). */
    public int ipv4ExtensionLength() {
        return BigEndian.u8(s, off + 5);
    }

    /** RFC 4884 §4.1 length attribute of ICMPv6 errors, in 64-bit words (octet 4). */
    public int ipv6ExtensionLength() {
        return BigEndian.u8(s, off + 4);
    }

    public IcmpView setTypeCode(int type, int code) {
        BigEndian.set16(s, off, type << 8 | code);
        return this;
    }

    public IcmpView setChecksum(int v) {
        BigEndian.set16(s, off + CHECKSUM_OFFSET, v);
        return this;
    }

    public IcmpView setRest(int v) {
        BigEndian.set32(s, off + 4, v);
        return this;
    }

    /** Computes the ICMPv4 checksum over {@code length} bytes (RFC 792: no pseudo-header). */
    public IcmpView fillIpv4Checksum(int length) {
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.add(s, off, length, 0)));
        return this;
    }

    /** Computes the ICMPv6 checksum (RFC 4443 §2.3) given the pseudo-header sum. */
    public IcmpView fillIpv6Checksum(int length, long pseudoHeaderSum) {
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.add(s, off, length, pseudoHeaderSum)));
        return this;
    }
}
