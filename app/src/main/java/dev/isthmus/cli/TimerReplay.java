package dev.isthmus.cli;

import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.Nat64Table;
import dev.isthmus.nat.TableStats;
import dev.isthmus.nat.TimerPackets;
import dev.isthmus.wire.PacketSink;

/**
 * The clock of offline NAT64: capture time. Before each record, the table's expiry sweeps run
 * for every second of capture time since the last one, at the pace of the live housekeeping
 * ({@link Nat64Service#SWEEP_PERIOD_NANOS}), and the packets the timers ask for
 * ({@link TimerPackets}: the ICMPv4 3/3 for a stored IPv4 SYN, RFC 5382 REQ-4; the probe of an
 * idle ESTABLISHED session, RFC 6146 §3.5.2.2) are written out stamped with the time of the
 * sweep that sent them, as {@code isthmus run} sends them after each sweep: so a replay shows
 * them between the records they fell due between, not with the next record.
 *
 * <p>The sweeps run on a fixed grid from the first record's time. Unlike the live sweep, each
 * visits the whole table (no budget: there is no worker to keep waiting), so a timer fires at
 * the first sweep at or after its end. Seconds in which the table holds no session and no SYN
 * are skipped without a sweep: nothing can fall due in them. Nothing is sent for time after the
 * last record: the replay shows what a live translator would have sent while the capture ran.
 */
final class TimerReplay {
    private final Nat64Table table;
    private final TimerPackets timers;
    private final long[] now;
    private final PacketSink out;
    private boolean started;
    private long nextSweep;
    private long sent;

    /**
     * @param timers the table's listener, which builds the packets
     * @param now the clock the translator and the output sink read; set to each sweep's time
     * @param out where the timers' packets go (the output file, with an explain line each)
     */
    TimerReplay(Nat64Table table, TimerPackets timers, long[] now, PacketSink out) {
        this.table = table;
        this.timers = timers;
        this.now = now;
        this.out = out;
    }

    /** Runs every sweep due at or before {@code nanos}, a record's timestamp; earlier times do nothing. */
    void advanceTo(long nanos) {
        if (!started) {
            started = true;
            nextSweep = nanos;
        }
        while (nextSweep <= nanos) {
            if (idle()) {
                // The first grid point after nanos: no sweep until then can find anything.
                nextSweep += ((nanos - nextSweep) / Nat64Service.SWEEP_PERIOD_NANOS + 1)
                        * Nat64Service.SWEEP_PERIOD_NANOS;
                return;
            }
            now[0] = nextSweep;
            table.expire(nextSweep, Integer.MAX_VALUE);
            sent += timers.flush(out);
            nextSweep += Nat64Service.SWEEP_PERIOD_NANOS;
        }
    }

    /** Packets the timers sent so far. */
    long sent() {
        return sent;
    }

    private boolean idle() {
        TableStats s = table.stats();
        return s.sessions() == 0 && s.storedSyns() == 0;
    }
}
