package dev.isthmus.nat;

import dev.isthmus.wire.PacketBuffer;
import java.lang.foreign.MemorySegment;

/**
 * RFC 6146 §3.4 for fragments, without reassembly: only the first fragment of a datagram carries
 * the ports, so the mapping the table gave it — X' ↔ T, all the later fragments need — is kept
 * here under the datagram's identity (addresses, Identification, protocol) for
 * {@link #TIMEOUT_NANOS}; a later fragment that arrives before its first is held (copied) until
 * the first comes or the time runs out (§3.4: "the NAT64 MUST handle fragments arriving out of
 * order", with a limit on the resources they take).
 *
 * <p>Per worker: the kernel steers every fragment of a datagram to the same TUN queue (its flow
 * hash of a fragment covers the addresses, never the ports). Fixed arrays, set-associative: a
 * lookup or insert probes {@link #WAYS} slots, and an insert into a full set replaces its oldest
 * entry. Nothing allocates after construction.
 */
final class FragmentTracker {
    /** RFC 6146 §4: FRAGMENT_MIN, the least time a NAT64 waits for the fragments of a datagram. */
    static final long TIMEOUT_NANOS = 2_000_000_000L;
    static final int WAYS = 8;
    /** Fragments held for a datagram whose first fragment has not come yet, in all. */
    static final int HELD = 32;
    /** The largest fragment that is held; a larger early fragment is dropped. */
    static final int HELD_BYTES = 16 * 1024;

    private final int mask;
    // Identity of a datagram: a, b, c, d (addresses), e (Identification | protocol << 32 | family << 40).
    private final long[] keys;
    private final long[] expires;
    private final boolean[] used;
    private final long[] x6Hi;
    private final long[] x6Lo;
    private final int[] t4;

    private final PacketBuffer[] held = new PacketBuffer[HELD];
    private final long[] heldKeys = new long[HELD * 5];
    private final long[] heldExpires = new long[HELD];
    private final boolean[] heldUsed = new boolean[HELD];
    private int heldCount;

    /** @param entries how many datagrams' mappings are kept at once (a power of two ≥ {@link #WAYS}) */
    FragmentTracker(int entries) {
        if (Integer.bitCount(entries) != 1 || entries < WAYS) {
            throw new IllegalArgumentException("entries must be a power of two ≥ " + WAYS);
        }
        mask = entries - 1;
        keys = new long[entries * 5];
        expires = new long[entries];
        used = new boolean[entries];
        x6Hi = new long[entries];
        x6Lo = new long[entries];
        t4 = new int[entries];
        for (int i = 0; i < HELD; i++) {
            held[i] = PacketBuffer.scratch(PacketBuffer.HEADROOM + HELD_BYTES);
        }
    }

    /** The identity field e: Identification, protocol, family. */
    static long tag(long id, int protocol, int family) {
        return id & 0xffff_ffffL | (long) protocol << 32 | (long) family << 40;
    }

    /** Remembers the mapping of the datagram (a, b, c, d, e) for {@link #TIMEOUT_NANOS}. */
    void remember(long a, long b, long c, long d, long e, long hi, long lo, int t, long now) {
        int home = home(a, b, c, d, e);
        int slot = -1;
        long oldest = Long.MAX_VALUE;
        for (int w = 0; w < WAYS; w++) {
            int i = home + w & mask;
            if (!used[i] || expires[i] - now <= 0 || matches(keys, i * 5, a, b, c, d, e)) {
                slot = i;
                break;
            }
            if (expires[i] - now < oldest) {
                oldest = expires[i] - now;
                slot = i;
            }
        }
        int k = slot * 5;
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        keys[k + 3] = d;
        keys[k + 4] = e;
        expires[slot] = now + TIMEOUT_NANOS;
        used[slot] = true;
        x6Hi[slot] = hi;
        x6Lo[slot] = lo;
        t4[slot] = t;
    }

    /** The slot of the datagram's live mapping (read it with {@link #x6Hi} ...), or -1. */
    int find(long a, long b, long c, long d, long e, long now) {
        int home = home(a, b, c, d, e);
        for (int w = 0; w < WAYS; w++) {
            int i = home + w & mask;
            if (used[i] && expires[i] - now > 0 && matches(keys, i * 5, a, b, c, d, e)) {
                return i;
            }
        }
        return -1;
    }

    long x6Hi(int slot) {
        return x6Hi[slot];
    }

    long x6Lo(int slot) {
        return x6Lo[slot];
    }

    int t4(int slot) {
        return t4[slot];
    }

    /**
     * Holds a copy of an early fragment of the datagram (a, b, c, d, e); false when it cannot be
     * held (too large, or {@link #HELD} fragments already wait).
     */
    boolean hold(MemorySegment s, int off, int len, long a, long b, long c, long d, long e, long now) {
        if (len > HELD_BYTES || heldCount == HELD) {
            return false;
        }
        for (int i = 0; i < HELD; i++) {
            if (!heldUsed[i]) {
                heldUsed[i] = true;
                heldCount++;
                held[i].load(s, off, len);
                int k = i * 5;
                heldKeys[k] = a;
                heldKeys[k + 1] = b;
                heldKeys[k + 2] = c;
                heldKeys[k + 3] = d;
                heldKeys[k + 4] = e;
                heldExpires[i] = now + TIMEOUT_NANOS;
                return true;
            }
        }
        return false;
    }

    /** Whether any fragment is held (so that the caller may skip {@link #takeHeld}). */
    boolean holdsAny() {
        return heldCount > 0;
    }

    /**
     * A held fragment of the datagram (a, b, c, d, e), removed from the store (valid until the
     * next {@link #hold}), or null when none is held.
     */
    PacketBuffer takeHeld(long a, long b, long c, long d, long e) {
        for (int i = 0; i < HELD && heldCount > 0; i++) {
            if (heldUsed[i] && matches(heldKeys, i * 5, a, b, c, d, e)) {
                heldUsed[i] = false;
                heldCount--;
                return held[i];
            }
        }
        return null;
    }

    /** Drops the held fragments whose time ran out; returns how many. */
    int expireHeld(long now) {
        int n = 0;
        for (int i = 0; i < HELD && heldCount > 0; i++) {
            if (heldUsed[i] && heldExpires[i] - now <= 0) {
                heldUsed[i] = false;
                heldCount--;
                n++;
            }
        }
        return n;
    }

    private int home(long a, long b, long c, long d, long e) {
        long h = (a * 0x9e37_79b9_7f4a_7c15L ^ b) * 0xc2b2_ae3d_27d4_eb4fL ^ c ^ d * 0x1656_67b1_9e37_79f9L ^ e;
        h ^= h >>> 29;
        return (int) (h * 0x9e37_79b9_7f4a_7c15L >>> 40) & mask;
    }

    private static boolean matches(long[] k, int at, long a, long b, long c, long d, long e) {
        return k[at] == a && k[at + 1] == b && k[at + 2] == c && k[at + 3] == d && k[at + 4] == e;
    }
}
