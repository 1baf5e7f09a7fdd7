package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Network byte order accessors over a {@link MemorySegment}, defined once for every view.
 *
 * <p>Every wire field is big-endian and may sit at any alignment (an IPv6 header behind a
 * 14-byte Ethernet header, say), so all layouts are the unaligned big-endian variants.
 * Unsigned 8- and 16-bit fields are returned as {@code int}; 32-bit fields as {@code int}
 * (IPv4 addresses, sequence numbers) and are compared with {@link Integer#compareUnsigned}
 * where order matters.
 */
public final class BigEndian {
    public static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt U32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong U64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private BigEndian() {}

    public static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }

    public static int u16(MemorySegment s, long off) {
        return s.get(U16, off) & 0xffff;
    }

    public static int u32(MemorySegment s, long off) {
        return s.get(U32, off);
    }

    public static long u64(MemorySegment s, long off) {
        return s.get(U64, off);
    }

    public static void set8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    public static void set16(MemorySegment s, long off, int v) {
        s.set(U16, off, (short) v);
    }

    public static void set32(MemorySegment s, long off, int v) {
        s.set(U32, off, v);
    }

    public static void set64(MemorySegment s, long off, long v) {
        s.set(U64, off, v);
    }
}
