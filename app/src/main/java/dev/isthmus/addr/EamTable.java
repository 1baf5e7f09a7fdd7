package dev.isthmus.addr;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * RFC 7757 Explicit Address Mapping Table: IPv4 prefix ⇄ IPv6 prefix rows, looked up by
 * longest prefix match in either direction (§3.3), the prefix replaced and the suffix copied bit
 * for bit.
 *
 * <p>Rows may overlap (RFC 7757 §5): {@code 0.0.0.0/0 ⇄ 2001:db8:ff00::/40} and
 * {@code 198.51.100.64 ⇄ 2001:db8::abcd} can live together, and each direction simply takes its
 * own longest match. Two rows with the very same IPv4 prefix, or the very same IPv6 prefix, are
 * refused: no lookup could choose between them.
 *
 * <p>Lookup structure: per family, the rows are grouped by prefix length, longest first, and each
 * group is an open-addressing hash table over flat primitive arrays. A lookup masks the address
 * for each length in turn and probes once (rarely twice); the first hit is the longest match.
 * The cost is bounded by the number of distinct prefix lengths (at most 33 or 129), not by the
 * number of rows, and nothing is allocated. The table is immutable: a new configuration builds a
 * new table and swaps the reference.
 */
public final class EamTable {

    /**
     * One row of the table (RFC 7757 §3.1).
     *
     * <p>The IPv4 suffix ({@code 32 - ipv4.length()} bits) must fit in the IPv6 suffix
     * ({@code 128 - ipv6.length()} bits), RFC 7757 §3.2. When the IPv6 suffix is longer, IPv4→IPv6
     * writes the IPv4 suffix right after the IPv6 prefix and leaves the rest zero, and IPv6→IPv4
     * reads those bits and ignores the rest: RFC 7757 Appendix B maps {@code 192.0.2.128/26} to
     * {@code 2001:db8:dddd::/64} exactly so.
     *
     * @throws IllegalArgumentException if the IPv4 suffix is longer than the IPv6 suffix
     */
    public record Eam(Ipv6Prefix ipv6, Ipv4Prefix ipv4) {
        public Eam {
            Objects.requireNonNull(ipv6, "ipv6");
            Objects.requireNonNull(ipv4, "ipv4");
            int suffix4 = 32 - ipv4.length();
            int suffix6 = 128 - ipv6.length();
            if (suffix4 > suffix6) {
                throw new IllegalArgumentException("EAM " + ipv4 + " <-> " + ipv6 + ": the IPv4 suffix ("
                        + suffix4 + " bits) does not fit in the IPv6 suffix (" + suffix6
                        + " bits); RFC 7757 §3.2 needs the IPv6 suffix at least as long");
            }
        }

        /** Parses both prefixes ({@link Ipv4Prefix#parse}, {@link Ipv6Prefix#parse}). */
        public static Eam parse(String ipv4, String ipv6) {
            return new Eam(Ipv6Prefix.parse(ipv6), Ipv4Prefix.parse(ipv4));
        }

        @Override
        public String toString() {
            return ipv4 + " <-> " + ipv6;
        }
    }

    private static final EamTable EMPTY = new EamTable(List.of());

    /** Fibonacci hashing multipliers (2^32 and 2^64 over the golden ratio) and a murmur3 mixer. */
    private static final int PHI32 = 0x9e3779b9;
    private static final long PHI64 = 0x9e3779b97f4a7c15L;
    private static final long MIX64 = 0xc2b2ae3d27d4eb4fL;

    private final List<Eam> entries;

    // Per row, indexed like entries.
    private final int[] addr4;
    /** The low {@code 32 - len4} bits set: the IPv4 suffix. */
    private final long[] suffixMask4;
    private final long[] hi6;
    private final long[] lo6;
    /** How far the IPv4 suffix sits from the right end of the 128-bit address. */
    private final int[] shift6;

    // IPv4 index. Groups by prefix length, longest first, stride 4: mask, hash shift, offset of
    // the group's first slot, slot-count mask. Slots, stride 2: key (masked address), row or -1.
    // Key and row sit side by side so that a probe touches one cache line.
    private final int[] groups4;
    private final int[] slots4;

    // IPv6 index. Groups, stride 2: mask hi, mask lo; and stride 3: hash shift, offset,
    // slot-count mask. Slots, stride 3: key hi, key lo, row or -1.
    private final long[] masks6;
    private final int[] groups6;
    private final long[] slots6;

    /**
     * Builds the table; {@link #find4}/{@link #find6} return indexes into {@code entries}.
     *
     * @throws IllegalArgumentException if two rows have the same IPv4 prefix or the same IPv6 prefix
     */
    public EamTable(List<Eam> entries) {
        this.entries = List.copyOf(entries);
        int n = this.entries.size();
        addr4 = new int[n];
        suffixMask4 = new long[n];
        hi6 = new long[n];
        lo6 = new long[n];
        shift6 = new int[n];
        TreeMap<Integer, List<Integer>> by4 = new TreeMap<>((a, b) -> b - a);
        TreeMap<Integer, List<Integer>> by6 = new TreeMap<>((a, b) -> b - a);
        for (int i = 0; i < n; i++) {
            Eam e = this.entries.get(i);
            int suffix4 = 32 - e.ipv4().length();
            addr4[i] = e.ipv4().address();
            suffixMask4[i] = (1L << suffix4) - 1;
            hi6[i] = e.ipv6().hi();
            lo6[i] = e.ipv6().lo();
            shift6[i] = 128 - e.ipv6().length() - suffix4;
            by4.computeIfAbsent(e.ipv4().length(), k -> new ArrayList<>()).add(i);
            by6.computeIfAbsent(e.ipv6().length(), k -> new ArrayList<>()).add(i);
        }

        groups4 = new int[4 * by4.size()];
        int total4 = 0;
        int g = 0;
        for (var group : by4.entrySet()) {
            int bits = tableBits(group.getValue().size());
            groups4[g] = Ipv4Prefix.mask(group.getKey());
            groups4[g + 1] = 32 - bits;
            groups4[g + 2] = total4;
            groups4[g + 3] = (1 << bits) - 1;
            total4 += 1 << bits;
            g += 4;
        }
        slots4 = new int[2 * total4];
        for (int i = 1; i < slots4.length; i += 2) {
            slots4[i] = -1;
        }
        g = 0;
        for (var group : by4.entrySet()) {
            for (int i : group.getValue()) {
                int key = addr4[i];
                int slot = (key * PHI32) >>> groups4[g + 1];
                int at;
                while (slots4[(at = 2 * (groups4[g + 2] + slot)) + 1] >= 0) {
                    if (slots4[at] == key) {
                        int other = slots4[at + 1];
                        throw duplicate("IPv4", this.entries.get(other).ipv4().toString(), other, i);
                    }
                    slot = (slot + 1) & groups4[g + 3];
                }
                slots4[at] = key;
                slots4[at + 1] = i;
            }
            g += 4;
        }

        masks6 = new long[2 * by6.size()];
        groups6 = new int[3 * by6.size()];
        int total6 = 0;
        g = 0;
        for (var group : by6.entrySet()) {
            int bits = tableBits(group.getValue().size());
            masks6[2 * g] = Ipv6Prefix.maskHi(group.getKey());
            masks6[2 * g + 1] = Ipv6Prefix.maskLo(group.getKey());
            groups6[3 * g] = 64 - bits;
            groups6[3 * g + 1] = total6;
            groups6[3 * g + 2] = (1 << bits) - 1;
            total6 += 1 << bits;
            g++;
        }
        slots6 = new long[3 * total6];
        for (int i = 2; i < slots6.length; i += 3) {
            slots6[i] = -1;
        }
        g = 0;
        for (var group : by6.entrySet()) {
            for (int i : group.getValue()) {
                long kh = hi6[i];
                long kl = lo6[i];
                int slot = hash6(kh, kl, groups6[3 * g]);
                int at;
                while (slots6[(at = 3 * (groups6[3 * g + 1] + slot)) + 2] >= 0) {
                    if (slots6[at] == kh && slots6[at + 1] == kl) {
                        int other = (int) slots6[at + 2];
                        throw duplicate("IPv6", this.entries.get(other).ipv6().toString(), other, i);
                    }
                    slot = (slot + 1) & groups6[3 * g + 2];
                }
                slots6[at] = kh;
                slots6[at + 1] = kl;
                slots6[at + 2] = i;
            }
            g++;
        }
    }

    /** The table with no rows. */
    public static EamTable empty() {
        return EMPTY;
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public Eam entry(int index) {
        return entries.get(index);
    }

    /** All rows, in the order given to the constructor. */
    public List<Eam> entries() {
        return entries;
    }

    /**
     * The row whose IPv4 prefix is the longest to contain {@code v4} (RFC 7757 §3.3), or -1.
     * Allocation-free.
     */
    public int find4(int v4) {
        int[] groups = groups4;
        int[] slots = slots4;
        for (int g = 0; g < groups.length; g += 4) {
            int key = v4 & groups[g];
            int base = groups[g + 2];
            int slot = (key * PHI32) >>> groups[g + 1];
            while (true) {
                int at = 2 * (base + slot);
                int row = slots[at + 1];
                if (row < 0) {
                    break;
                }
                if (slots[at] == key) {
                    return row;
                }
                slot = (slot + 1) & groups[g + 3];
            }
        }
        return -1;
    }

    /**
     * The row whose IPv6 prefix is the longest to contain {@code (hi, lo)} (RFC 7757 §3.3), or -1.
     * Allocation-free.
     */
    public int find6(long hi, long lo) {
        long[] masks = masks6;
        int[] groups = groups6;
        long[] slots = slots6;
        for (int g = 0, m = 0; g < groups.length; g += 3, m += 2) {
            long kh = hi & masks[m];
            long kl = lo & masks[m + 1];
            int base = groups[g + 1];
            int slot = hash6(kh, kl, groups[g]);
            while (true) {
                int at = 3 * (base + slot);
                long row = slots[at + 2];
                if (row < 0) {
                    break;
                }
                if (slots[at] == kh && slots[at + 1] == kl) {
                    return (int) row;
                }
                slot = (slot + 1) & groups[g + 2];
            }
        }
        return -1;
    }

    /**
     * Bits 0-63 of {@code v4} translated by row {@code index}: the row's IPv6 prefix followed by the
     * IPv4 suffix of {@code v4}, bit for bit, then zeros (RFC 7757 §3.3).
     */
    public long map46Hi(int index, int v4) {
        long suffix = v4 & suffixMask4[index];
        int shift = shift6[index];
        // The suffix (at most 32 bits) moves left by `shift` in a 128-bit number: its part in
        // the upper half is suffix << (shift - 64) or suffix >>> (64 - shift). The double shift
        // keeps shift == 0 right, where a single `>>> 64` would be a shift by 0 in Java.
        return hi6[index] | (shift >= 64 ? suffix << (shift - 64) : (suffix >>> 1) >>> (63 - shift));
    }

    /** Bits 64-127 of {@code v4} translated by row {@code index} (see {@link #map46Hi}). */
    public long map46Lo(int index, int v4) {
        long suffix = v4 & suffixMask4[index];
        int shift = shift6[index];
        return lo6[index] | (shift >= 64 ? 0L : suffix << shift);
    }

    /**
     * {@code (hi, lo)} translated by row {@code index}: the row's IPv4 prefix followed by the
     * {@code 32 - len4} address bits that come right after the IPv6 prefix (RFC 7757 §3.3); any
     * further IPv6 suffix bits are ignored.
     */
    public int map64(int index, long hi, long lo) {
        int shift = shift6[index];
        long bits = shift >= 64 ? hi >>> (shift - 64) : lo >>> shift | (hi << 1) << (63 - shift);
        return addr4[index] | (int) (bits & suffixMask4[index]);
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    private static int hash6(long kh, long kl, int shift) {
        long h = (kh * PHI64 + kl) * MIX64;
        return (int) (h >>> shift);
    }

    /** log2 of a power-of-two capacity that keeps the load at or under one half (at least 2 slots). */
    private static int tableBits(int count) {
        int bits = 1;
        while ((1 << bits) < 2 * count) {
            bits++;
        }
        return bits;
    }

    private static IllegalArgumentException duplicate(String family, String prefix, int a, int b) {
        return new IllegalArgumentException("EAM rows " + a + " and " + b + " have the same " + family
                + " prefix " + prefix + "; a lookup could not choose between them");
    }
}
