package dev.isthmus.xlat;

import java.security.SecureRandom;

/**
 * The IPv4 Identification of 6→4 packets that came without a Fragment Header: RFC 7915 §5.1 sets
 * it "according to a Fragment Identification generator at the translator".
 *
 * <p>RFC 6864 §4.1 requires that a source of non-atomic datagrams (DF=0, which §5.1 gives every
 * translated packet of at most 1260 bytes) not repeat an ID for one (source, destination,
 * protocol) within the maximum datagram lifetime, and RFC 7739 warns that predictable IDs invite
 * off-path attacks on reassembly. This generator follows RFC 7739 §5.3.1's simple hash-based
 * scheme: ID = F(source, destination, protocol, secret) + counter, where F is a keyed hash and
 * the counter is one per translator, incremented for every packet. Consecutive packets of one
 * flow therefore never get the same ID (the counter has moved on), an observer cannot tell one
 * flow's IDs from another's offset, and nothing is stored per flow.
 *
 * <p>Allocation-free; not thread-safe (one per worker, like the translator).
 */
final class Xlat64Identification {
    private final long key;
    private final boolean keyed;
    private int counter;

    /** A generator with a random secret and a random starting counter. */
    Xlat64Identification() {
        SecureRandom random = new SecureRandom();
        this.key = random.nextLong();
        this.counter = random.nextInt();
        this.keyed = true;
    }

    /**
     * A generator with a given secret and counter; {@code keyed == false} drops the hash so the IDs
     * are just the counter (tests that assert whole packets).
     */
    Xlat64Identification(long key, int counter, boolean keyed) {
        this.key = key;
        this.counter = counter;
        this.keyed = keyed;
    }

    /** The next Identification (16 bits) for a packet from {@code src} to {@code dst}. */
    int next(int src, int dst, int protocol) {
        int c = counter++;
        if (!keyed) {
            return c & 0xffff;
        }
        return (offset(src, dst, protocol) + c) & 0xffff;
    }

    /** F of RFC 7739 §5.3.1: a keyed 64-bit mix (murmur3's finalizer) folded to 16 bits. */
    int offset(int src, int dst, int protocol) {
        long h = ((long) src << 32 | (dst & 0xffff_ffffL)) ^ key;
        h ^= (long) protocol * 0x9e37_79b9_7f4a_7c15L;
        h ^= h >>> 33;
        h *= 0xff51_afd7_ed55_8ccdL;
        h ^= h >>> 33;
        h *= 0xc4ce_b9fe_1a85_ec53L;
        h ^= h >>> 33;
        return (int) (h ^ h >>> 16 ^ h >>> 32 ^ h >>> 48) & 0xffff;
    }
}
