package dev.isthmus.xlat;

/**
 * Per-worker counters: one slot per {@link DropReason} and per {@link Path}. Plain longs, written
 * by one thread; readers in other threads see values that may lag, which is fine for statistics.
 */
public final class XlatCounters {
    private final long[] drops = new long[DropReason.values().length];
    private final long[] paths = new long[Path.values().length];

    void drop(DropReason r) {
        drops[r.ordinal()]++;
    }

    void path(Path p) {
        paths[p.ordinal()]++;
    }

    /** Takes back a {@link #path} count (a translated packet its caller kept back, then counted as a drop). */
    void unpath(Path p) {
        paths[p.ordinal()]--;
    }

    public long drops(DropReason r) {
        return drops[r.ordinal()];
    }

    public long paths(Path p) {
        return paths[p.ordinal()];
    }

    public long totalDrops() {
        long t = 0;
        for (long d : drops) {
            t += d;
        }
        return t;
    }

    /** Adds another worker's counters into this one (for totals). */
    public void addAll(XlatCounters other) {
        for (int i = 0; i < drops.length; i++) {
            drops[i] += other.drops[i];
        }
        for (int i = 0; i < paths.length; i++) {
            paths[i] += other.paths[i];
        }
    }
}
