package dev.isthmus.nat;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stateful NAT64 tables of RFC 6146 §3: BIB per protocol (TCP, UDP, ICMP query), sessions with
 * lifetimes and the TCP state machine, endpoint-independent mapping, configurable filtering, pool4
 * port allocation (§3.5.1.1, RFC 4787), limits, expiry, static entries, deterministic port blocks
 * (RFC 7422). State only: the translator calls {@link #outbound} for each IPv6 packet and
 * {@link #inbound} for each IPv4 packet (after RFC 6146 §3.4 gave it the tuple) and rewrites the
 * packet by the mapping left in the {@link NatResult}.
 *
 * <h2>Concurrency: shards by subscriber, each owning a slice of (T, t)</h2>
 * The state is split into {@link Nat64Settings#shards} shards, each behind its own monitor. An
 * IPv6 packet goes to the shard of its subscriber (a hash of X' cut to the subscriber length, or
 * the port-block number). An IPv4 packet goes to the shard that owns (T, t): with dynamic
 * allocation pool4's port space is cut into 16-port chunks dealt round-robin (from a per-address
 * rotation) to the shards, and a shard allocates only from its own chunks; with port blocks the
 * block's subscriber names the shard; a static entry's (T, t) is looked up in a small
 * copy-on-write map first. So both directions of every flow meet in one shard, a lock covers a
 * whole operation (BIB, session, subscriber and limit all consistent), and uniqueness of (T, t)
 * needs no global lock. Workers contend only when they touch the same shard at the same moment:
 * with 64 shards and a handful of workers that is rare, and the critical section is a few hash
 * probes (tens of nanoseconds). Lock-free reads were the alternative; they would need a seqlock
 * per record and still a lock for the refresh and the TCP transition that almost every packet
 * makes, so the gain would be small and the risk large.
 *
 * <p>Port preservation (RFC 6146 §3.5.1.1) crosses the slices: a client keeps its source port x
 * whenever (T,x) is free, and x usually lies in another shard's chunk. That shard lends the port
 * ({@link PortLoans}): the client's shard takes both locks in shard order, checks and records
 * the loan in the lender, and keeps the BIB entry; the IPv4 side's router looks the loan up
 * (without a lock) after the owner is computed and goes to the borrower. Only a new BIB entry
 * whose x lies elsewhere takes two locks; a packet of an existing session still takes one.
 * When x is taken, the port that replaces it comes from the client's shard's slice, and when
 * that slice of T is full, from another shard's slice of T as that shard's loan, taken the same
 * way (the lenders asked in turn, at most {@link Shard#LENDER_TRIES}): a slice holds 1/shards of
 * each address's ports, and without the loan one subscriber who filled it would starve every
 * subscriber of its shard while the others had room. What bounds one subscriber is
 * {@link Nat64Settings#maxPortsPerSubscriber} (RFC 6888 REQ-4), per protocol.
 *
 * <h2>Memory and cost</h2>
 * Primitive arrays only (see {@link Shard}): a BIB entry and its first session share a 56-byte
 * record, with 12-24 bytes of indexes (about 70-90 bytes a session when every session has a BIB
 * entry of its own: TCP with a fresh source port per connection); a BIB entry's further sessions
 * take a record each, 56 bytes plus 4-8 of index. A BIB entry that kept a port of another
 * shard's slice adds its loan in the lender, 16-32 bytes (an 8-byte slot at load ≤ 1/2). Lookups
 * are open addressing at load ≤ 1/2, so their work does not grow with the table; the common hit
 * reads one index slot and one record (an IPv4 packet also one loan slot when its shard lends
 * any). The lookup-and-refresh path allocates nothing.
 *
 * <h2>Time</h2>
 * Callers pass {@code nowNanos} from a {@code xlat.NanoClock}; the tables keep time in ticks of
 * 2^24 ns (16.8 ms), round every lifetime up by a tick (an entry never dies early), and compare
 * ticks wrap-safely (timers are bounded by {@link Nat64Settings#MAX_TIMEOUT}).
 */
public final class Nat64Table {
    static final int TICK_SHIFT = 24;
    static final long TICK_NANOS = 1L << TICK_SHIFT;

    /** The answer to {@link #addStatic}. */
    public enum StaticResult {
        ADDED,
        /** T is not in pool4. */
        NOT_IN_POOL4,
        /** (T, t) is held by another BIB entry (dynamic or static). */
        IN_USE,
        /** (X', x) already has a BIB entry (endpoint-independent mapping allows one). */
        CONFLICT,
        /** With port blocks, X' is not a subscriber. */
        NOT_A_SUBSCRIBER,
        BIB_LIMIT
    }

    final Nat64Settings settings;
    final Pool4 pool;
    final PortBlocks blocks;
    final Nat64Listener listener;
    final Filtering filtering;
    private final FtpAlg ftpAlg;
    private final Shard[] shards;
    final int shardBits;
    private final int shardMask;
    private final long subMaskHi;
    private final long subMaskLo;
    final int udpTicks;
    final int icmpTicks;
    final int estTicks;
    final int transTicks;
    final int synTicks;
    private final AtomicInteger sessionCount = new AtomicInteger();
    private final AtomicInteger[] bibCount = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    private volatile StaticMap statics = StaticMap.EMPTY;
    private final Object staticLock = new Object();
    private final Object expireLock = new Object();
    private final PortLimitLog portLimitLog = new PortLimitLog(System.getLogger("nat64"));
    private int expireCursor;

    public Nat64Table(Nat64Settings settings, Nat64Listener listener) {
        this.settings = settings;
        this.pool = settings.pool4();
        this.blocks = settings.portBlocks();
        Nat64Listener l = listener == null ? Nat64Listener.NONE : listener;
        this.ftpAlg = settings.ftpAlgPorts().isEmpty() ? null
                : new FtpAlg(this, settings.ftpAlgPorts(), FtpAlg.MAX_CONTROL_CONNECTIONS);
        // The ALG forgets a control connection when its session ends, then the caller hears of it.
        this.listener = ftpAlg == null ? l : ftpAlg.listener(l);
        this.filtering = settings.filtering();
        int n = settings.shards();
        shardBits = Integer.numberOfTrailingZeros(n);
        shardMask = n - 1;
        subMaskHi = Ipv6Prefix.maskHi(settings.subscriberLength());
        subMaskLo = Ipv6Prefix.maskLo(settings.subscriberLength());
        udpTicks = ticks(settings.udpTimeout().toNanos());
        icmpTicks = ticks(settings.icmpTimeout().toNanos());
        estTicks = ticks(settings.tcpEstablished().toNanos());
        transTicks = ticks(settings.tcpTransitory().toNanos());
        synTicks = ticks(settings.tcpIncomingSyn().toNanos());
        int synCap = settings.maxStoredSyns() == 0 ? 0 : Math.max(1, (settings.maxStoredSyns() + n - 1) / n);
        shards = new Shard[n];
        for (int i = 0; i < n; i++) {
            shards[i] = new Shard(this, i, synCap);
        }
    }

    /** A lifetime in ticks, rounded up and one more, so that an entry never expires early. */
    private static int ticks(long nanos) {
        return (int) ((nanos + TICK_NANOS - 1) >>> TICK_SHIFT) + 1;
    }

    static int tick(long nanos) {
        return (int) (nanos >> TICK_SHIFT);
    }

    int ticks(NatProtocol p) {
        return p == NatProtocol.UDP ? udpTicks : icmpTicks;
    }

    public Nat64Settings settings() {
        return settings;
    }

    /** The FTP ALG (RFC 6384) of this NAT64, or null when {@link Nat64Settings#ftpAlgPorts} is empty. */
    public FtpAlg ftpAlg() {
        return ftpAlg;
    }

    // ------------------------------------------------------------------ the packet path

    /**
     * A packet from the IPv6 side, (X',x) → (Y',y) with Y' = Pref64::Z (RFC 6146 §3.5): finds or
     * creates the BIB entry and the session, refreshes the lifetime, runs the TCP state machine.
     * After {@link NatVerdict#OK}, {@link NatResult#t4()}/{@link NatResult#t4Port()} are the new
     * source (T,t). On a drop, {@link NatVerdict#icmp()} says what to send: for every allocation
     * and limit failure ICMPv6 Destination Unreachable 1/3 (RFC 6146 §3.5.1.1); a refusal by
     * {@link Nat64Settings#maxPortsPerSubscriber} is also logged, at most a line a second.
     * Allocates nothing when the session exists.
     *
     * @param x the source port, or the ICMP identifier (i1)
     * @param z4 Z, the IPv4 address the destination Y' embeds
     * @param z the destination port y (ignored for ICMP)
     * @param tcpFlags the TCP header's flags (FIN, SYN, RST matter); 0 for UDP and ICMP
     */
    public NatVerdict outbound(NatResult r, NatProtocol p, long x6Hi, long x6Lo, int x, int z4, int z, int tcpFlags,
            long nowNanos) {
        r.reset(p);
        int zz = p == NatProtocol.ICMP ? 0 : z;
        long sh = x6Hi & subMaskHi;
        long sl = x6Lo & subMaskLo;
        int subNo = -1;
        int shard;
        if (blocks != null) {
            subNo = blocks.subscriberIndex(x6Hi, x6Lo);
            if (subNo < 0) {
                return r.done(NatVerdict.NOT_A_SUBSCRIBER);
            }
            shard = subNo & shardMask;
        } else {
            shard = subscriberShard(sh, sl);
        }
        Shard s = shards[shard];
        int now = tick(nowNanos);
        NatVerdict v;
        int lender;
        synchronized (s) {
            v = s.outbound(r, p, x6Hi, x6Lo, x, z4, zz, tcpFlags, now, sh, sl, subNo, null, false);
            lender = s.wantedLender;
        }
        for (int i = 1; v == null; i++) {
            // A new BIB entry needs a port of another shard's slice (x to keep, or any when this
            // shard's is full): again with that shard locked too, both in shard order (as
            // addStatic), so that it can lend; a lender with nothing to lend names the next.
            Shard l = shards[lender];
            r.reset(p);
            synchronized (shard < lender ? s : l) {
                synchronized (shard < lender ? l : s) {
                    v = s.outbound(r, p, x6Hi, x6Lo, x, z4, zz, tcpFlags, now, sh, sl, subNo, l,
                            i == Shard.LENDER_TRIES);
                    lender = s.wantedLender;
                }
            }
        }
        if (v == NatVerdict.PORT_LIMIT) {
            portLimitLog.refused(p, sh, sl, settings.subscriberLength(), settings.maxPortsPerSubscriber(), nowNanos);
        }
        return r.done(v);
    }

    /** {@link #inbound(NatResult, NatProtocol, int, int, int, int, int, long, MemorySegment, long, int)} without keeping a stored SYN's bytes. */
    public NatVerdict inbound(NatResult r, NatProtocol p, int z4, int z, int t4, int t, int tcpFlags, long nowNanos) {
        return inbound(r, p, z4, z, t4, t, tcpFlags, nowNanos, null, 0, 0);
    }

    /**
     * A packet from the IPv4 side, (Z,z) → (T,t) (RFC 6146 §3.5): finds the BIB entry by (T,t),
     * filters, finds or creates the session. After {@link NatVerdict#OK} the new destination is
     * (X',x) = {@link NatResult#x6Hi()}/{@link NatResult#x6Lo()}/{@link NatResult#x6Port()} and
     * the source is Pref64::Z. {@link NatVerdict#SYN_STORED}: the table kept a copy of this IPv4
     * SYN ({@code packet}, at most 120 bytes, may be null) and will hand it to
     * {@link Nat64Listener#storedSynExpired} if no IPv6 SYN comes within TCP_INCOMING_SYN; drop
     * the packet now, silently.
     *
     * @param z the source port (ignored for ICMP)
     * @param t the destination port, or the ICMP identifier (i2)
     */
    public NatVerdict inbound(NatResult r, NatProtocol p, int z4, int z, int t4, int t, int tcpFlags, long nowNanos,
            MemorySegment packet, long offset, int length) {
        r.reset(p);
        int zz = p == NatProtocol.ICMP ? 0 : z;
        int shard = inboundShard(p, t4, t);
        if (shard < 0) {
            return r.done(shard == -1 ? NatVerdict.NOT_IN_POOL4 : NatVerdict.NO_BIB);
        }
        Shard s = shards[shard];
        NatVerdict v;
        synchronized (s) {
            v = s.inbound(r, p, z4, zz, t4, t, tcpFlags, tick(nowNanos), packet, offset, length);
        }
        return r.done(v);
    }

    /**
     * For an ICMPv6 error from the IPv6 side: the mapping of its inner packet's tuple, reversed
     * (source (X',x), destination Z,z). Read only: an ICMP error never creates, refreshes or
     * deletes state (RFC 5508 REQ-6, RFC 5382 REQ-10, RFC 4787 REQ-12).
     */
    public NatVerdict findOutbound(NatResult r, NatProtocol p, long x6Hi, long x6Lo, int x, int z4, int z) {
        r.reset(p);
        int zz = p == NatProtocol.ICMP ? 0 : z;
        long sh = x6Hi & subMaskHi;
        long sl = x6Lo & subMaskLo;
        int shard;
        if (blocks != null) {
            int subNo = blocks.subscriberIndex(x6Hi, x6Lo);
            if (subNo < 0) {
                return r.done(NatVerdict.NOT_A_SUBSCRIBER);
            }
            shard = subNo & shardMask;
        } else {
            shard = subscriberShard(sh, sl);
        }
        Shard s = shards[shard];
        NatVerdict v;
        synchronized (s) {
            v = s.findOutbound(r, p, x6Hi, x6Lo, x, z4, zz);
        }
        return r.done(v);
    }

    /** For an ICMPv4 error from the IPv4 side: the mapping of its inner tuple reversed ((Z,z) → (T,t)). Read only. */
    public NatVerdict findInbound(NatResult r, NatProtocol p, int z4, int z, int t4, int t) {
        r.reset(p);
        int zz = p == NatProtocol.ICMP ? 0 : z;
        int shard = inboundShard(p, t4, t);
        if (shard < 0) {
            return r.done(shard == -1 ? NatVerdict.NOT_IN_POOL4 : NatVerdict.NO_BIB);
        }
        Shard s = shards[shard];
        NatVerdict v;
        synchronized (s) {
            v = s.findInbound(r, p, z4, zz, t4, t);
        }
        return r.done(v);
    }

    // ------------------------------------------------------------------ routing

    int subscriberShard(long sh, long sl) {
        return Index.mix(sh * 0xc2b2_ae3d_27d4_eb4fL ^ sl) & shardMask;
    }

    /** The shard that owns (T,t) of protocol p; -1 when T is not in pool4, -2 when nothing can hold it. */
    private int inboundShard(NatProtocol p, int t4, int t) {
        StaticMap st = statics;
        if (st.size > 0) {
            int home = st.get(StaticMap.key(p.ordinal(), t4, t));
            if (home >= 0) {
                return home;
            }
        }
        int owner = dynamicOwner(t4, t);
        if (owner == -3) {
            return -1;
        }
        if (owner >= 0 && blocks == null) {
            // A port kept for a client of another shard (port preservation) is served there.
            int borrower = shards[owner].loans.borrower(StaticMap.key(p.ordinal(), t4, t));
            if (borrower >= 0) {
                return borrower;
            }
        }
        return owner;
    }

    /** The shard that allocates (T,t) dynamically: -3 when T is outside pool4, -2 when no shard does. */
    private int dynamicOwner(int t4, int t) {
        if (blocks != null) {
            int sub = blocks.subscriberOf(pool, t4, t);
            if (sub < 0) {
                return pool.contains(t4) ? -2 : -3;
            }
            return sub & shardMask;
        }
        if (!pool.contains(t4)) {
            return -3;
        }
        return sliceOwner(t4, t);
    }

    /** The loans of shard {@code i}'s slice. */
    PortLoans loans(int i) {
        return shards[i].loans;
    }

    int rotation(int t4) {
        return Index.mix(t4 & 0xffff_ffffL) & shardMask;
    }

    /** With dynamic allocation: the shard whose slice holds port t of T (16-port chunks, rotated per T). */
    int sliceOwner(int t4, int t) {
        return ((t >>> 4) + rotation(t4)) & shardMask;
    }

    long subHi(long hi) {
        return hi & subMaskHi;
    }

    long subLo(long lo) {
        return lo & subMaskLo;
    }

    boolean isStatic(int p, int t4, int t) {
        StaticMap st = statics;
        return st.size > 0 && st.get(StaticMap.key(p, t4, t)) >= 0;
    }

    // ------------------------------------------------------------------ limits (RFC 6146 §5.3)

    boolean reserveSession() {
        if (sessionCount.incrementAndGet() > settings.maxSessions()) {
            sessionCount.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseSession() {
        sessionCount.decrementAndGet();
    }

    boolean reserveBib(NatProtocol p) {
        AtomicInteger c = bibCount[p.ordinal()];
        if (c.incrementAndGet() > settings.maxBib(p)) {
            c.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseBib(NatProtocol p) {
        bibCount[p.ordinal()].decrementAndGet();
    }

    // ------------------------------------------------------------------ static BIB entries

    /**
     * Adds a static BIB entry (X',x) ↔ (T,t) at run time (RFC 6146 §3.1). Other entries and sessions
     * are untouched. T must be in pool4 so that its traffic reaches us; the allocator never hands
     * out (T,t) while the entry exists.
     */
    public StaticResult addStatic(NatProtocol p, long x6Hi, long x6Lo, int x, int t4, int t) {
        synchronized (staticLock) {
            if (!pool.contains(t4)) {
                return StaticResult.NOT_IN_POOL4;
            }
            long key = StaticMap.key(p.ordinal(), t4, t);
            if (statics.get(key) >= 0) {
                return StaticResult.IN_USE;
            }
            long sh = x6Hi & subMaskHi;
            long sl = x6Lo & subMaskLo;
            int subNo = -1;
            int home;
            if (blocks != null) {
                subNo = blocks.subscriberIndex(x6Hi, x6Lo);
                if (subNo < 0) {
                    return StaticResult.NOT_A_SUBSCRIBER;
                }
                home = subNo & shardMask;
            } else {
                home = subscriberShard(sh, sl);
            }
            int owner = dynamicOwner(t4, t);
            Shard first = shards[owner >= 0 ? Math.min(owner, home) : home];
            Shard second = shards[owner >= 0 ? Math.max(owner, home) : home];
            // Both monitors, in shard order (no deadlock): the owner so that its allocator cannot
            // hand out (T,t) between the check and the publication, the home to insert.
            synchronized (first) {
                synchronized (second) {
                    if (owner >= 0 && (shards[owner].bibInUse(p.ordinal(), t4, t)
                            || shards[owner].loans.borrower(key) >= 0)
                            || shards[home].bibInUse(p.ordinal(), t4, t)) {
                        return StaticResult.IN_USE;
                    }
                    if (shards[home].findBibOut(p.ordinal(), x6Hi, x6Lo, x) >= 0) {
                        return StaticResult.CONFLICT;
                    }
                    if (!reserveBib(p)) {
                        return StaticResult.BIB_LIMIT;
                    }
                    statics = statics.with(key, home);
                    shards[home].addStatic(p.ordinal(), x6Hi, x6Lo, x, t4, t, sh, sl, subNo);
                    return StaticResult.ADDED;
                }
            }
        }
    }

    /** Removes a static BIB entry and its own sessions (others stay); false when there is none. */
    public boolean removeStatic(NatProtocol p, int t4, int t) {
        synchronized (staticLock) {
            long key = StaticMap.key(p.ordinal(), t4, t);
            int home = statics.get(key);
            if (home < 0) {
                return false;
            }
            Shard s = shards[home];
            synchronized (s) {
                s.removeStatic(p.ordinal(), t4, t);
            }
            // Only now may the owner shard allocate (T,t) again.
            statics = statics.without(key);
            return true;
        }
    }

    // ------------------------------------------------------------------ expiry

    /**
     * Expires what is due, with bounded work: every shard once, each for at most
     * {@code max(16, budget / shards)} session records (plus its due stored SYNs, at most
     * {@code maxStoredSyns / shards}), holding each shard's lock only for its part. A sweep walks
     * the records in order, so an entry is removed within {@code records per shard / share}
     * calls of its expiry time: call every second with a budget of a few per cent of
     * {@link Nat64Settings#maxSessions}. Expired sessions and BIB entries, probes and stored-SYN
     * time-outs go to the listener.
     *
     * @return sessions removed
     */
    public int expire(long nowNanos, int budget) {
        int now = tick(nowNanos);
        int share = Math.max(16, budget / shards.length);
        int removed = 0;
        synchronized (expireLock) {
            for (int i = 0; i < shards.length; i++) {
                Shard s = shards[(expireCursor + i) & shardMask];
                synchronized (s) {
                    removed += s.expire(now, share);
                }
            }
            expireCursor = (expireCursor + 1) & shardMask;
        }
        return removed;
    }

    /**
     * Ends every session, shard by shard, as when the NAT64 stops: the listener hears each end
     * ({@link NatEvent.End#REMOVED}), so a session log is complete. Static BIB entries stay.
     *
     * @param afterEachShard run outside the shard's lock after each one (to write the log out
     *     before its queue fills)
     * @return sessions ended
     */
    public int endAll(Runnable afterEachShard) {
        int ended = 0;
        synchronized (expireLock) {
            for (Shard s : shards) {
                synchronized (s) {
                    ended += s.endAll();
                }
                afterEachShard.run();
            }
        }
        return ended;
    }

    // ------------------------------------------------------------------ snapshots

    /** {@code show bib [--protocol P]}: a copy, shard by shard (not one instant of the whole table). */
    public List<BibEntry> bib(NatProtocol only) {
        List<BibEntry> out = new ArrayList<>();
        for (Shard s : shards) {
            synchronized (s) {
                s.collectBibs(out, only);
            }
        }
        return out;
    }

    /** {@code show sessions [--protocol P] [--ipv6 PREFIX]} (null for any). */
    public List<SessionEntry> sessions(NatProtocol only, Ipv6Prefix ipv6, long nowNanos) {
        long hi = ipv6 == null ? 0 : ipv6.hi();
        long lo = ipv6 == null ? 0 : ipv6.lo();
        long mh = ipv6 == null ? 0 : Ipv6Prefix.maskHi(ipv6.length());
        long ml = ipv6 == null ? 0 : Ipv6Prefix.maskLo(ipv6.length());
        List<SessionEntry> out = new ArrayList<>();
        int now = tick(nowNanos);
        for (Shard s : shards) {
            synchronized (s) {
                s.collectSessions(out, only, hi, lo, mh, ml, now);
            }
        }
        return out;
    }

    /** What a hit costs in memory reads now (walks every shard: for benchmarks and tests). */
    public LookupDepth lookupDepth() {
        LookupDepth.Sums sums = new LookupDepth.Sums();
        for (Shard s : shards) {
            synchronized (s) {
                s.addLookupDepth(sums);
            }
        }
        return sums.means();
    }

    public TableStats stats() {
        long sessions = 0;
        long[] bibs = new long[3];
        long subs = 0;
        long syns = 0;
        long created = 0;
        long expired = 0;
        long probes = 0;
        long synsExpired = 0;
        long superseded = 0;
        long heap = 0;
        for (Shard s : shards) {
            synchronized (s) {
                sessions += s.liveSessions();
                for (int p = 0; p < 3; p++) {
                    bibs[p] += s.liveBibs(p);
                }
                subs += s.subs.live();
                syns += s.storedSyns();
                created += s.sessionsCreated;
                expired += s.sessionsExpired;
                probes += s.probes;
                synsExpired += s.synsExpired;
                superseded += s.synsSuperseded;
                heap += s.heapBytes();
            }
        }
        return new TableStats(sessions, bibs[0], bibs[1], bibs[2], subs, syns, created, expired, probes, synsExpired,
                superseded, heap);
    }

    /**
     * Checks every invariant (for tests and the fuzzer): each shard's structure, the global counts
     * against the shards, (T,t) unique per protocol across shards, every (T,t) in the shard that
     * owns it, the limits. Throws IllegalStateException naming the first that fails. Locks one
     * shard at a time: call it when no other thread changes the table.
     */
    void checkInvariants() {
        Set<Long> used = new HashSet<>();
        long sessions = 0;
        long[] bibs = new long[3];
        for (int i = 0; i < shards.length; i++) {
            Shard s = shards[i];
            synchronized (s) {
                s.check(settings.maxSessionsPerSubscriber(), settings.maxPortsPerSubscriber());
                sessions += s.liveSessions();
                List<BibEntry> list = new ArrayList<>();
                s.collectBibs(list, null);
                for (BibEntry b : list) {
                    bibs[b.protocol().ordinal()]++;
                    if (!used.add(StaticMap.key(b.protocol().ordinal(), b.t4(), b.t4Port()))) {
                        throw new IllegalStateException("duplicate (T,t) " + b);
                    }
                    if (inboundShard(b.protocol(), b.t4(), b.t4Port()) != i) {
                        throw new IllegalStateException("BIB entry in the wrong shard: " + b);
                    }
                    if (b.isStatic() != isStatic(b.protocol().ordinal(), b.t4(), b.t4Port())) {
                        throw new IllegalStateException("static map disagrees: " + b);
                    }
                }
            }
        }
        if (sessions != sessionCount.get() || sessions > settings.maxSessions()) {
            throw new IllegalStateException("sessions " + sessions + ", counted " + sessionCount.get());
        }
        for (NatProtocol p : NatProtocol.values()) {
            if (bibs[p.ordinal()] != bibCount[p.ordinal()].get() || bibs[p.ordinal()] > settings.maxBib(p)) {
                throw new IllegalStateException(p + " BIB entries " + bibs[p.ordinal()] + ", counted "
                        + bibCount[p.ordinal()].get());
            }
        }
        checkLoans(used);
        if (statics.size != countStatics()) {
            throw new IllegalStateException("static map holds " + statics.size + " entries the BIBs do not");
        }
    }

    /**
     * Every loan is of a port of the lender's own slice, held by a dynamic BIB entry (in
     * {@code used}, the keys of all entries) that the router finds in the borrower. With the check
     * that every entry sits where the router looks, every entry outside its shard's slice has its
     * loan.
     */
    private void checkLoans(Set<Long> used) {
        for (int i = 0; i < shards.length; i++) {
            long[] lent = shards[i].loans.snapshot();
            for (int j = 0; j < lent.length; j += 2) {
                int p = (int) (lent[j] >>> 48) - 1;
                int t4 = (int) (lent[j] >>> 16);
                int t = (int) lent[j] & 0xffff;
                if (blocks != null || sliceOwner(t4, t) != i || !used.contains(lent[j]) || isStatic(p, t4, t)
                        || inboundShard(NatProtocol.of(p), t4, t) != lent[j + 1]) {
                    throw new IllegalStateException("shard " + i + " lends " + NatProtocol.of(p) + " "
                            + Ipv4Address.format(t4) + "#" + t + " to shard " + lent[j + 1]
                            + ", which holds no such dynamic BIB entry");
                }
            }
        }
    }

    private int countStatics() {
        int n = 0;
        for (BibEntry b : bib(null)) {
            if (b.isStatic()) {
                n++;
            }
        }
        return n;
    }

    /**
     * The static entries' (T,t) → home shard: immutable open addressing over packed longs,
     * replaced whole on every change (rare), read without a lock by every IPv4 packet.
     */
    static final class StaticMap {
        static final StaticMap EMPTY = new StaticMap(new long[16], new int[16], 0);
        final long[] keys;
        final int[] homes;
        final int size;

        private StaticMap(long[] keys, int[] homes, int size) {
            this.keys = keys;
            this.homes = homes;
            this.size = size;
        }

        /** Never 0 (0 marks an empty slot). */
        static long key(int p, int t4, int t) {
            return (long) (p + 1) << 48 | (t4 & 0xffff_ffffL) << 16 | t;
        }

        int get(long key) {
            int mask = keys.length - 1;
            int i = Index.mix(key) & mask;
            while (true) {
                long k = keys[i];
                if (k == key) {
                    return homes[i];
                }
                if (k == 0) {
                    return -1;
                }
                i = (i + 1) & mask;
            }
        }

        StaticMap with(long key, int home) {
            return rebuild(key, home, 0);
        }

        StaticMap without(long key) {
            return rebuild(0, 0, key);
        }

        private StaticMap rebuild(long add, int addHome, long drop) {
            int n = size + (add != 0 ? 1 : 0);
            int cap = Integer.highestOneBit(Math.max(8, n) * 4 - 1);
            long[] k = new long[cap];
            int[] h = new int[cap];
            int count = 0;
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != 0 && keys[i] != drop) {
                    put(k, h, keys[i], homes[i]);
                    count++;
                }
            }
            if (add != 0) {
                put(k, h, add, addHome);
                count++;
            }
            return new StaticMap(k, h, count);
        }

        private static void put(long[] k, int[] h, long key, int home) {
            int mask = k.length - 1;
            int i = Index.mix(key) & mask;
            while (k[i] != 0) {
                i = (i + 1) & mask;
            }
            k[i] = key;
            h[i] = home;
        }
    }
}
