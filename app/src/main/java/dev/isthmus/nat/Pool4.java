package dev.isthmus.nat;

import dev.isthmus.addr.Ipv4Prefix;
import java.util.List;

/**
 * The IPv4 transport addresses NAT64 may hand out (RFC 6146 §3.5.1.1 "pool of IPv4 addresses"):
 * prefixes, each with a port range per protocol (null: the protocol is not served there). The
 * config shape is {@code [[nat64.pool4]] prefix = "192.0.2.2/32" tcp = "1-65535" udp = "1-65535"
 * icmp = "1-65535"}. Addresses are numbered 0..{@link #size()}-1 in the order of the entries.
 */
public final class Pool4 {
    /** One {@code [[nat64.pool4]]} table. */
    public record Entry(Ipv4Prefix prefix, PortRange tcp, PortRange udp, PortRange icmp) {
        public Entry {
            if (prefix == null) {
                throw new IllegalArgumentException("pool4 entry without a prefix");
            }
            if (prefix.length() < 8) {
                throw new IllegalArgumentException("pool4 prefix " + prefix + " is too large (at most a /8)");
            }
        }

        public static Entry of(String prefix, String tcp, String udp, String icmp) {
            return new Entry(Ipv4Prefix.parse(prefix), tcp == null ? null : PortRange.parse(tcp),
                    udp == null ? null : PortRange.parse(udp), icmp == null ? null : PortRange.parse(icmp));
        }

        /** Every port of every protocol. */
        public static Entry of(String prefix) {
            return of(prefix, "1-65535", "1-65535", "1-65535");
        }

        public PortRange range(NatProtocol p) {
            return switch (p) {
                case TCP -> tcp;
                case UDP -> udp;
                case ICMP -> icmp;
            };
        }
    }

    private final List<Entry> entries;
    private final int[] firstIndex;
    private final int[] base;
    private final int[] mask;
    /** [entry * 3 + protocol] first and last, -1 when the protocol is not served. */
    private final int[] first;
    private final int[] last;
    private final int size;

    /** @throws IllegalArgumentException when empty or when two prefixes overlap */
    public Pool4(List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("pool4 is empty");
        }
        this.entries = List.copyOf(entries);
        int n = entries.size();
        firstIndex = new int[n];
        base = new int[n];
        mask = new int[n];
        first = new int[n * 3];
        last = new int[n * 3];
        long total = 0;
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            for (int j = 0; j < i; j++) {
                if (entries.get(j).prefix().overlaps(e.prefix())) {
                    throw new IllegalArgumentException(
                            "pool4 prefixes " + entries.get(j).prefix() + " and " + e.prefix() + " overlap");
                }
            }
            firstIndex[i] = (int) total;
            base[i] = e.prefix().address();
            mask[i] = e.prefix().mask();
            for (NatProtocol p : NatProtocol.values()) {
                PortRange r = e.range(p);
                first[i * 3 + p.ordinal()] = r == null ? -1 : r.first();
                last[i * 3 + p.ordinal()] = r == null ? -1 : r.last();
            }
            total += e.prefix().size();
        }
        if (total > 1 << 24) {
            throw new IllegalArgumentException("pool4 holds " + total + " addresses, more than 2^24");
        }
        size = (int) total;
    }

    public static Pool4 of(String... prefixes) {
        return new Pool4(java.util.Arrays.stream(prefixes).map(Entry::of).toList());
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Number of addresses. */
    public int size() {
        return size;
    }

    /** The address with this number. */
    public int address(int index) {
        int e = entryOfIndex(index);
        return base[e] + (index - firstIndex[e]);
    }

    /** The number of an address, or -1 when it is not in the pool. Allocates nothing. */
    public int indexOf(int a) {
        for (int e = 0; e < base.length; e++) {
            if ((a & mask[e]) == base[e]) {
                return firstIndex[e] + (a - base[e]);
            }
        }
        return -1;
    }

    public boolean contains(int a) {
        return indexOf(a) >= 0;
    }

    /** First port of the protocol's range at this address number, -1 when not served. */
    int first(NatProtocol p, int index) {
        return first[entryOfIndex(index) * 3 + p.ordinal()];
    }

    int last(NatProtocol p, int index) {
        return last[entryOfIndex(index) * 3 + p.ordinal()];
    }

    private int entryOfIndex(int index) {
        int e = firstIndex.length - 1;
        while (firstIndex[e] > index) {
            e--;
        }
        return e;
    }

    /** Equal when the entries are (a config read twice gives equal pools). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Pool4 p && p.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    /** "192.0.2.2/32 (tcp 1-65535, udp 1-65535, icmp 1-65535), ..." for logs and messages. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            b.append(b.isEmpty() ? "" : ", ").append(e.prefix()).append(" (tcp ").append(e.tcp()).append(", udp ")
                    .append(e.udp()).append(", icmp ").append(e.icmp()).append(')');
        }
        return b.toString();
    }
}
