package dev.isthmus.addr;

import dev.isthmus.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of IPv4 addresses to pick from, such as the RFC 6791 pool of source addresses for
 * ICMPv4 errors whose IPv6 source (a router with no IPv4-translatable address) cannot be
 * translated.
 *
 * <p>Written as a list of items, each an address ({@code 192.0.2.1}), a prefix
 * ({@code 192.0.2.0/28}) or an inclusive range ({@code 192.0.2.1-192.0.2.9}). Overlapping and
 * adjacent items are merged, so every address counts once however often it is listed.
 *
 * <p>{@link #pick} chooses an address from a caller's hash without allocating. RFC 6791 §5
 * recommends a random choice from the pool, so that the errors of two different routers on one
 * traceroute do not show the same source and look like a routing loop; the caller decides what
 * it hashes (the erroring packet, a counter) and pick spreads any hash evenly over the pool.
 */
public final class Ipv4Pool {
    private static final Ipv4Pool EMPTY = new Ipv4Pool(new long[0], new long[0], new long[0]);

    /** Merged ranges, sorted: first and last address (unsigned, as longs), inclusive. */
    private final long[] first;
    private final long[] last;
    /** How many addresses come before range i; {@code before[n]} would be the size. */
    private final long[] before;
    private final long size;

    private Ipv4Pool(long[] first, long[] last, long[] before) {
        this.first = first;
        this.last = last;
        this.before = before;
        int n = first.length;
        this.size = n == 0 ? 0 : before[n - 1] + last[n - 1] - first[n - 1] + 1;
    }

    /**
     * Parses the items; an empty list gives the empty pool.
     *
     * @throws IllegalArgumentException naming the bad item (its position and text)
     */
    public static Ipv4Pool parse(List<String> items) {
        int n = items.size();
        long[][] ranges = new long[n][];
        for (int i = 0; i < n; i++) {
            String item = items.get(i);
            if (item == null) {
                throw new IllegalArgumentException("IPv4 pool item " + (i + 1) + " is missing (null)");
            }
            try {
                ranges[i] = parseItem(item);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("IPv4 pool item " + (i + 1) + " \"" + Text.quote(item) + "\": "
                        + e.getMessage(), e);
            }
        }
        if (n == 0) {
            return EMPTY;
        }
        Arrays.sort(ranges, (a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        long[] cur = ranges[0].clone();
        for (int i = 1; i < n; i++) {
            long[] r = ranges[i];
            if (r[0] <= cur[1] + 1) {
                cur[1] = Math.max(cur[1], r[1]);
            } else {
                merged.add(cur);
                cur = r.clone();
            }
        }
        merged.add(cur);
        int m = merged.size();
        long[] first = new long[m];
        long[] last = new long[m];
        long[] before = new long[m];
        long count = 0;
        for (int i = 0; i < m; i++) {
            first[i] = merged.get(i)[0];
            last[i] = merged.get(i)[1];
            before[i] = count;
            count += last[i] - first[i] + 1;
        }
        return new Ipv4Pool(first, last, before);
    }

    /** One item as {first, last}, unsigned. */
    private static long[] parseItem(String item) {
        int dash = item.indexOf('-');
        if (dash >= 0) {
            long a = Ipv4Address.parse(item.substring(0, dash)) & 0xffffffffL;
            long b = Ipv4Address.parse(item.substring(dash + 1)) & 0xffffffffL;
            if (b < a) {
                throw new IllegalArgumentException("range ends before it starts");
            }
            return new long[] {a, b};
        }
        Ipv4Prefix p = Ipv4Prefix.parse(item);
        long a = p.address() & 0xffffffffL;
        return new long[] {a, a + p.size() - 1};
    }

    /** The pool with no address. */
    public static Ipv4Pool empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** How many distinct addresses the pool holds, 0 to 2^32. */
    public long size() {
        return size;
    }

    /** Whether {@code a} is in the pool. */
    public boolean contains(int a) {
        long u = a & 0xffffffffL;
        int i = rangeBefore(u);
        return i >= 0 && u <= last[i];
    }

    /**
     * An address of the pool chosen by {@code hash}: the same hash always gives the same address,
     * and over all 2^32 hashes every address is chosen equally often (to within one). Hashes that
     * differ only in a few bits still spread, since the hash is mixed first. Allocation-free.
     *
     * @return the address, or 0 ({@code 0.0.0.0}) if the pool is empty; check {@link #isEmpty}
     */
    public int pick(int hash) {
        if (size == 0) {
            return 0;
        }
        // Mix (murmur3's finalizer, a bijection on 32 bits, so uniformity is kept), then map
        // [0, 2^32) onto [0, size) by multiplying and keeping the high part (no modulo bias
        // beyond one).
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        long index = Math.unsignedMultiplyHigh((h & 0xffffffffL) << 32, size);
        int r = first.length == 1 ? 0 : rangeAt(index);
        return (int) (first[r] + index - before[r]);
    }

    /** The range holding the {@code index}-th address of the pool (binary search on before). */
    private int rangeAt(long index) {
        int lo = 0;
        int hi = before.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (before[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The last range starting at or before {@code u}, or -1. */
    private int rangeBefore(long u) {
        int lo = 0;
        int hi = first.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (first[mid] <= u) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * The merged items, comma separated, each written as an address, a prefix or a range as fits
     * best; {@link #parse} of the parts gives an equal pool.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < first.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            long a = first[i];
            long b = last[i];
            long count = b - a + 1;
            if (count == 1) {
                sb.append(Ipv4Address.format((int) a));
            } else if (Long.bitCount(count) == 1 && (a & (count - 1)) == 0) {
                sb.append(Ipv4Address.format((int) a)).append('/').append(32 - Long.numberOfTrailingZeros(count));
            } else {
                sb.append(Ipv4Address.format((int) a)).append('-').append(Ipv4Address.format((int) b));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Pool p && Arrays.equals(first, p.first) && Arrays.equals(last, p.last);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(first) + Arrays.hashCode(last);
    }
}
