package dev.isthmus.nat;

import dev.isthmus.addr.Ipv6Prefix;

/**
 * Deterministic port blocks in the style of RFC 7422 §2: every subscriber (an IPv6 prefix of
 * {@code subscriberLength} bits inside {@code subscribers}) owns one fixed (T, port range), a
 * pure function of the configuration. The operator can then turn any logged or complained-about
 * (T, t) back into a subscriber with {@link #subscriberOf} and the config alone, so no per-session
 * log is needed (RFC 7422 §1).
 *
 * <p>Subscriber number {@code i} (the bits of X' between the two lengths) gets address number
 * {@code i % pool.size()} and block {@code i / pool.size()} there: consecutive subscribers are
 * spread over the addresses first. Block {@code b} covers ports {@code firstPort + b*blockSize}
 * to {@code firstPort + (b+1)*blockSize - 1}. Every subscriber must fit: the configuration is
 * refused when the pool has fewer blocks than the prefix has subscribers (RFC 7422 §2 leaves no
 * room for a subscriber without a block).
 */
public record PortBlocks(Ipv6Prefix subscribers, int subscriberLength, int blockSize, int firstPort) {

    public PortBlocks {
        if (subscriberLength < subscribers.length() || subscriberLength > 128
                || subscriberLength - subscribers.length() > 30) {
            throw new IllegalArgumentException("subscriber length /" + subscriberLength + " must lie within /"
                    + subscribers.length() + " to /" + Math.min(128, subscribers.length() + 30));
        }
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1 || blockSize > 32768) {
            throw new IllegalArgumentException("port block size " + blockSize + " is not a power of two in 16-32768");
        }
        if (firstPort < 0 || firstPort + blockSize > 65536) {
            throw new IllegalArgumentException("first port " + firstPort + " must leave room for a block");
        }
        if ((firstPort & 1) != 0) {
            throw new IllegalArgumentException("first port " + firstPort + " must be even (RFC 4787 REQ-4 parity)");
        }
    }

    /** Blocks in one address: whole blocks from {@code firstPort} to 65535. */
    public int blocksPerAddress() {
        return (65536 - firstPort) / blockSize;
    }

    public long subscriberCount() {
        return 1L << (subscriberLength - subscribers.length());
    }

    /** @throws IllegalArgumentException when the pool cannot give every subscriber a block */
    void check(Pool4 pool) {
        long capacity = (long) pool.size() * blocksPerAddress();
        if (capacity < subscriberCount()) {
            throw new IllegalArgumentException("pool4 has " + capacity + " port blocks of " + blockSize + " for "
                    + subscriberCount() + " subscribers of " + subscribers + " at /" + subscriberLength);
        }
    }

    /** The subscriber number of an IPv6 address, -1 when outside {@link #subscribers}. */
    public int subscriberIndex(long hi, long lo) {
        if (!subscribers.contains(hi, lo)) {
            return -1;
        }
        int shift = 128 - subscriberLength;
        int bits = subscriberLength - subscribers.length();
        if (bits == 0) {
            return 0;
        }
        long v;
        if (shift >= 64) {
            v = hi >>> (shift - 64);
        } else if (shift == 0) {
            v = lo;
        } else {
            v = lo >>> shift | hi << (64 - shift);
        }
        return (int) (v & ((1L << bits) - 1));
    }

    /** Address number (in the pool) of subscriber {@code i}. */
    public int addressIndex(Pool4 pool, int i) {
        return i % pool.size();
    }

    /** First port of subscriber {@code i}'s block. */
    public int blockStart(Pool4 pool, int i) {
        return firstPort + (i / pool.size()) * blockSize;
    }

    /** The subscriber that owns (T, t), -1 when no block covers it (RFC 7422 reverse mapping). */
    public int subscriberOf(Pool4 pool, int t4, int port) {
        int a = pool.indexOf(t4);
        if (a < 0 || port < firstPort) {
            return -1;
        }
        int block = (port - firstPort) / blockSize;
        if (block >= blocksPerAddress()) {
            return -1;
        }
        long i = (long) block * pool.size() + a;
        return i < subscriberCount() ? (int) i : -1;
    }

    /** The first IPv6 address of subscriber {@code i}'s prefix, high half. */
    public long subscriberHi(int i) {
        int shift = 128 - subscriberLength;
        long v = i & 0xffff_ffffL;
        if (shift >= 64) {
            return subscribers.hi() | v << (shift - 64);
        }
        return shift == 0 ? subscribers.hi() : subscribers.hi() | v >>> (64 - shift);
    }

    public long subscriberLo(int i) {
        int shift = 128 - subscriberLength;
        long v = i & 0xffff_ffffL;
        return shift >= 64 ? subscribers.lo() : subscribers.lo() | v << shift;
    }
}
