package dev.isthmus.nat;

import dev.isthmus.wire.Ipv6Address;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * One lock stripe of the NAT64 tables: the BIB entries, sessions and subscribers of the IPv6
 * subscribers that hash to it, and the slice of pool4's (T, t) space it allocates from, so that
 * both directions of a flow — found by (X',x) from IPv6 and by (T,t) from IPv4 — land in the
 * same shard (see {@link Nat64Table} for the routing). A client keeps its own port wherever it
 * lies: a port of another shard's slice is that shard's loan ({@link PortLoans}). Every method
 * runs with the shard's monitor held by the caller; none allocates on the lookup-and-refresh
 * path.
 *
 * <p>Layout (all primitive arrays, see {@link Slab} and {@link Index}):
 * <pre>
 * record   14 ints: a BIB part and a session part
 *   BIB      X' (4 ints) | x&lt;&lt;16 t | T | first session | sessions&lt;&lt;4 static&lt;&lt;3 live&lt;&lt;2 protocol
 *   session  bib | Z | z&lt;&lt;16 state&lt;&lt;8 | expiry tick | next in BIB | previous in BIB
 * subscriber 9 ints: prefix (4 ints) | paired T | sessions | BIB entries of TCP, UDP, ICMP
 * </pre>
 * A BIB entry and its first session share one record, so the common lookup (one session per BIB
 * entry: a TCP connection, a UDP flow to one server) reads one index slot and one record, two
 * dependent cache misses instead of three. Further sessions of the entry take records of their
 * own whose BIB part stays dead. A record's session part, when live, belongs to the record's own
 * BIB entry or the record's BIB part is dead; a record is freed when both parts are.
 *
 * <p>A session is keyed by (BIB, Z, z) in one index: the BIB entry stands for (X',x) one way and
 * (T,t) the other (both unique, RFC 6146 §3.1), so the session index serves both directions.
 */
final class Shard {
    /** Ints per record: the BIB part (8), then the session part (6). */
    static final int RECORD = 14;
    // --- session fields ---
    static final int S_BIB = 8;
    static final int S_Z = 9;
    static final int S_ZP = 10;
    static final int S_EXP = 11;
    static final int S_NEXT = 12;
    static final int S_PREV = 13;
    /** State code of a UDP or ICMP session (TCP uses TcpState ordinals 1-7; 0 is a dead session part). */
    static final int OPEN = 8;
    // --- BIB fields ---
    static final int B_XHH = 0;
    static final int B_XHL = 1;
    static final int B_XLH = 2;
    static final int B_XLL = 3;
    static final int B_PORTS = 4;
    static final int B_T = 5;
    static final int B_FIRST = 6;
    static final int B_META = 7;
    static final int META_LIVE = 4;
    static final int META_STATIC = 8;
    // --- subscriber fields ---
    static final int U_HH = 0;
    static final int U_HL = 1;
    static final int U_LH = 2;
    static final int U_LL = 3;
    static final int U_T = 4;
    static final int U_SESSIONS = 5;
    /** The first of three: the subscriber's BIB entries, (T,t) it holds, per protocol (RFC 6888 REQ-4). */
    static final int U_BIBS = 6;

    /** Bytes of a stored IPv4 SYN kept for the ICMP error: a maximal IPv4 and TCP header. */
    static final int SYN_BYTES = 120;
    /** Free-port checks one allocation may make at one address before giving up (bounded work). */
    static final int PROBE_LIMIT = 4096;
    /** Pool addresses one allocation may try besides the subscriber's paired one. */
    static final int ADDRESS_TRIES = 8;
    /** Shards one allocation may lock in turn as lenders (x's owner, then others when this slice is full). */
    static final int LENDER_TRIES = 4;
    /** {@link #allocate}'s answer when the port to keep lies in the slice of a shard not yet locked. */
    private static final long NEED_LENDER = -3;

    private final Nat64Table table;
    final int id;
    /** BIB entries and sessions; the free list runs through field 0, dead in a free record. */
    final Slab recs = new Slab(RECORD, B_XHH);
    final Slab subs = new Slab(9, U_T);
    final Index sessionIndex;
    final Index bibOut;
    final Index bibIn;
    final Index subIndex;
    /** The ports of this shard's slice that other shards hold (port preservation). */
    final PortLoans loans = new PortLoans();
    /**
     * After {@link #outbound} returned null: the shard whose slice holds the port to keep, or
     * the next to ask for a port when this shard's slice has none.
     */
    int wantedLender;
    /** Turns the chunks whose shards are asked to lend a port when this slice is full, so that each is asked in turn. */
    private int lendCursor;
    private final NatEvent ev = new NatEvent();

    // Stored IPv4 SYNs (RFC 6146 §3.5.2.2): a FIFO ring, which is also expiry order because
    // every entry gets the same TCP_INCOMING_SYN. A superseded entry is marked dead in place.
    private final int synCap;
    private final int[] synT;
    private final int[] synTp;
    private final int[] synZ;
    private final int[] synZp;
    private final int[] synExp;
    private final int[] synLen;
    private final byte[] synBytes;
    private int synHead;
    private int synUsed;
    private int synLive;

    private int sweepHand;
    private int liveSessions;
    private int liveBibs;
    long sessionsCreated;
    long sessionsExpired;
    long probes;
    long synsExpired;
    long synsSuperseded;

    Shard(Nat64Table table, int id, int synCap) {
        this.table = table;
        this.id = id;
        sessionIndex = new Index(s -> sessionHash(recs.get(s, S_BIB), recs.get(s, S_Z),
                recs.get(s, S_ZP) >>> 16), 64);
        bibOut = new Index(b -> bibOutHash(recs.get(b, B_META) & 3, bibHi(b), bibLo(b), recs.get(b, B_PORTS) >>> 16),
                64);
        bibIn = new Index(b -> bibInHash(recs.get(b, B_META) & 3, recs.get(b, B_T), recs.get(b, B_PORTS) & 0xffff),
                64);
        subIndex = new Index(u -> subHash(subHi(u), subLo(u)), 16);
        this.synCap = synCap;
        synT = new int[synCap];
        synTp = new int[synCap];
        synZ = new int[synCap];
        synZp = new int[synCap];
        synExp = new int[synCap];
        synLen = new int[synCap];
        synBytes = new byte[synCap * SYN_BYTES];
    }

    // ------------------------------------------------------------------ hashing and lookups

    static int sessionHash(int b, int z4, int z) {
        return Index.mix(((z4 & 0xffff_ffffL) << 16 | z) ^ b * 0x9e37_79b9_7f4a_7c15L);
    }

    static int bibOutHash(int p, long hi, long lo, int x) {
        return Index.mix(hi ^ Long.rotateLeft(lo, 31) * 0x9e37_79b9_7f4a_7c15L ^ ((long) x << 2 | p));
    }

    static int bibInHash(int p, int t4, int t) {
        return Index.mix((t4 & 0xffff_ffffL) << 18 | (long) t << 2 | p);
    }

    static int subHash(long hi, long lo) {
        return Index.mix(hi * 0x9e37_79b9_7f4a_7c15L ^ lo);
    }

    long bibHi(int b) {
        return (long) recs.get(b, B_XHH) << 32 | recs.get(b, B_XHL) & 0xffff_ffffL;
    }

    long bibLo(int b) {
        return (long) recs.get(b, B_XLH) << 32 | recs.get(b, B_XLL) & 0xffff_ffffL;
    }

    private long subHi(int u) {
        return (long) subs.get(u, U_HH) << 32 | subs.get(u, U_HL) & 0xffff_ffffL;
    }

    private long subLo(int u) {
        return (long) subs.get(u, U_LH) << 32 | subs.get(u, U_LL) & 0xffff_ffffL;
    }

    int findBibOut(int p, long hi, long lo, int x) {
        int[] slots = bibOut.slots;
        int mask = bibOut.mask;
        int i = bibOutHash(p, hi, lo, x) & mask;
        int ll = (int) lo;
        while (true) {
            int v = slots[i];
            if (v == 0) {
                return -1;
            }
            int b = v - 1;
            if (recs.get(b, B_XLL) == ll && recs.get(b, B_PORTS) >>> 16 == x && (recs.get(b, B_META) & 3) == p
                    && bibLo(b) == lo && bibHi(b) == hi) {
                return b;
            }
            i = (i + 1) & mask;
        }
    }

    int findBibIn(int p, int t4, int t) {
        int[] slots = bibIn.slots;
        int mask = bibIn.mask;
        int i = bibInHash(p, t4, t) & mask;
        while (true) {
            int v = slots[i];
            if (v == 0) {
                return -1;
            }
            int b = v - 1;
            if (recs.get(b, B_T) == t4 && (recs.get(b, B_PORTS) & 0xffff) == t && (recs.get(b, B_META) & 3) == p) {
                return b;
            }
            i = (i + 1) & mask;
        }
    }

    int findSession(int b, int z4, int z) {
        // Most BIB entries have one session, held in the BIB's own record: try it first, which
        // spares the index probe and a cache miss. A live session part of a live BIB's record is
        // that BIB's (see the layout above).
        int zp = recs.get(b, S_ZP);
        if (zp != 0 && zp >>> 16 == z && recs.get(b, S_Z) == z4) {
            return b;
        }
        int[] slots = sessionIndex.slots;
        int mask = sessionIndex.mask;
        int i = sessionHash(b, z4, z) & mask;
        while (true) {
            int v = slots[i];
            if (v == 0) {
                return -1;
            }
            int s = v - 1;
            if (recs.get(s, S_BIB) == b && recs.get(s, S_Z) == z4 && recs.get(s, S_ZP) >>> 16 == z) {
                return s;
            }
            i = (i + 1) & mask;
        }
    }

    int findSub(long hi, long lo) {
        int[] slots = subIndex.slots;
        int mask = subIndex.mask;
        int i = subHash(hi, lo) & mask;
        while (true) {
            int v = slots[i];
            if (v == 0) {
                return -1;
            }
            int u = v - 1;
            if (subLo(u) == lo && subHi(u) == hi) {
                return u;
            }
            i = (i + 1) & mask;
        }
    }

    private static boolean expired(int exp, int now) {
        return now - exp >= 0;
    }

    /**
     * Refreshes a UDP or ICMP session to {@code now} plus its lifetime, never shortening it: two
     * workers carry a flow's packets with their own batch clocks, and the one that read its clock
     * earlier must not cut the lifetime the other just gave (RFC 4787 REQ-6).
     */
    private void refresh(int s, int now, NatProtocol proto) {
        int exp = now + table.ticks(proto);
        if (exp - recs.get(s, S_EXP) > 0) {
            recs.set(s, S_EXP, exp);
        }
    }

    private int state(int s) {
        return (recs.get(s, S_ZP) >>> 8) & 0xff;
    }

    private void setState(int s, int st) {
        int zp = recs.get(s, S_ZP);
        recs.set(s, S_ZP, (zp & 0xffff_0000) | st << 8);
    }

    private int bibCount(int b) {
        return recs.get(b, B_META) >>> 4;
    }

    private void addBibCount(int b, int d) {
        recs.set(b, B_META, recs.get(b, B_META) + (d << 4));
    }

    boolean isStaticBib(int b) {
        return (recs.get(b, B_META) & META_STATIC) != 0;
    }

    /**
     * Whether BIB entry {@code b} holds a port lent by another shard: a dynamic entry outside this
     * shard's slice, which only a loan can give (static entries are routed by the static map).
     */
    private boolean isBorrowed(int b) {
        return table.blocks == null && !isStaticBib(b)
                && table.sliceOwner(recs.get(b, B_T), recs.get(b, B_PORTS) & 0xffff) != id;
    }

    private void fill(NatResult r, int b) {
        r.x6Hi = bibHi(b);
        r.x6Lo = bibLo(b);
        int ports = recs.get(b, B_PORTS);
        r.x6Port = ports >>> 16;
        r.t4 = recs.get(b, B_T);
        r.t4Port = ports & 0xffff;
    }

    private void fillState(NatResult r, int s) {
        int st = state(s);
        r.state = st == OPEN ? TcpState.CLOSED : TcpState.of(st);
    }

    /** Address-dependent filtering (RFC 4787 §5): does the BIB entry have a session to Z? */
    private boolean filterPasses(int b, int z4) {
        if (table.filtering == Filtering.ENDPOINT_INDEPENDENT) {
            return true;
        }
        // The BIB's own session list: short for a client, and only walked for a packet that no
        // session matched exactly.
        for (int s = recs.get(b, B_FIRST); s >= 0; s = recs.get(s, S_NEXT)) {
            if (recs.get(s, S_Z) == z4) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ IPv6 → IPv4

    /**
     * RFC 6146 §3.5.1 (UDP), §3.5.2 (TCP), §3.5.3 (ICMP), packet from the IPv6 side: find or create
     * the BIB entry and the session, refresh it, run the TCP state machine.
     *
     * @param lender null, or the shard {@link #wantedLender} named, its monitor held too: it may
     *     lend x, or another port of its slice when this shard's is full
     * @param lastLender whether {@code lender} is the last this allocation may ask: when it has no
     *     port either, allocation goes on to other addresses instead of asking for another
     * @return the verdict; null, having changed nothing, when a new BIB entry needs a port of
     *     another shard's slice (x to keep, or any when this slice is full): call again with
     *     {@link #wantedLender} locked as well
     */
    NatVerdict outbound(NatResult r, NatProtocol proto, long hi, long lo, int x, int z4, int z, int flags, int now,
            long subHi, long subLo, int subNo, Shard lender, boolean lastLender) {
        int p = proto.ordinal();
        r.z4 = z4;
        r.z4Port = z;
        int b = findBibOut(p, hi, lo, x);
        boolean syn = (flags & TcpState.SYN) != 0;
        if (b >= 0) {
            int s = findSession(b, z4, z);
            if (s >= 0) {
                fill(r, b);
                if (proto == NatProtocol.TCP) {
                    tcpTransition(s, true, flags, now);
                } else {
                    // RFC 4787 REQ-6: outbound packets always refresh.
                    refresh(s, now, proto);
                }
                fillState(r, s);
                return NatVerdict.OK;
            }
            if (proto == NatProtocol.TCP && !syn) {
                // CLOSED, not a SYN, BIB entry exists: translate, no state (RFC 6146 §3.5.2.2).
                fill(r, b);
                r.stateless = true;
                return NatVerdict.OK;
            }
        } else if (proto == NatProtocol.TCP && !syn) {
            return NatVerdict.NO_SESSION;
        }
        // A new session (and maybe a new BIB entry and subscriber). Limits first, so a failure
        // leaves nothing behind (RFC 6146 §5.3).
        int u = findSub(subHi, subLo);
        if (u >= 0 && subs.get(u, U_SESSIONS) >= table.settings.maxSessionsPerSubscriber()) {
            return NatVerdict.SUBSCRIBER_LIMIT;
        }
        if (b < 0 && u >= 0 && subs.get(u, U_BIBS + p) >= table.settings.maxPortsPerSubscriber()) {
            // RFC 6888 REQ-4: one subscriber must not take every port of the pool from the others.
            return NatVerdict.PORT_LIMIT;
        }
        if (!table.reserveSession()) {
            return NatVerdict.SESSION_LIMIT;
        }
        if (b < 0) {
            if (!table.reserveBib(proto)) {
                table.releaseSession();
                return NatVerdict.BIB_LIMIT;
            }
            long tt = allocate(proto, x, u >= 0 ? subs.get(u, U_T) : 0, u >= 0, subHi, subLo, subNo, lender,
                    lastLender);
            if (tt < 0) {
                table.releaseBib(proto);
                table.releaseSession();
                if (tt == NEED_LENDER) {
                    return null;
                }
                return tt == -2 ? NatVerdict.NOT_A_SUBSCRIBER : NatVerdict.POOL_EXHAUSTED;
            }
            int t4 = (int) (tt >>> 16);
            if (u < 0) {
                u = newSub(subHi, subLo, t4, subNo);
            }
            b = newBib(p, hi, lo, x, t4, (int) tt & 0xffff, false, u);
            r.bibCreated = true;
        }
        int st;
        int exp;
        if (proto == NatProtocol.TCP) {
            int t4 = recs.get(b, B_T);
            int t = recs.get(b, B_PORTS) & 0xffff;
            if (synLive > 0 && supersedeStoredSyn(t4, t, z4, z)
                    || lender != null && lender.synLive > 0 && lender.supersedeStoredSyn(t4, t, z4, z)) {
                // V4 INIT (the SYN stored) + IPv6 SYN → ESTABLISHED; the stored SYN is dropped
                // silently (RFC 6146 §3.5.2.2, RFC 5382 REQ-4). A SYN to a port just lent waits in
                // the lender, where it was routed before the loan.
                st = TcpState.ESTABLISHED.ordinal();
                exp = now + table.estTicks;
            } else {
                // CLOSED + IPv6 SYN → V6 INIT, lifetime TCP_TRANS.
                st = TcpState.V6_INIT.ordinal();
                exp = now + table.transTicks;
            }
        } else {
            st = OPEN;
            exp = now + table.ticks(proto);
        }
        int s = newSession(b, z4, z, st, exp, u);
        fill(r, b);
        fillState(r, s);
        r.sessionCreated = true;
        return NatVerdict.OK;
    }

    private void tcpTransition(int s, boolean fromIpv6, int flags, int now) {
        int packed = TcpState.next(TcpState.of(state(s)), fromIpv6, flags);
        setState(s, packed >>> 8);
        switch (packed & 0xff) {
            case TcpState.T_TRANS -> recs.set(s, S_EXP, now + table.transTicks);
            case TcpState.T_EST -> recs.set(s, S_EXP, now + table.estTicks);
            default -> { }
        }
    }

    // ------------------------------------------------------------------ IPv4 → IPv6

    /** RFC 6146 §3.5.1, §3.5.2, §3.5.3, packet from the IPv4 side. */
    NatVerdict inbound(NatResult r, NatProtocol proto, int z4, int z, int t4, int t, int flags, int now,
            MemorySegment packet, long offset, int length) {
        int p = proto.ordinal();
        r.z4 = z4;
        r.z4Port = z;
        int b = findBibIn(p, t4, t);
        if (b >= 0) {
            int s = findSession(b, z4, z);
            if (s >= 0) {
                fill(r, b);
                if (proto == NatProtocol.TCP) {
                    tcpTransition(s, false, flags, now);
                } else if (table.settings.ipv4Refreshes()) {
                    refresh(s, now, proto);
                }
                fillState(r, s);
                return NatVerdict.OK;
            }
        }
        if (proto == NatProtocol.TCP) {
            if ((flags & TcpState.SYN) == 0) {
                // CLOSED, not a SYN: translate by the BIB entry if filtering allows, otherwise
                // silently drop (RFC 6146 §3.5.2.2).
                if (b < 0) {
                    return NatVerdict.NO_SESSION;
                }
                if (!filterPasses(b, z4)) {
                    return NatVerdict.FILTERED;
                }
                fill(r, b);
                r.stateless = true;
                return NatVerdict.OK;
            }
            if (table.settings.dropExternalTcp()) {
                return NatVerdict.EXTERNAL_SYN_DENIED;
            }
            if (b < 0 || !filterPasses(b, z4)) {
                // CLOSED + IPv4 SYN with no BIB entry, or filtered: V4 INIT with the SYN stored for
                // TCP_INCOMING_SYN, not translated (RFC 6146 §3.5.2.2, RFC 5382 REQ-4).
                return storeSyn(t4, t, z4, z, now, packet, offset, length);
            }
            // BIB entry and filtering passes: V4 INIT, translated, lifetime TCP_INCOMING_SYN.
            return inboundNewSession(r, proto, b, z4, z, TcpState.V4_INIT.ordinal(), now + table.synTicks);
        }
        if (b < 0) {
            return NatVerdict.NO_BIB;
        }
        if (!filterPasses(b, z4)) {
            return NatVerdict.FILTERED;
        }
        return inboundNewSession(r, proto, b, z4, z, OPEN, now + table.ticks(proto));
    }

    private NatVerdict inboundNewSession(NatResult r, NatProtocol proto, int b, int z4, int z, int st, int exp) {
        int u = findSub(table.subHi(bibHi(b)), table.subLo(bibLo(b)));
        if (subs.get(u, U_SESSIONS) >= table.settings.maxSessionsPerSubscriber()) {
            return NatVerdict.SUBSCRIBER_LIMIT;
        }
        if (!table.reserveSession()) {
            return NatVerdict.SESSION_LIMIT;
        }
        int s = newSession(b, z4, z, st, exp, u);
        fill(r, b);
        fillState(r, s);
        r.sessionCreated = true;
        return NatVerdict.OK;
    }

    // ------------------------------------------------------------------ ICMP errors: read only

    /**
     * The mapping for an ICMPv6 error's inner packet, reversed into the outbound tuple. Never
     * creates, refreshes or deletes anything (RFC 5508 REQ-6, RFC 5382 REQ-10, RFC 4787 REQ-12).
     */
    NatVerdict findOutbound(NatResult r, NatProtocol proto, long hi, long lo, int x, int z4, int z) {
        r.z4 = z4;
        r.z4Port = z;
        int b = findBibOut(proto.ordinal(), hi, lo, x);
        if (b < 0) {
            return NatVerdict.NO_BIB;
        }
        fill(r, b);
        int s = findSession(b, z4, z);
        if (s >= 0) {
            fillState(r, s);
        } else {
            r.stateless = true;
        }
        return NatVerdict.OK;
    }

    /** The same for an ICMPv4 error's inner packet (RFC 5508 REQ-4/5: filter as the data would be). */
    NatVerdict findInbound(NatResult r, NatProtocol proto, int z4, int z, int t4, int t) {
        r.z4 = z4;
        r.z4Port = z;
        int b = findBibIn(proto.ordinal(), t4, t);
        if (b < 0) {
            return NatVerdict.NO_BIB;
        }
        int s = findSession(b, z4, z);
        if (s < 0 && !filterPasses(b, z4)) {
            return NatVerdict.FILTERED;
        }
        fill(r, b);
        if (s >= 0) {
            fillState(r, s);
        } else {
            r.stateless = true;
        }
        return NatVerdict.OK;
    }

    // ------------------------------------------------------------------ creation and removal

    private int newSub(long hi, long lo, int t4, int subNo) {
        int u = subs.allocate();
        subs.set(u, U_HH, (int) (hi >>> 32));
        subs.set(u, U_HL, (int) hi);
        subs.set(u, U_LH, (int) (lo >>> 32));
        subs.set(u, U_LL, (int) lo);
        subs.set(u, U_T, t4);
        subs.set(u, U_SESSIONS, 0);
        subs.set(u, U_BIBS + NatProtocol.TCP.ordinal(), 0);
        subs.set(u, U_BIBS + NatProtocol.UDP.ordinal(), 0);
        subs.set(u, U_BIBS + NatProtocol.ICMP.ordinal(), 0);
        subIndex.insert(u);
        ev.clear();
        ev.x6Hi = hi;
        ev.x6Lo = lo;
        ev.t4 = t4;
        PortBlocks blocks = table.blocks;
        if (blocks != null && subNo >= 0) {
            ev.blockFirst = blocks.blockStart(table.pool, subNo);
            ev.blockLast = ev.blockFirst + blocks.blockSize() - 1;
        }
        table.listener.subscriberStarted(ev);
        return u;
    }

    /** The subscriber's BIB entries of every protocol. */
    private int subBibs(int u) {
        return subs.get(u, U_BIBS) + subs.get(u, U_BIBS + 1) + subs.get(u, U_BIBS + 2);
    }

    /** One BIB entry of protocol p less; the subscriber goes with its last. */
    private void removeSubBib(int u, int p) {
        subs.set(u, U_BIBS + p, subs.get(u, U_BIBS + p) - 1);
        if (subBibs(u) == 0) {
            ev.clear();
            ev.x6Hi = subHi(u);
            ev.x6Lo = subLo(u);
            ev.t4 = subs.get(u, U_T);
            PortBlocks blocks = table.blocks;
            if (blocks != null) {
                int i = blocks.subscriberIndex(ev.x6Hi, ev.x6Lo);
                ev.blockFirst = blocks.blockStart(table.pool, i);
                ev.blockLast = ev.blockFirst + blocks.blockSize() - 1;
            }
            ev.end = NatEvent.End.NO_SESSIONS;
            subIndex.remove(u);
            subs.free(u);
            table.listener.subscriberEnded(ev);
        }
    }

    private int newBib(int p, long hi, long lo, int x, int t4, int t, boolean isStatic, int u) {
        int b = recs.allocate();
        recs.set(b, S_ZP, 0);
        recs.set(b, B_XHH, (int) (hi >>> 32));
        recs.set(b, B_XHL, (int) hi);
        recs.set(b, B_XLH, (int) (lo >>> 32));
        recs.set(b, B_XLL, (int) lo);
        recs.set(b, B_PORTS, x << 16 | t);
        recs.set(b, B_T, t4);
        recs.set(b, B_FIRST, -1);
        recs.set(b, B_META, META_LIVE | (isStatic ? META_STATIC : 0) | p);
        bibOut.insert(b);
        bibIn.insert(b);
        liveBibs++;
        subs.set(u, U_BIBS + p, subs.get(u, U_BIBS + p) + 1);
        bibEvent(b);
        table.listener.bibCreated(ev);
        return b;
    }

    private void bibEvent(int b) {
        ev.clear();
        ev.protocol = NatProtocol.of(recs.get(b, B_META) & 3);
        ev.x6Hi = bibHi(b);
        ev.x6Lo = bibLo(b);
        int ports = recs.get(b, B_PORTS);
        ev.x6Port = ports >>> 16;
        ev.t4 = recs.get(b, B_T);
        ev.t4Port = ports & 0xffff;
        ev.isStatic = isStaticBib(b);
    }

    private void removeBib(int b, NatEvent.End end) {
        int p = recs.get(b, B_META) & 3;
        bibOut.remove(b);
        bibIn.remove(b);
        if (isBorrowed(b)) {
            int t4 = recs.get(b, B_T);
            int t = recs.get(b, B_PORTS) & 0xffff;
            table.loans(table.sliceOwner(t4, t)).giveBack(Nat64Table.StaticMap.key(p, t4, t));
        }
        table.releaseBib(NatProtocol.of(p));
        bibEvent(b);
        ev.end = end;
        table.listener.bibRemoved(ev);
        int u = findSub(table.subHi(bibHi(b)), table.subLo(bibLo(b)));
        recs.set(b, B_META, 0);
        liveBibs--;
        // The session part is dead: a BIB entry goes only when its sessions have.
        recs.free(b);
        removeSubBib(u, p);
    }

    private int newSession(int b, int z4, int z, int st, int exp, int u) {
        int s = b;
        if (state(b) != 0) {
            s = recs.allocate();
            recs.set(s, B_META, 0);
        }
        int first = recs.get(b, B_FIRST);
        recs.set(s, S_BIB, b);
        recs.set(s, S_Z, z4);
        recs.set(s, S_ZP, z << 16 | st << 8);
        recs.set(s, S_EXP, exp);
        recs.set(s, S_NEXT, first);
        recs.set(s, S_PREV, -1);
        if (first >= 0) {
            recs.set(first, S_PREV, s);
        }
        recs.set(b, B_FIRST, s);
        addBibCount(b, 1);
        sessionIndex.insert(s);
        liveSessions++;
        subs.set(u, U_SESSIONS, subs.get(u, U_SESSIONS) + 1);
        sessionsCreated++;
        sessionEvent(s);
        table.listener.sessionStarted(ev);
        return s;
    }

    private void sessionEvent(int s) {
        bibEvent(recs.get(s, S_BIB));
        ev.z4 = recs.get(s, S_Z);
        int zp = recs.get(s, S_ZP);
        ev.z4Port = zp >>> 16;
        int st = (zp >>> 8) & 0xff;
        ev.state = st == OPEN ? TcpState.CLOSED : TcpState.of(st);
    }

    /** Removes a session; a dynamic BIB entry goes with its last session (RFC 6146 §3.1). */
    private void removeSession(int s, NatEvent.End end) {
        int b = recs.get(s, S_BIB);
        sessionIndex.remove(s);
        int next = recs.get(s, S_NEXT);
        int prev = recs.get(s, S_PREV);
        if (prev >= 0) {
            recs.set(prev, S_NEXT, next);
        } else {
            recs.set(b, B_FIRST, next);
        }
        if (next >= 0) {
            recs.set(next, S_PREV, prev);
        }
        addBibCount(b, -1);
        int u = findSub(table.subHi(bibHi(b)), table.subLo(bibLo(b)));
        subs.set(u, U_SESSIONS, subs.get(u, U_SESSIONS) - 1);
        table.releaseSession();
        sessionEvent(s);
        ev.end = end;
        table.listener.sessionEnded(ev);
        recs.set(s, S_ZP, 0);
        liveSessions--;
        if ((recs.get(s, B_META) & META_LIVE) == 0) {
            recs.free(s);
        }
        if (bibCount(b) == 0 && !isStaticBib(b)) {
            removeBib(b, NatEvent.End.NO_SESSIONS);
        }
    }

    // ------------------------------------------------------------------ static BIB entries

    /** Adds a static entry; the caller has checked uniqueness of (T,t) and reserved the BIB count. */
    void addStatic(int p, long hi, long lo, int x, int t4, int t, long subHi, long subLo, int subNo) {
        int u = findSub(subHi, subLo);
        if (u < 0) {
            u = newSub(subHi, subLo, t4, subNo);
        }
        newBib(p, hi, lo, x, t4, t, true, u);
    }

    /** Removes a static entry and its own sessions; every other session stays. */
    boolean removeStatic(int p, int t4, int t) {
        int b = findBibIn(p, t4, t);
        if (b < 0 || !isStaticBib(b)) {
            return false;
        }
        for (int s = recs.get(b, B_FIRST); s >= 0; s = recs.get(b, B_FIRST)) {
            removeSession(s, NatEvent.End.REMOVED);
        }
        removeBib(b, NatEvent.End.REMOVED);
        return true;
    }

    // ------------------------------------------------------------------ port allocation

    /**
     * Picks (T,t) for a new BIB entry of (X',x), RFC 6146 §3.5.1.1 and RFC 4787 §4.1: the
     * subscriber's paired T first (REQ-2), the port x itself if free there (port preservation,
     * the MAY of §3.5.1.1 and RFC 4787 REQ-1's discussion; x has its own range and parity), else
     * a port of the same range, 0-1023 or 1024-65535 (REQ-3a), and for UDP the same parity
     * (REQ-4). (T,t) is unique per protocol (REQ-3, MUST) because only this shard allocates in its
     * slice of the space, and a port of another shard's slice only as that shard's loan.
     *
     * <p>When this shard's slice of T is full, a port of another shard's slice of T is borrowed
     * before T is given up: the slices cut the pool into 1/shards parts for locking, not for
     * sharing, and without the loan one subscriber who filled its slice would starve every
     * subscriber hashed to this shard while the other slices had room (and paired pooling, REQ-2,
     * keeps T). Other addresses are tried, in this shard's slices, only when the lenders asked had
     * nothing either.
     *
     * @param lender the shard, locked too, that may lend (see {@link #outbound})
     * @return {@link #pack}ed (T,t); -1 when the pool is exhausted, -2 when not a subscriber,
     *     {@link #NEED_LENDER} when a port must come from an unlocked shard's slice
     */
    private long allocate(NatProtocol proto, int x, int pairedT, boolean paired, long subHi, long subLo,
            int subNo, Shard lender, boolean lastLender) {
        Pool4 pool = table.pool;
        PortBlocks blocks = table.blocks;
        if (blocks != null) {
            if (subNo < 0) {
                return -2;
            }
            int a = blocks.addressIndex(pool, subNo);
            int t = inBlock(proto, a, blocks.blockStart(pool, subNo), blocks.blockSize(), x);
            return t < 0 ? -1 : pack(pool.address(a), t);
        }
        int pairedIndex = paired ? pool.indexOf(pairedT) : -1;
        int n = pool.size();
        int start = (int) Long.remainderUnsigned(subHash(subHi, subLo) & 0xffff_ffffL, n);
        int first = pairedIndex >= 0 ? pairedIndex : start;
        long kept = keep(proto, first, x, lender);
        if (kept >= 0 || kept == NEED_LENDER) {
            return kept;
        }
        int own = inSlice(proto, first, x);
        if (own >= 0) {
            return pack(pool.address(first), own);
        }
        long lent = borrow(proto, first, x, lender, lastLender);
        if (lent >= 0 || lent == NEED_LENDER) {
            return lent;
        }
        int tries = Math.min(n, ADDRESS_TRIES);
        for (int i = 0; i < tries; i++) {
            int a = (start + i) % n;
            if (a == first) {
                continue;
            }
            int t = inSlice(proto, a, x);
            if (t >= 0) {
                return pack(pool.address(a), t);
            }
        }
        return -1;
    }

    /**
     * Port preservation at address number {@code a}: (T,x) when x is in the protocol's range there
     * and free. In this shard's own slice that is a lookup; in another shard's, that shard must be
     * locked ({@code lender}) to lend it, so that its own allocator cannot take x meanwhile.
     *
     * @return {@link #pack}ed (T,x); -1 when x cannot be kept; {@link #NEED_LENDER}, with
     *     {@link #wantedLender} set, when x lies in the slice of a shard that is not locked
     */
    private long keep(NatProtocol proto, int a, int x, Shard lender) {
        Pool4 pool = table.pool;
        int lo = pool.first(proto, a);
        if (lo < 0 || x < lo || x > pool.last(proto, a) || x == 0 && proto != NatProtocol.ICMP) {
            return -1;
        }
        int t4 = pool.address(a);
        int p = proto.ordinal();
        int owner = table.sliceOwner(t4, x);
        if (owner == id) {
            return portFree(p, t4, x) ? pack(t4, x) : -1;
        }
        if (lender == null) {
            wantedLender = owner;
            return NEED_LENDER;
        }
        if (lender.id != owner || !lender.portFree(p, t4, x)) {
            return -1; // the pairing moved between the two calls, or x is taken
        }
        lender.loans.lend(Nat64Table.StaticMap.key(p, t4, x), id);
        return pack(t4, x);
    }

    /**
     * A port of {@code lender}'s slice of address number {@code a}, lent to this shard, with the
     * same preferences (range, parity) as in this shard's own slice.
     *
     * @return {@link #pack}ed (T,t); -1 when no shard can lend (one shard, or the last lender
     *     asked had none); {@link #NEED_LENDER}, with {@link #wantedLender} set, to ask (another) one
     */
    private long borrow(NatProtocol proto, int a, int x, Shard lender, boolean lastLender) {
        if (table.shardBits == 0 || table.pool.first(proto, a) < 0) {
            return -1;
        }
        if (lender != null) {
            int t = lender.inSlice(proto, a, x);
            if (t >= 0) {
                int t4 = table.pool.address(a);
                lender.loans.lend(Nat64Table.StaticMap.key(proto.ordinal(), t4, t), id);
                return pack(t4, t);
            }
            if (lastLender) {
                return -1;
            }
        }
        // Each ask names the owner of the next 16-port chunk of the protocol's range at T: only
        // shards with ports there are asked (a narrow range has few), in turn, so that the
        // lenders share the load and a full one is not asked first again and again.
        Pool4 pool = table.pool;
        int c0 = pool.first(proto, a) >>> 4;
        int chunks = (pool.last(proto, a) >>> 4) - c0 + 1;
        int t4 = pool.address(a);
        for (int i = Math.min(chunks, 1 << table.shardBits); i > 0; i--) {
            int owner = table.sliceOwner(t4, (c0 + Integer.remainderUnsigned(lendCursor++, chunks)) << 4);
            if (owner != id) {
                wantedLender = owner;
                return NEED_LENDER;
            }
        }
        return -1; // this shard owns every chunk of the range
    }

    /** (T,t) in the low 48 bits of a long, never negative (T may have its top bit set). */
    private static long pack(int t4, int t) {
        return (t4 & 0xffff_ffffL) << 16 | t;
    }

    /** A free port of this shard's slice of address number {@code a}, or -1. */
    private int inSlice(NatProtocol proto, int a, int x) {
        Pool4 pool = table.pool;
        int lo = pool.first(proto, a);
        int hi = pool.last(proto, a);
        if (lo < 0) {
            return -1;
        }
        int t4 = pool.address(a);
        int p = proto.ordinal();
        int clo = lo;
        int chi = hi;
        if (proto != NatProtocol.ICMP) {
            // RFC 4787 REQ-3a: keep the range, well-known 0-1023 or 1024-65535, when it has room.
            if (x < 1024) {
                chi = Math.min(hi, 1023);
            } else {
                clo = Math.max(lo, 1024);
            }
            if (clo > chi) {
                clo = lo;
                chi = hi;
            }
            clo = Math.max(clo, 1);
        }
        int parity = proto == NatProtocol.UDP ? x & 1 : -1;
        if (x >= clo && x <= chi && table.sliceOwner(t4, x) == id && portFree(p, t4, x)) {
            return x;
        }
        int t = searchSlice(p, t4, x, clo, chi, parity);
        if (t < 0 && (clo != Math.max(lo, 1) || chi != hi) && proto != NatProtocol.ICMP) {
            // The range is full: keeping T (paired pooling, REQ-2) matters more to applications
            // than keeping the range (REQ-3a), so try the rest of this address first.
            t = searchSlice(p, t4, x, Math.max(lo, 1), hi, parity);
        }
        return t;
    }

    /**
     * This shard owns the 16-port chunks c of T with (c + rotation(T)) mod shards == id: local slot
     * k is chunk c0 + (k / 16) * shards, port k % 16 within it. Walks the slots from x's position,
     * at most {@link #PROBE_LIMIT} table probes.
     */
    private int searchSlice(int p, int t4, int x, int clo, int chi, int parity) {
        int bits = table.shardBits;
        int rot = table.rotation(t4);
        int slots = 65536 >>> bits;
        int c0 = (id - rot) & ((1 << bits) - 1);
        int k0 = ((x >>> 4) >>> bits) << 4 | (x & 15);
        int probes = 0;
        for (int i = 0; i < slots; i++) {
            int k = (k0 + i) & (slots - 1);
            int port = (c0 + (k >>> 4 << bits)) << 4 | (k & 15);
            if (port < clo || port > chi || parity >= 0 && (port & 1) != parity) {
                continue;
            }
            if (portFree(p, t4, port)) {
                return port;
            }
            if (++probes >= PROBE_LIMIT) {
                break;
            }
        }
        return -1;
    }

    /**
     * A free port of a deterministic block (RFC 7422): x itself when it lies in the block (port
     * preservation), else from x's offset in the block on.
     */
    private int inBlock(NatProtocol proto, int a, int first, int size, int x) {
        Pool4 pool = table.pool;
        int lo = pool.first(proto, a);
        int hi = pool.last(proto, a);
        if (lo < 0) {
            return -1;
        }
        int t4 = pool.address(a);
        int p = proto.ordinal();
        int parity = proto == NatProtocol.UDP ? x & 1 : -1;
        for (int i = 0; i < size; i++) {
            int port = first + ((x - first + i) & (size - 1));
            if (port < lo || port > hi || port == 0 && proto != NatProtocol.ICMP
                    || parity >= 0 && (port & 1) != parity) {
                continue;
            }
            if (portFree(p, t4, port)) {
                return port;
            }
        }
        return -1;
    }

    /** (T,t), in this shard's slice or block, is neither in its BIB nor static nor lent. */
    private boolean portFree(int p, int t4, int t) {
        return findBibIn(p, t4, t) < 0 && !table.isStatic(p, t4, t)
                && loans.borrower(Nat64Table.StaticMap.key(p, t4, t)) < 0;
    }

    boolean bibInUse(int p, int t4, int t) {
        return findBibIn(p, t4, t) >= 0;
    }

    // ------------------------------------------------------------------ stored IPv4 SYNs

    private NatVerdict storeSyn(int t4, int t, int z4, int z, int now, MemorySegment packet, long offset,
            int length) {
        for (int n = 0; n < synUsed; n++) {
            int i = (synHead + n) % synCap;
            if (synLen[i] >= 0 && synT[i] == t4 && synTp[i] == t && synZ[i] == z4 && synZp[i] == z) {
                return NatVerdict.SYN_STORED; // a retransmission: the first copy stays
            }
        }
        while (synUsed > 0 && synLen[synHead] < 0) {
            synHead = (synHead + 1) % synCap;
            synUsed--;
        }
        if (synUsed == synCap) {
            return NatVerdict.STORED_SYN_LIMIT;
        }
        int i = (synHead + synUsed) % synCap;
        synUsed++;
        synLive++;
        synT[i] = t4;
        synTp[i] = t;
        synZ[i] = z4;
        synZp[i] = z;
        synExp[i] = now + table.synTicks;
        int len = packet == null ? 0 : Math.min(length, SYN_BYTES);
        if (len > 0) {
            MemorySegment.copy(packet, ValueLayout.JAVA_BYTE, offset, synBytes, i * SYN_BYTES, len);
        }
        synLen[i] = len;
        return NatVerdict.SYN_STORED;
    }

    private boolean supersedeStoredSyn(int t4, int t, int z4, int z) {
        for (int n = 0; n < synUsed; n++) {
            int i = (synHead + n) % synCap;
            if (synLen[i] >= 0 && synT[i] == t4 && synTp[i] == t && synZ[i] == z4 && synZp[i] == z) {
                synLen[i] = -1;
                synLive--;
                synsSuperseded++;
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ expiry

    /**
     * Expires what is due: stored SYNs (all that are due; at most the ring's size), then up to
     * {@code budget} session records from where the last call stopped.
     *
     * @return sessions removed
     */
    int expire(int now, int budget) {
        while (synUsed > 0) {
            int i = synHead;
            if (synLen[i] >= 0) {
                if (!expired(synExp[i], now)) {
                    break;
                }
                synLive--;
                synsExpired++;
                if (table.settings.storedSynIcmp()) {
                    ev.clear();
                    ev.protocol = NatProtocol.TCP;
                    ev.t4 = synT[i];
                    ev.t4Port = synTp[i];
                    ev.z4 = synZ[i];
                    ev.z4Port = synZp[i];
                    ev.state = TcpState.V4_INIT;
                    ev.end = NatEvent.End.EXPIRED;
                    ev.packet = MemorySegment.ofArray(synBytes).asSlice((long) i * SYN_BYTES, synLen[i]);
                    table.listener.storedSynExpired(ev);
                }
            }
            synHead = (synHead + 1) % synCap;
            synUsed--;
        }
        int removed = 0;
        int n = Math.min(budget, recs.high());
        for (int k = 0; k < n; k++) {
            if (sweepHand >= recs.high()) {
                sweepHand = 0;
            }
            int s = sweepHand++;
            int st = state(s);
            if (st == 0 || !expired(recs.get(s, S_EXP), now)) {
                continue;
            }
            if (st != OPEN && TcpState.expiresToTrans(TcpState.of(st))) {
                // RFC 6146 §3.5.2.2: an ESTABLISHED session whose TCP_EST ran out is probed and moved
                // to TRANS for TCP_TRANS; traffic brings it back, silence deletes it.
                setState(s, TcpState.TRANS.ordinal());
                recs.set(s, S_EXP, now + table.transTicks);
                probes++;
                if (table.settings.probeEstablished()) {
                    sessionEvent(s);
                    table.listener.probe(ev);
                }
                continue;
            }
            removeSession(s, st == TcpState.V6_V4_FIN_RCV.ordinal() ? NatEvent.End.CLOSED : NatEvent.End.EXPIRED);
            sessionsExpired++;
            removed++;
        }
        return removed;
    }

    /** Ends every session (and so every dynamic BIB entry), telling the listener; returns how many. */
    int endAll() {
        int ended = 0;
        for (int s = 0; s < recs.high(); s++) {
            if (state(s) != 0) {
                removeSession(s, NatEvent.End.REMOVED);
                ended++;
            }
        }
        return ended;
    }

    int liveSessions() {
        return liveSessions;
    }

    /** Whether record {@code r} holds a session of its own BIB entry (found without the session index). */
    private boolean holdsOwnSession(int r) {
        return state(r) != 0 && (recs.get(r, B_META) & META_LIVE) != 0;
    }

    /** Adds this shard's probe sums (only the sessions outside their BIB's record use the session index). */
    void addLookupDepth(LookupDepth.Sums sums) {
        sums.bibOutSlots += bibOut.probeSum(b -> true);
        sums.bibInSlots += bibIn.probeSum(b -> true);
        sums.bibs += liveBibs;
        sums.sessionSlots += sessionIndex.probeSum(r -> !holdsOwnSession(r));
        sums.sessions += liveSessions;
        for (int r = 0; r < recs.high(); r++) {
            if (holdsOwnSession(r)) {
                sums.inBibRecord++;
            }
        }
    }

    int storedSyns() {
        return synLive;
    }

    // ------------------------------------------------------------------ snapshots and checks

    void collectBibs(List<BibEntry> out, NatProtocol only) {
        for (int b = 0; b < recs.high(); b++) {
            int meta = recs.get(b, B_META);
            if ((meta & META_LIVE) == 0 || only != null && (meta & 3) != only.ordinal()) {
                continue;
            }
            int ports = recs.get(b, B_PORTS);
            out.add(new BibEntry(NatProtocol.of(meta & 3), new Ipv6Address(bibHi(b), bibLo(b)), ports >>> 16,
                    recs.get(b, B_T), ports & 0xffff, (meta & META_STATIC) != 0, meta >>> 4));
        }
    }

    void collectSessions(List<SessionEntry> out, NatProtocol only, long hi, long lo, long maskHi, long maskLo,
            int now) {
        for (int s = 0; s < recs.high(); s++) {
            int zp = recs.get(s, S_ZP);
            int st = (zp >>> 8) & 0xff;
            if (st == 0) {
                continue;
            }
            int b = recs.get(s, S_BIB);
            int p = recs.get(b, B_META) & 3;
            if (only != null && p != only.ordinal()) {
                continue;
            }
            long bh = bibHi(b);
            long bl = bibLo(b);
            if ((bh & maskHi) != hi || (bl & maskLo) != lo) {
                continue;
            }
            int ports = recs.get(b, B_PORTS);
            long left = Math.max(0, (long) (recs.get(s, S_EXP) - now)) * Nat64Table.TICK_NANOS / 1_000_000;
            out.add(new SessionEntry(NatProtocol.of(p), new Ipv6Address(bh, bl), ports >>> 16, recs.get(b, B_T),
                    ports & 0xffff, recs.get(s, S_Z), zp >>> 16, st == OPEN ? TcpState.CLOSED : TcpState.of(st),
                    left));
        }
    }

    int liveBibs(int p) {
        int n = 0;
        for (int b = 0; b < recs.high(); b++) {
            int meta = recs.get(b, B_META);
            if ((meta & META_LIVE) != 0 && (meta & 3) == p) {
                n++;
            }
        }
        return n;
    }

    long heapBytes() {
        return recs.bytes() + subs.bytes() + sessionIndex.bytes() + bibOut.bytes()
                + bibIn.bytes() + subIndex.bytes() + loans.bytes() + synBytes.length + synCap * 24L;
    }

    /** Every structural invariant of this shard; throws IllegalStateException naming the first broken. */
    void check(int maxPerSubscriber, int maxPortsPerSubscriber) {
        int sessionsSeen = 0;
        int recordsUsed = 0;
        for (int s = 0; s < recs.high(); s++) {
            boolean bibPart = (recs.get(s, B_META) & META_LIVE) != 0;
            if (bibPart || state(s) != 0) {
                recordsUsed++;
            }
            if (state(s) == 0) {
                continue;
            }
            sessionsSeen++;
            int b = recs.get(s, S_BIB);
            require(!bibPart || b == s, "record " + s + " holds a BIB entry and a session of another");
            require((recs.get(b, B_META) & META_LIVE) != 0, "session " + s + " refers to a dead BIB entry");
            require(findSession(b, recs.get(s, S_Z), recs.get(s, S_ZP) >>> 16) == s,
                    "session " + s + " is not found by its key");
        }
        require(sessionsSeen == liveSessions && sessionsSeen == sessionIndex.size(), "session counts differ");
        require(recordsUsed == recs.live(), "records in use differ from the slab's count");
        int bibsSeen = 0;
        // Per subscriber and protocol: BIB entries, and the dynamic ones the port limit bounds
        // (a static entry is the operator's, added whatever the limit).
        int[] held = new int[subs.high() * 3];
        int[] dynamic = new int[subs.high() * 3];
        for (int b = 0; b < recs.high(); b++) {
            int meta = recs.get(b, B_META);
            if ((meta & META_LIVE) == 0) {
                continue;
            }
            bibsSeen++;
            int p = meta & 3;
            require(findBibOut(p, bibHi(b), bibLo(b), recs.get(b, B_PORTS) >>> 16) == b, "BIB " + b + " not found by (X',x)");
            require(findBibIn(p, recs.get(b, B_T), recs.get(b, B_PORTS) & 0xffff) == b, "BIB " + b + " not found by (T,t)");
            int n = 0;
            for (int s = recs.get(b, B_FIRST); s >= 0; s = recs.get(s, S_NEXT)) {
                require(recs.get(s, S_BIB) == b, "session list of BIB " + b + " holds a stranger");
                n++;
            }
            require(n == meta >>> 4, "BIB " + b + " counts " + (meta >>> 4) + " sessions, lists " + n);
            require(n > 0 || (meta & META_STATIC) != 0, "dynamic BIB " + b + " outlived its sessions");
            int u = findSub(table.subHi(bibHi(b)), table.subLo(bibLo(b)));
            require(u >= 0, "BIB " + b + " has no subscriber");
            held[u * 3 + p]++;
            dynamic[u * 3 + p] += (meta & META_STATIC) == 0 ? 1 : 0;
        }
        require(bibsSeen == liveBibs && bibsSeen == bibOut.size() && bibsSeen == bibIn.size(), "BIB counts differ");
        int subBibs = 0;
        int subSessions = 0;
        require(subIndex.size() == subs.live(), "subscriber counts differ");
        // Sum per-subscriber counts through the index.
        for (int v : subIndex.slots) {
            if (v != 0) {
                int u = v - 1;
                require(subBibs(u) > 0, "subscriber " + u + " without BIB entries");
                require(subs.get(u, U_SESSIONS) <= maxPerSubscriber, "subscriber " + u + " over its limit");
                for (int p = 0; p < 3; p++) {
                    require(subs.get(u, U_BIBS + p) == held[u * 3 + p], "subscriber " + u + " counts "
                            + subs.get(u, U_BIBS + p) + " BIB entries of protocol " + p + ", holds " + held[u * 3 + p]);
                    require(dynamic[u * 3 + p] <= maxPortsPerSubscriber, "subscriber " + u + " holds "
                            + dynamic[u * 3 + p] + " dynamic (T,t) of protocol " + p + ", over its limit");
                }
                subBibs += subBibs(u);
                subSessions += subs.get(u, U_SESSIONS);
            }
        }
        require(subBibs == liveBibs, "subscribers count " + subBibs + " BIB entries, shard holds " + liveBibs);
        require(subSessions == liveSessions, "subscribers count " + subSessions + " sessions, shard holds " + liveSessions);
        require(synLive >= 0 && synLive <= synUsed && synUsed <= synCap, "stored SYN counts broken");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
