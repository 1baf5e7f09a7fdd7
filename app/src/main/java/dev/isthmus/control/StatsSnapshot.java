package dev.isthmus.control;

import dev.isthmus.dataplane.DataplaneStats;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Path;
import dev.isthmus.xlat.XlatCounters;

/**
 * Every counter of a running data plane, copied once so that one answer (a table, a JSON
 * document) is read from one set of values. The workers keep counting while the copy is made, so
 * a row may be a few packets newer than the one before it; each value only grows.
 *
 * <p>Arrays are indexed {@code [worker][ordinal]}, ordinals of {@link Tun}, {@link Path} and
 * {@link DropReason}.
 */
record StatsSnapshot(int workers, long[][] tun, long[][] paths, long[][] drops) {

    /** The TUN-level counters, in display order, with their operator-visible names. */
    enum Tun {
        PACKETS_IN("packets-in"),
        PACKETS_OUT("packets-out"),
        IO_ERRORS("io-errors"),
        SUPER_PACKETS_IN("super-packets-in"),
        OFFLOAD_REFUSED("offload-refused"),
        SUPER_PACKETS_OUT("super-packets-out");

        final String key;

        Tun(String key) {
            this.key = key;
        }

        /** This counter of one worker, read live. */
        long of(DataplaneStats stats, int worker) {
            return switch (this) {
                case PACKETS_IN -> stats.packetsIn(worker);
                case PACKETS_OUT -> stats.packetsOut(worker);
                case IO_ERRORS -> stats.ioErrors(worker);
                case SUPER_PACKETS_IN -> stats.superPacketsIn(worker);
                case OFFLOAD_REFUSED -> stats.offloadRefused(worker);
                case SUPER_PACKETS_OUT -> stats.superPacketsOut(worker);
            };
        }
    }

    static StatsSnapshot of(DataplaneStats stats) {
        int n = Math.max(0, stats.workers());
        long[][] tun = new long[n][Tun.values().length];
        long[][] paths = new long[n][Path.values().length];
        long[][] drops = new long[n][DropReason.values().length];
        for (int w = 0; w < n; w++) {
            for (Tun t : Tun.values()) {
                tun[w][t.ordinal()] = t.of(stats, w);
            }
            XlatCounters c = stats.counters(w);
            for (Path p : Path.values()) {
                paths[w][p.ordinal()] = c.paths(p);
            }
            for (DropReason r : DropReason.values()) {
                drops[w][r.ordinal()] = c.drops(r);
            }
        }
        return new StatsSnapshot(n, tun, paths, drops);
    }

    long tun(Tun t, int worker) {
        return tun[worker][t.ordinal()];
    }

    long tunTotal(Tun t) {
        long sum = 0;
        for (int w = 0; w < workers; w++) {
            sum += tun(t, w);
        }
        return sum;
    }

    long pathTotal(Path p) {
        long sum = 0;
        for (int w = 0; w < workers; w++) {
            sum += paths[w][p.ordinal()];
        }
        return sum;
    }

    long dropTotal(DropReason r) {
        long sum = 0;
        for (int w = 0; w < workers; w++) {
            sum += drops[w][r.ordinal()];
        }
        return sum;
    }

    /**
     * The reasons that count drops: {@link DropReason#NONE} is the verdict "forwarded", it never
     * has a counter of its own worth showing.
     */
    static boolean isDrop(DropReason r) {
        return r != DropReason.NONE;
    }
}
