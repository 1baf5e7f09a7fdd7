package dev.isthmus.nat;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The ports of one {@link Shard}'s slice of pool4 that other shards hold: port preservation
 * (RFC 6146 §3.5.1.1, RFC 4787 §4.1) gives a client its own source port x whenever (T,x) is free,
 * and x falls in the slice of whichever shard the port's chunk belongs to, rarely the client's.
 * That shard (the lender) then lends (protocol, T, x) to the client's shard (the borrower), which
 * keeps the BIB entry with the client's others; the entry here sends the IPv4 side's packets to
 * the borrower ({@link Nat64Table}'s routing) and keeps the lender's allocator off the port. A
 * shard whose own slice of T is full borrows any free port of another's slice the same way, so
 * that its subscribers are not starved while the pool has room.
 *
 * <p>Who writes and who reads, so that (T,t) stays unique without a global lock:
 * <ul>
 *   <li>{@link #lend} runs with the lender's monitor held (the borrower holds both shards' locks,
 *       taken in shard order): the lender's allocator, which runs under the same monitor, sees
 *       every loan of its slice, and no loan appears while it looks;
 *   <li>{@link #giveBack} runs under the borrower's monitor only, when its BIB entry goes: a
 *       lender that reads a loan just given back finds the port taken a moment too long, never
 *       free too early;
 *   <li>{@link #borrower} reads without a lock (each slot is one atomic long; a new array is
 *       published whole), for the router of every IPv4 packet. A reader that misses a loan made
 *       this instant, or sees one just ended, sends that packet to a shard without its BIB entry:
 *       the same outcome as a packet that arrives just before the mapping exists or just after it
 *       ends.
 * </ul>
 * Both writers also take this object's monitor, a leaf lock (nothing is locked inside it).
 *
 * <p>Layout: open addressing over longs, load at most 1/2 counting deleted slots; a slot holds
 * {@link Nat64Table.StaticMap#key} (50 bits) with the borrower's shard number above it, 0 when
 * empty, {@link #GONE} when given back (linear probing must walk past it); rebuilt without the
 * deleted slots when they fill the table.
 */
final class PortLoans {
    private static final long GONE = Long.MIN_VALUE;
    private static final int KEY_BITS = 50;
    private static final long KEY_MASK = (1L << KEY_BITS) - 1;

    private volatile AtomicLongArray slots = new AtomicLongArray(16);
    /** Live loans: 0 lets the router skip the probe. */
    private volatile int live;
    /** Live and deleted slots. */
    private int used;

    /** The shard that borrowed {@code key}, or -1 when it is not lent. Allocates nothing, takes no lock. */
    int borrower(long key) {
        if (live == 0) {
            return -1;
        }
        AtomicLongArray a = slots;
        int mask = a.length() - 1;
        for (int i = Index.mix(key) & mask; ; i = (i + 1) & mask) {
            long e = a.get(i);
            if (e == 0) {
                return -1;
            }
            if (e != GONE && (e & KEY_MASK) == key) {
                return (int) (e >>> KEY_BITS);
            }
        }
    }

    /** Lends {@code key}, which is not lent, to shard {@code borrower}; the lender's monitor is held. */
    synchronized void lend(long key, int borrower) {
        if ((used + 1) * 2 > slots.length()) {
            rebuild();
        }
        AtomicLongArray a = slots;
        int mask = a.length() - 1;
        int i = Index.mix(key) & mask;
        while (a.get(i) != 0) {
            i = (i + 1) & mask;
        }
        a.set(i, key | (long) borrower << KEY_BITS);
        used++;
        live++;
    }

    /** Ends the loan of {@code key}; nothing when it is not lent. */
    synchronized void giveBack(long key) {
        AtomicLongArray a = slots;
        int mask = a.length() - 1;
        for (int i = Index.mix(key) & mask; ; i = (i + 1) & mask) {
            long e = a.get(i);
            if (e == 0) {
                return;
            }
            if (e != GONE && (e & KEY_MASK) == key) {
                a.set(i, GONE);
                live--;
                return;
            }
        }
    }

    /** A new array for the live loans alone, sized for their number; published whole. */
    private void rebuild() {
        AtomicLongArray old = slots;
        int cap = Math.max(16, Integer.highestOneBit(Math.max(1, live + 1) * 4 - 1) << 1);
        AtomicLongArray a = new AtomicLongArray(cap);
        int mask = cap - 1;
        for (int j = 0; j < old.length(); j++) {
            long e = old.get(j);
            if (e != 0 && e != GONE) {
                int i = Index.mix(e & KEY_MASK) & mask;
                while (a.get(i) != 0) {
                    i = (i + 1) & mask;
                }
                a.set(i, e);
            }
        }
        used = live;
        slots = a;
    }

    /** Every live loan, as {key, borrower} pairs (for checks and tests). */
    synchronized long[] snapshot() {
        AtomicLongArray a = slots;
        long[] out = new long[live * 2];
        int n = 0;
        for (int i = 0; i < a.length(); i++) {
            long e = a.get(i);
            if (e != 0 && e != GONE) {
                out[n++] = e & KEY_MASK;
                out[n++] = e >>> KEY_BITS;
            }
        }
        return out;
    }

    long bytes() {
        return 16L + slots.length() * 8L;
    }
}
