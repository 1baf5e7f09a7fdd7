package dev.isthmus.dns64;

import java.util.Arrays;

/**
 * An answer encoded once (RFC 1035 §4.1, ID 0) and served many times: per client only the ID,
 * the RD bit, the question's letter case (RFC 1035 §7.3, and 0x20-style randomized case) and the
 * TTLs change, each in place. The TTLs count down with the time the answer has been kept (RFC
 * 1035 §3.2.1, RFC 2181 §8), never below 0.
 */
final class CachedAnswer {
    private static final int HEADER = 12;
    private static final int RD = 0x01; // in the third header byte
    private static final int TYPE_OPT = 41;

    private final byte[] wire;
    private final int[] ttlOffsets;
    private final long storedNanos;
    private final long expiresNanos;

    /**
     * @param wire the encoded answer, from a dnsjava encoder (so well formed)
     * @param lifetime seconds to keep it; 0 for an answer that is served once and not cached
     */
    CachedAnswer(byte[] wire, long lifetime, long nowNanos) {
        this.wire = wire;
        this.ttlOffsets = ttlOffsets(wire);
        this.storedNanos = nowNanos;
        this.expiresNanos = nowNanos + lifetime * 1_000_000_000L;
    }

    boolean cacheable() {
        return expiresNanos > storedNanos;
    }

    boolean expired(long nowNanos) {
        return nowNanos - expiresNanos >= 0;
    }

    int length() {
        return wire.length;
    }

    /** A copy of the encoded answer (ID 0, TTLs as stored), for re-encoding a truncated form. */
    byte[] wire() {
        return wire.clone();
    }

    /**
     * The answer addressed to {@code query} (whose header and question {@link QueryHandler}
     * has checked): its ID and RD bit, its question bytes when they are the same length as ours,
     * TTLs less the whole seconds since the answer was stored.
     */
    byte[] forQuery(byte[] query, int questionEnd, long nowNanos) {
        byte[] out = Arrays.copyOf(wire, wire.length);
        out[0] = query[0];
        out[1] = query[1];
        out[2] = (byte) ((out[2] & ~RD) | (query[2] & RD));
        int qlen = questionEnd - HEADER;
        if (questionEnd > 0 && questionEnd <= out.length && questionEnd(out) == questionEnd) {
            System.arraycopy(query, HEADER, out, HEADER, qlen);
        }
        long age = Math.max(0, (nowNanos - storedNanos) / 1_000_000_000L);
        if (age > 0) {
            for (int off : ttlOffsets) {
                long ttl = Integer.toUnsignedLong(readInt(out, off));
                writeInt(out, off, (int) Math.max(0, ttl - age));
            }
        }
        return out;
    }

    /**
     * The offset just past the (single) question of a message, or -1 when the question name is
     * compressed or runs past the end. Only the header and question are read.
     */
    static int questionEnd(byte[] m) {
        if (m.length < HEADER || (((m[4] & 0xff) << 8) | (m[5] & 0xff)) != 1) {
            return -1;
        }
        int end = skipName(m, HEADER);
        return end < 0 || end + 4 > m.length ? -1 : end + 4;
    }

    /** Past a name at {@code off}: labels up to the root label or a compression pointer; -1 if malformed. */
    private static int skipName(byte[] m, int off) {
        while (off < m.length) {
            int len = m[off] & 0xff;
            if (len == 0) {
                return off + 1;
            }
            if ((len & 0xc0) == 0xc0) {
                return off + 2 <= m.length ? off + 2 : -1;
            }
            if ((len & 0xc0) != 0) {
                return -1;
            }
            off += 1 + len;
        }
        return -1;
    }

    /** RFC 1035 §4.1.3: the TTL field of every resource record but OPT (whose TTL field holds flags). */
    private static int[] ttlOffsets(byte[] m) {
        int records = 0;
        for (int i = 6; i < HEADER; i += 2) {
            records += ((m[i] & 0xff) << 8) | (m[i + 1] & 0xff);
        }
        int[] offsets = new int[records];
        int n = 0;
        int off = questionEnd(m);
        for (int i = 0; i < records && off > 0; i++) {
            off = skipName(m, off);
            if (off < 0 || off + 10 > m.length) {
                break;
            }
            int type = ((m[off] & 0xff) << 8) | (m[off + 1] & 0xff);
            if (type != TYPE_OPT) {
                offsets[n++] = off + 4;
            }
            off += 10 + (((m[off + 8] & 0xff) << 8) | (m[off + 9] & 0xff));
        }
        return Arrays.copyOf(offsets, n);
    }

    private static int readInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
