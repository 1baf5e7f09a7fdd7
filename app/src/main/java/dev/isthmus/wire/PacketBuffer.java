package dev.isthmus.wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One packet slot: a segment with headroom in front, and the window {@code [offset, offset+length)}
 * that holds the current packet.
 *
 * <p>A worker owns a few of these and reuses them for every packet. The translator moves
 * {@code offset} backwards when IPv4→IPv6 grows the header (20 → 40 bytes, +8 with a Fragment
 * Header) and forwards when IPv6→IPv4 shrinks it, so the payload is never copied on the fast path.
 */
public final class PacketBuffer {
    /** Room in front of a freshly read packet: IPv4 (20) → IPv6 (40) + Fragment Header (8), twice over. */
    public static final int HEADROOM = 128;
    /** Largest IP packet (64 KiB) plus headroom plus room for a translated ICMP error to grow. */
    public static final int DEFAULT_CAPACITY = HEADROOM + 65_535 + 256;

    private final MemorySegment segment;
    private int offset;
    private int length;

    public PacketBuffer(MemorySegment segment) {
        this.segment = segment;
        this.offset = HEADROOM;
    }

    /** A buffer backed by native memory, suitable for direct I/O. */
    public static PacketBuffer allocate(Arena arena, int capacity) {
        return new PacketBuffer(arena.allocate(capacity, 64));
    }

    /**
     * A native buffer whose memory the garbage collector frees (scratch buffers of the translator).
     * Native like the packet buffers, so the hot path's segment accesses see one segment kind.
     */
    public static PacketBuffer scratch(int capacity) {
        return allocate(Arena.ofAuto(), capacity);
    }

    /** A heap-backed buffer (tests and tools). */
    public static PacketBuffer heap(int capacity) {
        return new PacketBuffer(MemorySegment.ofArray(new byte[capacity]));
    }

    public MemorySegment segment() {
        return segment;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return (int) segment.byteSize();
    }

    /** Sets the packet window. */
    public void set(int offset, int length) {
        this.offset = offset;
        this.length = length;
    }

    /** Copies {@code len} bytes from {@code src} into this buffer just behind the headroom. */
    public void load(MemorySegment src, long srcOffset, int len) {
        MemorySegment.copy(src, srcOffset, segment, HEADROOM, len);
        set(HEADROOM, len);
    }

    /** Copies a byte array into this buffer just behind the headroom. */
    public void load(byte[] src) {
        load(MemorySegment.ofArray(src), 0, src.length);
    }

    /** The current packet as a fresh array (tests and tools, never the hot path). */
    public byte[] toArray() {
        return segment.asSlice(offset, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
