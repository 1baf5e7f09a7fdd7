package dev.isthmus.nat;

import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.PacketTranslator;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stateful NAT64 while {@code isthmus run} runs: the one {@link Nat64Table} every worker shares,
 * a {@link Nat64Translator} per worker ({@link #translatorFactory}), and the housekeeping thread
 * that expires sessions once a second with a bounded budget, so that an expiry sweep never holds
 * a shard long enough to stall a worker.
 */
public final class Nat64Service implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nat64");
    private static final long PERIOD_MS = 1000;

    private final Nat64Table table;
    private final XlatSettings xlat;
    private final List<Nat64Translator> translators = new CopyOnWriteArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread housekeeping;
    private final int budget;

    private Nat64Service(Nat64Table table, XlatSettings xlat) {
        this.table = table;
        this.xlat = xlat;
        // A few per cent of the table per second visits every record well within the shortest
        // lifetime (ICMP, 60 s), and an entry never outlives its time by more than that.
        this.budget = Math.max(4096, table.settings().maxSessions() / 32);
        this.housekeeping = Thread.ofPlatform().name("isthmus-nat64-expiry").daemon().unstarted(this::expireLoop);
    }

    /**
     * Creates the table, adds the static BIB entries (a refused one fails the start with the
     * reason) and starts the housekeeping thread.
     *
     * @param xlat the stateless settings the translators run on (pool6 = the NAT64 prefix)
     */
    public static Nat64Service start(Nat64Settings settings, List<StaticBib> statics, XlatSettings xlat,
            Nat64Listener listener) {
        Nat64Table table = table(settings, statics, listener);
        Nat64Service s = new Nat64Service(table, xlat);
        s.housekeeping.start();
        LOG.log(System.Logger.Level.INFO, "pool6 " + xlat.pool6() + ", pool4 " + settings.pool4() + ", "
                + statics.size() + " static BIB entr" + (statics.size() == 1 ? "y" : "ies") + ", filtering "
                + settings.filtering().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        return s;
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

    private void expireLoop() {
        try {
            while (!stop.await(PERIOD_MS, TimeUnit.MILLISECONDS)) {
                table.expire(System.nanoTime(), budget);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // Never silently: expiry stopping would fill the table.
            LOG.log(System.Logger.Level.ERROR, "expiry stopped: " + e, e);
        }
    }

    @Override
    public void close() {
        stop.countDown();
        try {
            housekeeping.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
