package dev.isthmus.nat;

import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.PacketTranslator;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stateful NAT64 while {@code isthmus run} runs: the one {@link Nat64Table} every worker shares,
 * a {@link Nat64Translator} per worker ({@link #translatorFactory}), and the housekeeping thread
 * that expires sessions once a second with a bounded budget, so that an expiry sweep never holds
 * a shard long enough to stall a worker. After each sweep it sends the packets the timers asked
 * for ({@link TimerPackets}: TCP probes, ICMP for stored SYNs) into the data plane. The session
 * log's lines are written by a thread of their own ({@link SessionLogFile}).
 */
public final class Nat64Service implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nat64");
    /**
     * How often the housekeeping thread sweeps the table (and so sends what the timers asked
     * for); offline translation sweeps at the same pace of capture time.
     */
    public static final long SWEEP_PERIOD_NANOS = 1_000_000_000L;
    private static final long PERIOD_MS = SWEEP_PERIOD_NANOS / 1_000_000;
    /** Session-log lines held between two writes (a second's worth at a high session rate). */
    static final int LOG_QUEUE = 1 << 16;

    private final Nat64Table table;
    private final XlatSettings xlat;
    private final List<Nat64Translator> translators = new CopyOnWriteArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread housekeeping;
    private final int budget;
    private final TimerPackets timerPackets;
    private final SessionLog log;
    private final SessionLogFile logFile;
    private volatile PacketSink originated;

    /**
     * The session log to keep.
     *
     * @param mode what is logged
     * @param file where its lines are appended
     * @param flushIntervalMillis a line is written at most this long after its event, 0 at once
     */
    public record LogTarget(SessionLog.Mode mode, Path file, int flushIntervalMillis) {
        /** {@code flush-interval-ms} when the config does not say: a second. */
        public static final int DEFAULT_FLUSH_INTERVAL_MS = 1000;
        /** The longest window: the queue (65536 lines) must hold what it gathers. */
        public static final int MAX_FLUSH_INTERVAL_MS = 10_000;

        public LogTarget {
            if (flushIntervalMillis < 0 || flushIntervalMillis > MAX_FLUSH_INTERVAL_MS) {
                throw new IllegalArgumentException("flush interval " + flushIntervalMillis + " ms is not in 0.."
                        + MAX_FLUSH_INTERVAL_MS);
            }
        }

        /** With the default window. */
        public LogTarget(SessionLog.Mode mode, Path file) {
            this(mode, file, DEFAULT_FLUSH_INTERVAL_MS);
        }
    }

    private Nat64Service(Nat64Table table, XlatSettings xlat, TimerPackets timerPackets, SessionLog log,
            SessionLogFile logFile) {
        this.table = table;
        this.xlat = xlat;
        this.timerPackets = timerPackets;
        this.log = log;
        this.logFile = logFile;
        // A few per cent of the table per second visits every record well within the shortest
        // lifetime (ICMP, 60 s), and an entry never outlives its time by more than that.
        this.budget = Math.max(4096, table.settings().maxSessions() / 32);
        this.housekeeping = Thread.ofPlatform().name("isthmus-nat64-expiry").daemon().unstarted(this::expireLoop);
    }

    /**
     * Creates the table, adds the static BIB entries (a refused one fails the start with the
     * reason), opens the session log (ending the sessions of a previous run that did not stop
     * cleanly, {@link SessionLogFile}) and starts the housekeeping thread. Packets the timers
     * originate are discarded until {@link #sendThrough} names the data plane.
     *
     * @param xlat the stateless settings the translators run on (pool6 = the NAT64 prefix)
     * @param logTarget the session log, or null for none
     * @throws IOException when the session log cannot be opened for appending
     */
    public static Nat64Service start(Nat64Settings settings, List<StaticBib> statics, XlatSettings xlat,
            LogTarget logTarget) throws IOException {
        TimerPackets timers = new TimerPackets(xlat.pool6());
        SessionLog log = null;
        SessionLogFile file = null;
        Nat64Listener listener = timers;
        if (logTarget != null) {
            log = new SessionLog(logTarget.mode(), Clock.systemUTC(), LOG_QUEUE, timers);
            file = SessionLogFile.open(log, logTarget.file(), logTarget.flushIntervalMillis(), LOG_QUEUE,
                    Clock.systemUTC());
            listener = log;
        }
        Nat64Service s;
        try {
            s = new Nat64Service(table(settings, statics, listener), xlat, timers, log, file);
        } catch (IllegalArgumentException e) {
            if (file != null) {
                // Nothing was logged: the run ends as cleanly as it would after a stop.
                file.stopWriter();
                file.finish();
            }
            throw e;
        }
        s.housekeeping.start();
        LOG.log(System.Logger.Level.INFO, "pool6 " + xlat.pool6() + ", pool4 " + settings.pool4() + ", "
                + statics.size() + " static BIB entr" + (statics.size() == 1 ? "y" : "ies") + ", filtering "
                + settings.filtering().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + (settings.portBlocks() == null ? "" : ", port blocks of " + settings.portBlocks().blockSize())
                + (logTarget == null ? ", no session log" : ", session log (" + logTarget.mode().name()
                        .toLowerCase(java.util.Locale.ROOT) + ") " + logTarget.file() + ", written within "
                        + logTarget.flushIntervalMillis() + " ms"));
        return s;
    }

    /** Where the timers' packets go from now on: the running data plane's injector. */
    public void sendThrough(PacketSink sink) {
        originated = sink;
    }

    /** Why {@link Nat64Table#addStatic} refused an entry, for an operator. */
    public static String describe(Nat64Table.StaticResult r) {
        return switch (r) {
            case ADDED -> "added";
            case NOT_IN_POOL4 -> "the IPv4 address is not in pool4";
            case IN_USE -> "the IPv4 transport address is already mapped";
            case CONFLICT -> "the IPv6 transport address already has a BIB entry";
            case NOT_A_SUBSCRIBER -> "the IPv6 address is outside the port-block subscribers";
            case BIB_LIMIT -> "the protocol's BIB is full";
        };
    }

    /**
     * A table with the static entries in it (also what offline translation uses, without the
     * housekeeping thread); a refused entry throws with the reason.
     */
    public static Nat64Table table(Nat64Settings settings, List<StaticBib> statics, Nat64Listener listener) {
        Nat64Table table = new Nat64Table(settings, listener);
        for (StaticBib b : statics) {
            Nat64Table.StaticResult r = table.addStatic(b.protocol(), b.ipv6Hi(), b.ipv6Lo(), b.ipv6Port(), b.ipv4(),
                    b.ipv4Port());
            if (r != Nat64Table.StaticResult.ADDED) {
                throw new IllegalArgumentException("static BIB entry " + b + ": " + describe(r));
            }
        }
        return table;
    }

    /** What the data plane's workers translate with: each its own translator on the shared table. */
    public PacketTranslator.Factory translatorFactory() {
        return this::newTranslator;
    }

    private PacketTranslator newTranslator(XlatCounters counters) {
        Nat64Translator t = new Nat64Translator(table, xlat, counters, NanoClock.SYSTEM);
        translators.add(t);
        return t;
    }

    public Nat64Table table() {
        return table;
    }

    /** Every worker's counts of the table's verdicts, summed (values may lag by a packet or two). */
    public NatCounters counters() {
        NatCounters sum = new NatCounters();
        for (Nat64Translator t : translators) {
            sum.addAll(t.natCounters());
        }
        return sum;
    }

    /** TCP probes sent for idle ESTABLISHED sessions (RFC 6146 §3.5.2.2). */
    public long probesSent() {
        return timerPackets.probes();
    }

    /** ICMPv4 port unreachables sent for stored SYNs that timed out (RFC 5382 REQ-4). */
    public long synUnreachablesSent() {
        return timerPackets.unreachables();
    }

    /** Session-log lines lost because the log could not keep up (0 without a log). */
    public long logLinesDropped() {
        return log == null ? 0 : log.dropped();
    }

    private void expireLoop() {
        try {
            while (!stop.await(PERIOD_MS, TimeUnit.MILLISECONDS)) {
                table.expire(System.nanoTime(), budget);
                timerPackets.flush(originated);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // Never silently: expiry stopping would fill the table.
            LOG.log(System.Logger.Level.ERROR, "expiry stopped: " + e, e);
        }
    }

    /**
     * Stops the housekeeping thread; with a session log, ends every session so that each start
     * line has its end (RFC 6888 §4 REQ-12 records), writes what the log holds, the run's
     * {@code run-end} record, and closes it.
     * Call after the data plane has stopped.
     */
    @Override
    public void close() {
        stop.countDown();
        try {
            housekeeping.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (logFile == null) {
            return;
        }
        if (logFile.stopWriter() && !housekeeping.isAlive()) {
            table.endAll(logFile::writeQueued);
            logFile.finish();
        } else {
            // Sessions left open: the marker stays, and the next start ends them ("restart").
            logFile.close();
        }
    }
}
