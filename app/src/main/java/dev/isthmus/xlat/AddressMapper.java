package dev.isthmus.xlat;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.addr.Rfc6052Prefix;

/**
 * Stateless address mapping in both directions: the EAM table first, then pool6 (RFC 7757 §3.3,
 * RFC 7915 §6). Results are left in public-to-the-package fields so the hot path allocates
 * nothing: after a successful {@link #map46} read {@link #hi}/{@link #lo}; after {@link #map64}
 * read {@link #v4}; in both cases {@link #kind} and {@link #eam} say which rule applied.
 *
 * <p>With a dynamic address pool ({@link DynamicBindings}) the translators ask it through
 * {@link #dynamic64} and {@link #dynamic46}, for the addresses the stateless rules leave alone. Its
 * results never enter the memo: a binding can be released and its address given to another node,
 * and each use must refresh it.
 */
final class AddressMapper {
    private final Rfc6052Prefix pool6;
    private final EamTable eamt;
    /** The dynamic address pool, or null (the stateless translator alone). */
    private final DynamicBindings dynamic;
    /** Where {@link DynamicBindings#find46} writes (allocated once). */
    private final long[] dynamic6 = new long[2];

    long hi;
    long lo;
    int v4;
    MappingKind kind;
    int eam;
    /** Set when the only reason a mapping failed is RFC 6052 §3.1 (WKP with a non-global address). */
    boolean refusedNonGlobal;

    /*
     * A small direct-mapped memo of recent successful 6→4 mappings. Settings never change during
     * the mapper's life, so an entry stays true; a packet's source and destination usually fall in
     * different slots, and a flow's packets hit. This saves the EAM hash probes on the fast path.
     * One array, three longs a slot (address hi, address lo, packed result), so a hit costs one
     * bounds check and three loads from one cache line or two.
     */
    private static final int MEMO_BITS = 3;
    private static final int MEMO = 1 << MEMO_BITS;
    private static final MappingKind[] KINDS = MappingKind.values();
    private final long[] memo = new long[MEMO * 3];

    /**
     * After a successful {@link #map64}: whether {@link #v4} is the IPv4 side of an EAM entry,
     * which is what RFC 7757 §4.2 hairpinning asks of a destination (memoized with the mapping).
     */
    boolean v4IsEam;

    AddressMapper(Rfc6052Prefix pool6, EamTable eamt) {
        this(pool6, eamt, null);
    }

    AddressMapper(Rfc6052Prefix pool6, EamTable eamt, DynamicBindings dynamic) {
        this.pool6 = pool6;
        this.eamt = eamt;
        this.dynamic = dynamic;
    }

    /** Whether a dynamic pool is configured. */
    boolean hasDynamic() {
        return dynamic != null;
    }

    /** True when a dynamic pool is configured and {@code a} is one of its addresses. */
    boolean inDynamicPool(int a) {
        return dynamic != null && dynamic.inPool(a);
    }

    /**
     * IPv6 → IPv4 through the dynamic pool (call only when {@link #hasDynamic}): the address bound
     * to {@code h:l}, or with {@code bind} a new binding. True with the result in {@link #v4} and
     * {@link #kind} {@link MappingKind#DYNAMIC}; false when there is none (with {@code bind}: the
     * pool is exhausted).
     */
    boolean dynamic64(long h, long l, boolean bind) {
        refusedNonGlobal = false;
        long a = bind ? dynamic.bind64(h, l) : dynamic.find64(h, l);
        if (a == DynamicBindings.NONE) {
            return notFound();
        }
        v4 = (int) a;
        v4IsEam = false;
        return found(MappingKind.DYNAMIC, -1);
    }

    /**
     * IPv4 → IPv6 for an address of the dynamic pool (see {@link #inDynamicPool}): true with the
     * bound IPv6 address in {@link #hi}/{@link #lo}, false when the address has no binding.
     */
    boolean dynamic46(int a) {
        refusedNonGlobal = false;
        if (!dynamic.find46(a, dynamic6)) {
            return notFound();
        }
        hi = dynamic6[0];
        lo = dynamic6[1];
        return found(MappingKind.DYNAMIC, -1);
    }

    /** IPv4 → IPv6. False when no rule covers the address (or the WKP may not represent it). */
    boolean map46(int a) {
        refusedNonGlobal = false;
        int i = eamt.isEmpty() ? -1 : eamt.find4(a);
        if (i >= 0) {
            hi = eamt.map46Hi(i, a);
            lo = eamt.map46Lo(i, a);
            return found(MappingKind.EAM, i);
        }
        if (pool6 != null) {
            if (pool6.isWellKnown() && Ipv4Special.isNonGlobal(a)) {
                refusedNonGlobal = true;
                return notFound();
            }
            hi = pool6.embedHi(a);
            lo = pool6.embedLo(a);
            return found(MappingKind.POOL6, -1);
        }
        return notFound();
    }

    /** IPv6 → IPv4. False when no rule covers the address (or the WKP may not represent it). */
    boolean map64(long h, long l) {
        refusedNonGlobal = false;
        int slot = memoSlot(h, l);
        long packed = memo[slot + 2];
        // A packed value is never zero (the kind's ordinal is at least 1), so zero marks an empty slot.
        if (packed != 0 && memo[slot] == h && memo[slot + 1] == l) {
            v4 = (int) packed;
            v4IsEam = (packed & 1L << 40) != 0;
            return found(KINDS[(int) (packed >>> 32) & 0xff], (int) (packed >> 41));
        }
        if (map64Uncached(h, l)) {
            v4IsEam = kind == MappingKind.EAM || isEamIpv4(v4);
            memo[slot] = h;
            memo[slot + 1] = l;
            memo[slot + 2] = (long) eam << 41 | (v4IsEam ? 1L << 40 : 0) | (long) kind.ordinal() << 32
                    | (v4 & 0xffff_ffffL);
            return true;
        }
        return false;
    }

    /** The first of a slot's three longs. */
    private static int memoSlot(long h, long l) {
        long x = (h ^ l) * 0x9e37_79b9_7f4a_7c15L;
        return (int) (x >>> (64 - MEMO_BITS)) * 3;
    }

    private boolean map64Uncached(long h, long l) {
        int i = eamt.isEmpty() ? -1 : eamt.find6(h, l);
        if (i >= 0) {
            v4 = eamt.map64(i, h, l);
            return found(MappingKind.EAM, i);
        }
        if (pool6 != null && pool6.contains(h, l)) {
            int a = pool6.extract(h, l);
            if (pool6.isWellKnown() && Ipv4Special.isNonGlobal(a)) {
                refusedNonGlobal = true;
                return notFound();
            }
            v4 = a;
            return found(MappingKind.POOL6, -1);
        }
        return notFound();
    }

    /** True when an IPv4 address is the IPv4 side of an EAM entry (RFC 7757 §4.2 hairpinning). */
    boolean isEamIpv4(int a) {
        return !eamt.isEmpty() && eamt.find4(a) >= 0;
    }

    private boolean found(MappingKind k, int index) {
        kind = k;
        eam = index;
        return true;
    }

    private boolean notFound() {
        kind = MappingKind.NONE;
        eam = -1;
        return false;
    }
}
