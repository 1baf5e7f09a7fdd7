package dev.isthmus.nat.pool;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.DynamicBindings;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The NAT-PT style dynamic address pool (the 1998 NAPT paper's IP4NODE6 aliases): address-only
 * bindings between IPv6 nodes and the IPv4 addresses of one prefix, in the paper's three phases.
 *
 * <ol>
 *   <li><b>Bind</b> ({@link #bind64}): the first packet from a new IPv6 source takes a free
 *       address, round robin from the last one handed out, so that a released address rests as
 *       long as possible before another node gets it. Under a lock (rare), safe for all workers.
 *   <li><b>Look up</b> ({@link #find64}, {@link #find46}): lock-free and allocation-free, from
 *       every worker at once; each look-up refreshes the binding's last use.
 *   <li><b>Unbind</b> ({@link #expire}): a dynamic binding idle for {@code idleTimeout} is
 *       released by the housekeeping thread, never while traffic uses it (below).
 * </ol>
 *
 * <p>Static bindings (from the config, or added at run time with {@link #addStatic}) never
 * expire; config ones take precedence over everything in the persistence file.
 *
 * <p><b>Memory layout.</b> One slot per pool address ({@code slot = ipv4 - first}): the bound
 * IPv6 address in {@link #hi}/{@link #lo}, the {@link #state}, the last use in {@link #lastUsed}
 * and a per-slot sequence number {@link #version} (a seqlock: odd while the slot changes). The
 * IPv6 → slot index is an open-addressing table of {@code slot + 1} (0 empty, -1 deleted), at
 * most half full, rebuilt when deleted entries pile up; its size never changes because the pool's
 * does not.
 *
 * <p><b>Never released while in use.</b> A look-up writes {@link #lastUsed}, fences, and re-reads
 * the slot's version; expiry makes the version odd, fences, and re-reads {@link #lastUsed}. Of the
 * two, at least one sees the other's write (Dekker): either the look-up sees the slot change and
 * retries under the lock (and binds again), or expiry sees the fresh use and keeps the binding.
 *
 * <p>Time is coarse: {@link #tick} (the housekeeper, each second) stores the clock's
 * milliseconds in {@link #now}, and look-ups write that value, so a look-up costs no clock read
 * and, within a second, usually no store either.
 */
public final class DynamicPool implements DynamicBindings {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.nat.pool");
    /** The largest pool (a /16): its slot arrays are a few megabytes. */
    public static final int MAX_SIZE = 1 << 16;
    /** At most one "exhausted" log line per this many milliseconds. */
    static final long EXHAUSTED_LOG_INTERVAL_MS = 10_000;

    static final byte FREE = 0;
    static final byte DYNAMIC = 1;
    /** Added at run time (persisted). */
    static final byte STATIC = 2;
    /** From the config file (not persisted, not removable at run time). */
    static final byte CONFIGURED = 3;

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final Ipv4Prefix prefix;
    private final int first;
    private final int size;
    private final long idleTimeoutMillis;
    private final LongSupplier clock;

    private final long[] hi;
    private final long[] lo;
    private final long[] lastUsed;
    private final byte[] state;
    private final int[] version;
    /** IPv6 → slot + 1; replaced (never resized) when rebuilt. */
    private volatile int[] table;
    private int tombstones;

    private final ReentrantLock lock = new ReentrantLock();
    /** Slots not bound (read without the lock to refuse early when exhausted). */
    private volatile int free;
    /** Where the next free-slot search starts. */
    private int cursor;
    private int dynamicCount;
    private int staticCount;
    /** Bumped by every change a persistence write must record. */
    private volatile long changes;

    /** Milliseconds of the clock at the last {@link #tick}. */
    private volatile long now;

    private long created;
    private long released;
    private final LongAdder exhausted = new LongAdder();
    private final AtomicLong lastExhaustedLog = new AtomicLong(Long.MIN_VALUE / 2);

    /**
     * An empty pool.
     *
     * @param prefix the pool's IPv4 addresses, at most {@link #MAX_SIZE} of them
     * @param idleTimeoutMillis how long a dynamic binding may go unused before it is released
     * @param clock wall-clock milliseconds (persisted, so they must survive a restart)
     */
    public DynamicPool(Ipv4Prefix prefix, long idleTimeoutMillis, LongSupplier clock) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        if (prefix.size() > MAX_SIZE) {
            throw new IllegalArgumentException("dynamic pool " + prefix + " has more than " + MAX_SIZE + " addresses");
        }
        if (idleTimeoutMillis < 1000) {
            throw new IllegalArgumentException("idle timeout below one second");
        }
        this.first = prefix.address();
        this.size = (int) prefix.size();
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.hi = new long[size];
        this.lo = new long[size];
        this.lastUsed = new long[size];
        this.state = new byte[size];
        this.version = new int[size];
        this.table = new int[tableSize(size)];
        this.free = size;
        this.now = clock.getAsLong();
    }

    private static int tableSize(int size) {
        return Math.max(16, Integer.highestOneBit(size - 1 < 1 ? 1 : size - 1) << 2);
    }

    public Ipv4Prefix prefix() {
        return prefix;
    }

    public long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    // ---- look-up (hot path) ------------------------------------------------------------------

    @Override
    public boolean inPool(int ipv4) {
        return Integer.toUnsignedLong(ipv4 - first) < size;
    }

    @Override
    public long find64(long h, long l) {
        int[] t = table;
        int mask = t.length - 1;
        int i = hash(h, l) & mask;
        // The table is at most three quarters full of entries and tombstones: an empty slot ends
        // every probe sequence; the bound only guards against a bug.
        for (int probes = 0; probes < t.length; probes++) {
            int e = (int) INTS.getAcquire(t, i);
            if (e == 0) {
                return NONE;
            }
            if (e > 0) {
                int s = e - 1;
                int v = (int) INTS.getAcquire(version, s);
                if ((v & 1) == 0 && hi[s] == h && lo[s] == l && state[s] != FREE) {
                    touch(s);
                    if ((int) INTS.getVolatile(version, s) == v) {
                        return Integer.toUnsignedLong(first + s);
                    }
                    return findLocked(h, l); // changed under our feet: ask again, in order
                }
            }
            i = (i + 1) & mask;
        }
        return NONE;
    }

    @Override
    public long bind64(long h, long l) {
        long a = find64(h, l);
        if (a != NONE) {
            return a;
        }
        if (free == 0) {
            return refuse(h, l);
        }
        lock.lock();
        try {
            int s = slotOf(h, l);
            if (s >= 0) {
                touch(s);
                return Integer.toUnsignedLong(first + s);
            }
            s = takeFree();
            if (s < 0) {
                return refuse(h, l);
            }
            put(s, h, l, DYNAMIC, now);
            created++;
            return Integer.toUnsignedLong(first + s);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean find46(int ipv4, long[] ipv6) {
        int s = ipv4 - first;
        if (Integer.toUnsignedLong(s) >= size) {
            return false;
        }
        int v = (int) INTS.getAcquire(version, s);
        if ((v & 1) != 0) {
            return find46Locked(s, ipv6);
        }
        if (state[s] == FREE) {
            return false;
        }
        long h = hi[s];
        long l = lo[s];
        touch(s);
        if ((int) INTS.getVolatile(version, s) != v) {
            return find46Locked(s, ipv6);
        }
        ipv6[0] = h;
        ipv6[1] = l;
        return true;
    }

    private boolean find46Locked(int s, long[] ipv6) {
        lock.lock();
        try {
            if (state[s] == FREE) {
                return false;
            }
            touch(s);
            ipv6[0] = hi[s];
            ipv6[1] = lo[s];
            return true;
        } finally {
            lock.unlock();
        }
    }

    private long findLocked(long h, long l) {
        lock.lock();
        try {
            int s = slotOf(h, l);
            if (s < 0) {
                return NONE;
            }
            touch(s);
            return Integer.toUnsignedLong(first + s);
        } finally {
            lock.unlock();
        }
    }

    /** Records a use; the full fence orders it before the caller's re-read of the version. */
    private void touch(int s) {
        long t = now;
        if ((long) LONGS.getOpaque(lastUsed, s) != t) {
            LONGS.setOpaque(lastUsed, s, t);
        }
        VarHandle.fullFence();
    }

    private long refuse(long h, long l) {
        exhausted.increment();
        long t = now;
        long last = lastExhaustedLog.get();
        if (t - last >= EXHAUSTED_LOG_INTERVAL_MS && lastExhaustedLog.compareAndSet(last, t)) {
            LOG.log(System.Logger.Level.WARNING, "dynamic pool " + prefix + " exhausted: all " + size
                    + " addresses are bound; refused a new binding for " + Ipv6Address.format(h, l) + " ("
                    + exhausted.sum() + " refused so far, this line at most every "
                    + EXHAUSTED_LOG_INTERVAL_MS / 1000 + " s)");
        }
        return NONE;
    }

    private static int hash(long h, long l) {
        long x = (h * 0x9e37_79b9_7f4a_7c15L ^ l) * 0xbf58_476d_1ce4_e5b9L;
        return (int) (x ^ x >>> 31);
    }

    // ---- changes (under the lock) ------------------------------------------------------------

    /** The slot bound to {@code h:l}, or -1. Lock held. */
    private int slotOf(long h, long l) {
        int[] t = table;
        int mask = t.length - 1;
        int i = hash(h, l) & mask;
        for (int probes = 0; probes < t.length; probes++) {
            int e = t[i];
            if (e == 0) {
                return -1;
            }
            if (e > 0 && hi[e - 1] == h && lo[e - 1] == l && state[e - 1] != FREE) {
                return e - 1;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** A free slot, round robin from {@link #cursor}, or -1. Lock held. */
    private int takeFree() {
        if (free == 0) {
            return -1;
        }
        for (int n = 0; n < size; n++) {
            int s = cursor;
            cursor = cursor + 1 == size ? 0 : cursor + 1;
            if (state[s] == FREE) {
                return s;
            }
        }
        return -1;
    }

    /** Binds free slot {@code s}. Lock held. */
    private void put(int s, long h, long l, byte kind, long used) {
        int v = version[s];
        INTS.setVolatile(version, s, v + 1);
        hi[s] = h;
        lo[s] = l;
        lastUsed[s] = used;
        state[s] = kind;
        INTS.setRelease(version, s, v + 2);
        int[] t = table;
        int mask = t.length - 1;
        int i = hash(h, l) & mask;
        while (t[i] > 0) {
            i = (i + 1) & mask;
        }
        if (t[i] < 0) {
            tombstones--;
        }
        INTS.setRelease(t, i, s + 1);
        free--;
        if (kind == DYNAMIC) {
            dynamicCount++;
        } else {
            staticCount++;
        }
        changes++;
    }

    /** Unbinds slot {@code s}, whose version is already odd ({@code v + 1}). Lock held. */
    private void clear(int s, int v) {
        long h = hi[s];
        long l = lo[s];
        int[] t = table;
        int mask = t.length - 1;
        int i = hash(h, l) & mask;
        while (t[i] != 0) {
            if (t[i] == s + 1) {
                INTS.setRelease(t, i, -1);
                tombstones++;
                break;
            }
            i = (i + 1) & mask;
        }
        if (state[s] == DYNAMIC) {
            dynamicCount--;
        } else {
            staticCount--;
        }
        state[s] = FREE;
        hi[s] = 0;
        lo[s] = 0;
        INTS.setRelease(version, s, v + 2);
        free++;
        changes++;
        if (tombstones > t.length / 4) {
            rebuild();
        }
    }

    /** A fresh index without tombstones; readers holding the old one still find valid slots. */
    private void rebuild() {
        int[] t = new int[table.length];
        int mask = t.length - 1;
        for (int s = 0; s < size; s++) {
            if (state[s] != FREE) {
                int i = hash(hi[s], lo[s]) & mask;
                while (t[i] != 0) {
                    i = (i + 1) & mask;
                }
                t[i] = s + 1;
            }
        }
        tombstones = 0;
        table = t;
    }

    /**
     * Sets the clock: reads it into {@link #now}, which look-ups and new bindings record.
     *
     * @return the time read
     */
    public long tick() {
        long t = clock.getAsLong();
        now = t;
        return t;
    }

    /**
     * Releases every dynamic binding unused for the idle timeout at {@code nowMillis} (the
     * housekeeper's phase three).
     *
     * @return how many were released
     */
    public int expire(long nowMillis) {
        int n = 0;
        lock.lock();
        try {
            for (int s = 0; s < size; s++) {
                if (state[s] != DYNAMIC || nowMillis - lastUsed[s] < idleTimeoutMillis) {
                    continue;
                }
                int v = version[s];
                INTS.setVolatile(version, s, v + 1);
                VarHandle.fullFence();
                if (nowMillis - (long) LONGS.getVolatile(lastUsed, s) < idleTimeoutMillis) {
                    INTS.setRelease(version, s, v + 2); // used meanwhile: kept
                    continue;
                }
                clear(s, v);
                released++;
                n++;
            }
        } finally {
            lock.unlock();
        }
        return n;
    }

    // ---- static bindings and loading ---------------------------------------------------------

    /**
     * Adds a static binding (never expires). A dynamic binding of the same pair becomes static; a
     * pair in conflict with another binding is refused.
     *
     * @param fromConfig a binding of the config file (not persisted, not removable at run time)
     * @return null, or why the binding was refused
     */
    public String addStatic(Ipv6Address ipv6, int ipv4, boolean fromConfig) {
        if (!inPool(ipv4)) {
            return Ipv4Address.format(ipv4) + " is not in the dynamic pool " + prefix;
        }
        byte kind = fromConfig ? CONFIGURED : STATIC;
        lock.lock();
        try {
            int s = ipv4 - first;
            int other = slotOf(ipv6.hi(), ipv6.lo());
            if (other >= 0 && other != s) {
                return ipv6 + " is already bound to " + Ipv4Address.format(first + other) + " ("
                        + kindName(state[other]) + ")";
            }
            if (state[s] != FREE) {
                if (other == s && state[s] == DYNAMIC) {
                    state[s] = kind;
                    dynamicCount--;
                    staticCount++;
                    changes++;
                    return null;
                }
                if (other == s && state[s] == kind) {
                    return null;
                }
                return Ipv4Address.format(ipv4) + " is already bound to " + Ipv6Address.format(hi[s], lo[s]) + " ("
                        + kindName(state[s]) + ")";
            }
            put(s, ipv6.hi(), ipv6.lo(), kind, now);
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the static binding of {@code ipv4} added at run time.
     *
     * @return null, or why not
     */
    public String removeStatic(int ipv4) {
        if (!inPool(ipv4)) {
            return Ipv4Address.format(ipv4) + " is not in the dynamic pool " + prefix;
        }
        lock.lock();
        try {
            int s = ipv4 - first;
            switch (state[s]) {
                case FREE -> {
                    return Ipv4Address.format(ipv4) + " has no binding";
                }
                case DYNAMIC -> {
                    return Ipv4Address.format(ipv4) + " is a dynamic binding (it expires by itself)";
                }
                case CONFIGURED -> {
                    return Ipv4Address.format(ipv4) + " is a static binding of the config file; remove it there";
                }
                default -> {
                    int v = version[s];
                    INTS.setVolatile(version, s, v + 1);
                    clear(s, v);
                    return null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Loads bindings read from the persistence file, after the config's static bindings: an
     * entry that conflicts with one already there, or lies outside the pool, is refused with its
     * line.
     *
     * @return the refused entries, in file order
     */
    public List<BindingFile.Problem> load(List<BindingFile.Entry> entries) {
        List<BindingFile.Problem> problems = new ArrayList<>();
        lock.lock();
        try {
            for (BindingFile.Entry e : entries) {
                if (!inPool(e.ipv4())) {
                    problems.add(new BindingFile.Problem(e.line(), Ipv4Address.format(e.ipv4())
                            + " is not in the dynamic pool " + prefix + " (was the pool changed?); dropped"));
                    continue;
                }
                int s = e.ipv4() - first;
                int other = slotOf(e.ipv6().hi(), e.ipv6().lo());
                if (state[s] != FREE || other >= 0) {
                    int at = state[s] != FREE ? s : other;
                    problems.add(new BindingFile.Problem(e.line(), e.ipv6() + " " + Ipv4Address.format(e.ipv4())
                            + " conflicts with " + Ipv6Address.format(hi[at], lo[at]) + " "
                            + Ipv4Address.format(first + at) + " (" + kindName(state[at]) + "); dropped"));
                    continue;
                }
                put(s, e.ipv6().hi(), e.ipv6().lo(), e.isStatic() ? STATIC : DYNAMIC, e.lastUsedMillis());
            }
        } finally {
            lock.unlock();
        }
        return problems;
    }

    // ---- reading -----------------------------------------------------------------------------

    /** One binding, for {@code show bindings} and the persistence file. */
    public record Binding(Ipv6Address ipv6, int ipv4, String kind, long lastUsedMillis) {
        /** {@code dynamic}, {@code static} (added at run time) or {@code config}. */
        public boolean isDynamic() {
            return kind.equals("dynamic");
        }
    }

    /** Every binding, in IPv4 order (a consistent snapshot, taken under the lock). */
    public List<Binding> bindings() {
        lock.lock();
        try {
            List<Binding> out = new ArrayList<>(size - free);
            for (int s = 0; s < size; s++) {
                if (state[s] != FREE) {
                    out.add(new Binding(new Ipv6Address(hi[s], lo[s]), first + s, kindName(state[s]),
                            (long) LONGS.getOpaque(lastUsed, s)));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The persistence file's entries: dynamic and run-time static bindings (not the config's). */
    List<BindingFile.Entry> persistent() {
        List<BindingFile.Entry> out = new ArrayList<>();
        for (Binding b : bindings()) {
            if (!b.kind().equals("config")) {
                out.add(new BindingFile.Entry(0, !b.isDynamic(), b.ipv6(), b.ipv4(), b.lastUsedMillis()));
            }
        }
        return out;
    }

    private static String kindName(byte kind) {
        return switch (kind) {
            case DYNAMIC -> "dynamic";
            case STATIC -> "static";
            case CONFIGURED -> "config";
            default -> "free";
        };
    }

    /** Changes so far (the persistence writer compares it with what it last wrote). */
    long changes() {
        return changes;
    }

    /** Pool addresses. */
    public int size() {
        return size;
    }

    /** Dynamic bindings now. */
    public int dynamicBindings() {
        return dynamicCount;
    }

    /** Static bindings now (config and run time). */
    public int staticBindings() {
        return staticCount;
    }

    /** Unbound addresses now. */
    public int freeAddresses() {
        return free;
    }

    /** Dynamic bindings made since start. */
    public long created() {
        return created;
    }

    /** Dynamic bindings released by the idle timeout since start. */
    public long released() {
        return released;
    }

    /** New sources refused because every address was bound. */
    public long exhausted() {
        return exhausted.sum();
    }
}
