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
 * <p>Arrays are indexed {@code [worker]} and {@code [worker][ordinal]}, ordinals of {@link Path}
 * and {@link DropReason}.
 */
record StatsSnapshot(
        int workers,
        long[] packetsIn,
        long[] packetsOut,
        long[] ioErrors,
        long[] superPacketsIn,
        long[] offloadRefused,
        long[] superPacketsOut,
        long[][] paths,
        long[][] drops) {

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
    }

    static StatsSnapshot of(DataplaneStats stats) {
        int n = Math.max(0, stats.workers());
        long[] in = new long[n];
        long[] out = new long[n];
        long[] io = new long[n];
        long[] superIn = new long[n];
        long[] refused = new long[n];
        long[] superOut = new long[n];
        long[][] paths = new long[n][Path.values().length];
        long[][] drops = new long[n][DropReason.values().length];
        for (int w = 0; w < n; w++) {
            in[w] = stats.packetsIn(w);
            out[w] = stats.packetsOut(w);
            io[w] = stats.ioErrors(w);
            superIn[w] = stats.superPacketsIn(w);
            refused[w] = stats.offloadRefused(w);
            superOut[w] = stats.superPacketsOut(w);
            XlatCounters c = stats.counters(w);
            for (Path p : Path.values()) {
                paths[w][p.ordinal()] = c.paths(p);
            }
            for (DropReason r : DropReason.values()) {
                drops[w][r.ordinal()] = c.drops(r);
            }
        }
        return new StatsSnapshot(n, in, out, io, superIn, refused, superOut, paths, drops);
    }

    long tun(Tun t, int worker) {
        return switch (t) {
            case PACKETS_IN -> packetsIn[worker];
            case PACKETS_OUT -> packetsOut[worker];
            case IO_ERRORS -> ioErrors[worker];
            case SUPER_PACKETS_IN -> superPacketsIn[worker];
            case OFFLOAD_REFUSED -> offloadRefused[worker];
            case SUPER_PACKETS_OUT -> superPacketsOut[worker];
        };
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
