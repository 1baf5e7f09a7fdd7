package dev.isthmus.xlat;

import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.wire.Checksum;

/**
 * A small direct-mapped memo of recent 6→4 address pairs for the common path of
 * {@link Translator64}: for one (source, destination) pair it keeps both IPv4 addresses, the rules
 * that mapped them (for the {@link Trace}) and the RFC 1624 delta of the TCP/UDP pseudo-header
 * change, so a flow's packet costs one probe instead of two {@link AddressMapper} lookups and a
 * re-summing of the 32 address bytes.
 *
 * <p>Only pairs the common path translates as they are get an entry: the destination not
 * multicast (RFC 7915 §1.2) and mapped to neither multicast nor broadcast, the source mapped to a
 * legal IPv4 source (§5.1), and no hairpinning (RFC 7757 §4.2). Any other pair misses every time
 * and its packets take the full path, which answers them. What an entry holds is a function of the
 * two addresses and of settings that never change during the mapper's life, so, like the
 * mapper's own memo, an entry never goes stale. Dynamic pool bindings, which do change, are never
 * memoized.
 *
 * <p>Allocation-free; not thread-safe (one per translator).
 */
final class Flow64Memo {
    private static final int BITS = 6;
    /** Longs per slot: four of key (the two IPv6 addresses), four of value. */
    private static final int SLOT = 8;
    private static final int ADDRESSES = 4;
    private static final int SOURCE_RULE = 5;
    private static final int DESTINATION_RULE = 6;
    private static final int DELTA = 7;
    /** Set in every filled slot's DELTA long, so that zero marks an empty slot. */
    private static final long FILLED = 1L << 32;
    private static final MappingKind[] KINDS = MappingKind.values();

    private final AddressMapper mapper;
    private final XlatSettings.HairpinMode hairpinMode;
    private final long[] memo = new long[(1 << BITS) * SLOT];
    /** The slot of the last pair found. */
    private int hit;

    /** After a successful {@link #map}: the IPv4 source and destination. */
    int src4;
    int dst4;
    /** After a successful {@link #map}: the {@link Checksum#delta} from the IPv6 to the IPv4 addresses. */
    int checksumDelta;

    Flow64Memo(AddressMapper mapper, XlatSettings.HairpinMode hairpinMode) {
        this.mapper = mapper;
        this.hairpinMode = hairpinMode;
    }

    /** True when the pair is one the common path translates; then read {@link #src4} etc. */
    boolean map(long srcHi, long srcLo, long dstHi, long dstLo) {
        int slot = slot(srcHi, srcLo, dstHi, dstLo);
        long[] m = memo;
        long delta = m[slot + DELTA];
        if (delta == 0 || m[slot] != srcHi || m[slot + 1] != srcLo || m[slot + 2] != dstHi || m[slot + 3] != dstLo) {
            if (!fill(slot, srcHi, srcLo, dstHi, dstLo)) {
                return false;
            }
            delta = m[slot + DELTA];
        }
        long addresses = m[slot + ADDRESSES];
        src4 = (int) (addresses >>> 32);
        dst4 = (int) addresses;
        checksumDelta = (int) delta;
        hit = slot;
        return true;
    }

    /** Records in {@code trace} the rules that mapped the pair {@link #map} found last. */
    void trace(Trace trace) {
        long s = memo[hit + SOURCE_RULE];
        long d = memo[hit + DESTINATION_RULE];
        trace.source(KINDS[(int) s & 0xff], (int) (s >> 8));
        trace.destination(KINDS[(int) d & 0xff], (int) (d >> 8));
    }

    private static int slot(long srcHi, long srcLo, long dstHi, long dstLo) {
        long x = ((srcHi ^ srcLo) * 0x9e37_79b9_7f4a_7c15L ^ dstHi ^ dstLo) * 0xbf58_476d_1ce4_e5b9L;
        return (int) (x >>> (64 - BITS)) * SLOT;
    }

    /**
     * Maps the pair as {@link Translator64} would, destination first; fills the slot and returns
     * true only when the common path may translate it.
     */
    private boolean fill(int slot, long srcHi, long srcLo, long dstHi, long dstLo) {
        if (dstHi >>> 56 == 0xff || !mapper.map64(dstHi, dstLo)) {
            return false;
        }
        int d4 = mapper.v4;
        if (Ipv4Special.isMulticastOrBroadcast(d4) || hairpinMode.hairpins(mapper.kind, mapper.v4IsEam)) {
            return false;
        }
        long dstRule = rule(mapper.kind, mapper.eam);
        // A source of the dynamic pool (or one that maps into it) is never memoized: a binding
        // can change, and each packet must refresh it (the full path does both).
        if (!mapper.map64(srcHi, srcLo) || Ipv4Special.isIllegalSource(mapper.v4) || mapper.inDynamicPool(mapper.v4)) {
            return false;
        }
        int s4 = mapper.v4;
        long v6 = Checksum.add64(srcHi, Checksum.add64(srcLo, Checksum.add64(dstHi, Checksum.add64(dstLo, 0))));
        long v4 = Checksum.add32(s4, Checksum.add32(d4, 0));
        long[] m = memo;
        m[slot] = srcHi;
        m[slot + 1] = srcLo;
        m[slot + 2] = dstHi;
        m[slot + 3] = dstLo;
        m[slot + ADDRESSES] = (long) s4 << 32 | (d4 & 0xffff_ffffL);
        m[slot + SOURCE_RULE] = rule(mapper.kind, mapper.eam);
        m[slot + DESTINATION_RULE] = dstRule;
        m[slot + DELTA] = FILLED | Checksum.delta(v6, v4);
        return true;
    }

    private static long rule(MappingKind kind, int eam) {
        return (long) eam << 8 | kind.ordinal();
    }
}
