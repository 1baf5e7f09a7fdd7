package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum: full computation (RFC 1071) and incremental update (RFC 1624).
 *
 * <p>Partial sums are carried in a {@code long} accumulator that is folded to 16 bits only at
 * the end, so callers can add a pseudo-header, a header and a payload in any order. Every region
 * must start at an even distance from the start of the checksummed data; a trailing odd byte is
 * padded with zero (RFC 1071 §4.1).
 */
public final class Checksum {
    private Checksum() {}

    /** Adds the 16-bit words of {@code s[off, off+len)} to {@code acc}. */
    public static long add(MemorySegment s, long off, int len, long acc) {
        long i = off;
        long end = off + len;
        // 32-bit halves of each 64-bit word: the one's complement sum is byte-order independent
        // in the sense of RFC 1071 §2(B), so summing wider words and folding later is exact.
        for (; i + 8 <= end; i += 8) {
            long w = s.get(BigEndian.U64, i);
            acc += (w >>> 32) + (w & 0xffff_ffffL);
        }
        if (i + 4 <= end) {
            acc += s.get(BigEndian.U32, i) & 0xffff_ffffL;
            i += 4;
        }
        if (i + 2 <= end) {
            acc += BigEndian.u16(s, i);
            i += 2;
        }
        if (i < end) {
            acc += BigEndian.u8(s, i) << 8;
        }
        return acc;
    }

    /**
     * Adds a 32-bit value (an IPv4 address, a length). Adding it whole equals adding its two 16-bit
     * words, because {@link #fold} reduces modulo 0xffff and 2^16 ≡ 1 there (RFC 1071 §2(B), "byte
     * order independence" and "parallel summation").
     */
    public static long add32(int v, long acc) {
        return acc + (v & 0xffff_ffffL);
    }

    /** Adds a 64-bit value (half an IPv6 address) as two 32-bit halves (see {@link #add32}). */
    public static long add64(long v, long acc) {
        return acc + (v >>> 32) + (v & 0xffff_ffffL);
    }

    /** Folds the accumulator to a 16-bit one's complement sum (not yet complemented). */
    public static int fold(long acc) {
        acc = (acc & 0xffff_ffffL) + (acc >>> 32);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        acc = (acc & 0xffff) + (acc >>> 16);
        return (int) acc;
    }

    /** The checksum field value for a sum: the complement of the folded sum. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xffff;
    }

    /** Sum of the IPv4 pseudo-header (RFC 768, RFC 793 §3.1). */
    public static long ipv4Pseudo(int src, int dst, int protocol, int length) {
        return add32(src, add32(dst, protocol + (long) length));
    }

    /** Sum of the IPv6 pseudo-header (RFC 8200 §8.1); {@code length} is the upper-layer length. */
    public static long ipv6Pseudo(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int length) {
        long acc = add64(srcHi, add64(srcLo, 0));
        acc = add64(dstHi, add64(dstLo, acc));
        return add32(length, acc) + nextHeader;
    }

    /**
     * RFC 1624 eqn. 3: the new checksum after data whose sum was {@code oldSum} is replaced by data
     * whose sum is {@code newSum}; {@code HC' = ~(~HC + ~m + m')}.
     */
    public static int adjust(int checksum, long oldSum, long newSum) {
        return applyDelta(checksum, delta(oldSum, newSum));
    }

    /**
     * The part of RFC 1624 eqn. 3 that does not depend on the checksum, {@code ~m + m'}: computed
     * once, it updates any checksum over the same change with {@link #applyDelta}.
     */
    public static int delta(long oldSum, long newSum) {
        return (~fold(oldSum) & 0xffff) + fold(newSum);
    }

    /** RFC 1624 eqn. 3 with a {@link #delta}: {@code HC' = ~(~HC + delta)}. */
    public static int applyDelta(int checksum, int delta) {
        return ~fold((~checksum & 0xffff) + delta) & 0xffff;
    }

    /** True when the data including its checksum field sums to 0xffff (RFC 1071 §1 verification). */
    public static boolean verifies(long acc) {
        return fold(acc) == 0xffff;
    }
}
