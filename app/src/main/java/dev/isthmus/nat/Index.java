package dev.isthmus.nat;

import java.util.function.IntPredicate;

/**
 * An open-addressing hash index of record ids: {@code int} slots holding {@code id + 1} (0 is
 * empty), linear probing, deletion by backward shift (no tombstones, so a probe never walks
 * past dead slots and lookup cost stays flat however many entries came and went). The load
 * stays between 1/4 and 1/2: at most 16 bytes a record. The key is not stored; lookups compare
 * the record's own fields (the owner's {@code find*} loops), so the index knows keys only
 * through {@link Hasher}. Not thread-safe: the owning {@link Shard} locks.
 */
final class Index {
    /** The hash of a stored record's key (the same function its lookups use). */
    interface Hasher {
        int hash(int id);
    }

    private final Hasher hasher;
    int[] slots;
    int mask;
    private int size;

    Index(Hasher hasher, int initialCapacity) {
        this.hasher = hasher;
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
        slots = new int[cap];
        mask = cap - 1;
    }

    void insert(int id) {
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        place(id);
        size++;
    }

    private void place(int id) {
        int i = hasher.hash(id) & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = id + 1;
    }

    /** Removes {@code id}, which must be present. */
    void remove(int id) {
        int i = hasher.hash(id) & mask;
        while (slots[i] != id + 1) {
            if (slots[i] == 0) {
                throw new IllegalStateException("index does not hold record " + id);
            }
            i = (i + 1) & mask;
        }
        // Backward shift (Knuth 6.4 algorithm R): move later members of the cluster into the hole
        // when their home slot does not lie cyclically in (hole, their slot].
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int v = slots[j];
            if (v == 0) {
                break;
            }
            int home = hasher.hash(v - 1) & mask;
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                slots[hole] = v;
                hole = j;
            }
        }
        slots[hole] = 0;
        size--;
    }

    private void grow() {
        int[] old = slots;
        slots = new int[old.length * 2];
        mask = slots.length - 1;
        for (int v : old) {
            if (v != 0) {
                place(v - 1);
            }
        }
    }

    int size() {
        return size;
    }

    /** Slots a successful lookup reads (distance from home + 1), summed over the entries {@code which} picks. */
    long probeSum(IntPredicate which) {
        long sum = 0;
        for (int i = 0; i < slots.length; i++) {
            int v = slots[i];
            if (v != 0 && which.test(v - 1)) {
                sum += ((i - hasher.hash(v - 1)) & mask) + 1;
            }
        }
        return sum;
    }

    long bytes() {
        return 16L + slots.length * 4L;
    }

    /** Spreads a 64-bit key (MurmurHash3's fmix64) and folds it to 32 bits. */
    static int mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return (int) k;
    }
}
