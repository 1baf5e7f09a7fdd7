package dev.isthmus.alg.turn;

/** Network byte order reads and writes over byte arrays (RFC 8489 §5: "most significant bit first"). */
final class BigEndian {
    private BigEndian() {}

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF;
    }

    static long u32(byte[] b, int off) {
        return (long) u16(b, off) << 16 | u16(b, off + 2);
    }

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void putInt(byte[] b, int off, int v) {
        putShort(b, off, v >>> 16);
        putShort(b, off + 2, v);
    }
}
