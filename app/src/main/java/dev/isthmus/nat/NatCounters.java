package dev.isthmus.nat;

/**
 * One worker's count of every {@link NatVerdict}, per protocol. Plain longs written by the one
 * thread that owns the {@link NatResult}; other threads may read values that lag, which is fine
 * for statistics (the same contract as {@code xlat.XlatCounters}).
 */
public final class NatCounters {
    private static final int N = NatVerdict.values().length;
    private final long[] counts = new long[N * NatProtocol.values().length];
    private long fragmentsTimedOut;

    void add(NatProtocol p, NatVerdict v) {
        counts[p.ordinal() * N + v.ordinal()]++;
    }

    public long count(NatProtocol p, NatVerdict v) {
        return counts[p.ordinal() * N + v.ordinal()];
    }

    public long count(NatVerdict v) {
        long t = 0;
        for (NatProtocol p : NatProtocol.values()) {
            t += count(p, v);
        }
        return t;
    }

    void fragmentsTimedOut(int n) {
        fragmentsTimedOut += n;
    }

    /** Fragments held for their first fragment that never came (RFC 6146 §3.4), dropped. */
    public long fragmentsTimedOut() {
        return fragmentsTimedOut;
    }

    /** Adds another worker's counters into this one (for totals). */
    public void addAll(NatCounters other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        fragmentsTimedOut += other.fragmentsTimedOut;
    }
}
