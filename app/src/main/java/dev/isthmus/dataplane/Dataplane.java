package dev.isthmus.dataplane;

import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.DynamicBindings;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.PacketTranslator;
import dev.isthmus.xlat.Translator;
import dev.isthmus.xlat.XlatCounters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The live translator: a TUN device with one queue per worker, the host routes into it, and the
 * workers. {@link #start} brings everything up (or nothing: a failure undoes what was done);
 * {@link #stop} stops the workers, removes the routes and addresses it added, and closes the
 * queues (the device, which isthmus created, disappears with the last one).
 *
 * <p>The running data plane is its own {@link DataplaneStats}.
 */
public final class Dataplane implements DataplaneStats, AutoCloseable {
    /** The longest {@link #start} waits for the workers' JIT warm-up (it takes 1-3 s). */
    private static final long WARM_UP_WAIT_MS = 30_000;

    private static final System.Logger LOG = System.getLogger("dev.isthmus.dataplane");
    /** How long {@link #stop} waits for a worker (they poll with a 100 ms timeout). */
    private static final long JOIN_MILLIS = 2_000;

    private final DataplaneSettings settings;
    private final TunDevice tun;
    private final HostNetwork host;
    private final List<Worker> workers;
    private final List<Thread> threads;
    private final Injector injector;
    private boolean stopped;

    private Dataplane(DataplaneSettings settings, TunDevice tun, HostNetwork host, List<Worker> workers,
            List<Thread> threads) {
        this.settings = settings;
        this.tun = tun;
        this.host = host;
        this.workers = workers;
        this.threads = threads;
        this.injector = new Injector(tun.fd(0), tun.vnetHeader());
    }

    /**
     * Opens the device, configures the host (when {@code manageRoutes}) and starts the workers.
     *
     * @throws IOException with an operator-readable message; nothing is left behind
     */
    public static Dataplane start(DataplaneSettings settings) throws IOException {
        return start(settings, null);
    }

    /**
     * As {@link #start(DataplaneSettings)}, every worker's translator consulting one shared
     * dynamic address pool (NAT-PT style, {@code nat.pool}); its prefix must be among
     * {@code settings.routes4()} so that the kernel routes it into the device.
     *
     * @param dynamic the pool, or null for none
     */
    public static Dataplane start(DataplaneSettings settings, DynamicBindings dynamic) throws IOException {
        return startWith(settings, c -> new Translator(settings.xlat(), c, NanoClock.SYSTEM, dynamic));
    }

    /**
     * As {@link #start(DataplaneSettings)}, each worker translating with what {@code factory}
     * makes for it (the stateful NAT64's translator, sharing one table).
     */
    public static Dataplane startWith(DataplaneSettings settings, PacketTranslator.Factory factory) throws IOException {
        int n = settings.effectiveWorkers();
        TunDevice tun = TunDevice.open(settings.device(), n, settings.offload());
        String features = tun.vnetHeader()
                ? (tun.offloadFlags() == 0 ? "none accepted" : String.join(" ", TunDevice.featureNames(tun.offloadFlags())))
                : "off";
        LOG.log(System.Logger.Level.INFO, "device " + tun.name() + " opened with " + n + " queue" + (n == 1 ? "" : "s")
                + ", offload: " + features);
        HostNetwork host = new HostNetwork();
        boolean segmentation = (tun.offloadFlags() & (TunDevice.TUN_F_TSO4 | TunDevice.TUN_F_TSO6)) != 0;
        try {
            if (settings.manageRoutes()) {
                host.configure(tun.name(), settings, segmentation);
            } else if (segmentation) {
                host.limitSuperPackets(tun.name());
            }
        } catch (IOException e) {
            tun.close();
            throw e;
        }
        HostNetwork.checkForwarding();
        List<Worker> workers = new ArrayList<>(n);
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Worker w = new Worker(i, tun.fd(i), tun.vnetHeader(), factory);
            workers.add(w);
            threads.add(Thread.ofPlatform().name("isthmus-worker-" + i).unstarted(w));
        }
        long t0 = System.nanoTime();
        threads.forEach(Thread::start);
        // "translating on" means it: each worker has warmed the JIT up and reads its queue (packets
        // that arrive meanwhile wait in the TUN queue, but a client's first timeout may not).
        boolean warm = true;
        for (Worker w : workers) {
            try {
                warm &= w.awaitWarm(WARM_UP_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.log(System.Logger.Level.INFO, "translating on " + tun.name() + " with " + n + " worker" + (n == 1 ? "" : "s")
                + (warm ? " (JIT warm-up " + (System.nanoTime() - t0) / 1_000_000 + " ms)" : " (JIT warm-up still running)"));
        return new Dataplane(settings, tun, host, workers, threads);
    }

    /** The settings it runs with. */
    public DataplaneSettings settings() {
        return settings;
    }

    /**
     * Where packets the data plane originates outside its workers go (the NAT64's timers): into
     * the device as if a worker had written them. Thread-safe; after {@link #stop} they are
     * counted as failed.
     */
    public PacketSink injector() {
        return injector;
    }

    /** The TUN device's name. */
    public String device() {
        return tun.name();
    }

    /** The offload features the kernel accepted (csum, tso4, tso6, uso4, uso6); empty when off. */
    public Set<String> offloadFeatures() {
        return TunDevice.featureNames(tun.offloadFlags());
    }

    /** True until {@link #stop} ran. */
    public synchronized boolean running() {
        return !stopped;
    }

    /**
     * Stops the workers, removes what was added to the host and closes the device. Idempotent;
     * safe from a shutdown hook.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        workers.forEach(Worker::stop);
        for (Thread t : threads) {
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, t.getName() + " did not stop within " + JOIN_MILLIS + " ms");
            }
        }
        host.undo();
        injector.close();
        tun.close();
        LOG.log(System.Logger.Level.INFO, "device " + tun.name() + " closed");
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public int workers() {
        return workers.size();
    }

    @Override
    public XlatCounters counters(int worker) {
        return workers.get(worker).counters();
    }

    @Override
    public long packetsIn(int worker) {
        return workers.get(worker).packetsIn();
    }

    @Override
    public long packetsOut(int worker) {
        return workers.get(worker).packetsOut();
    }

    @Override
    public long ioErrors(int worker) {
        return workers.get(worker).ioErrors();
    }

    @Override
    public long superPacketsIn(int worker) {
        return workers.get(worker).superPacketsIn();
    }

    @Override
    public long offloadRefused(int worker) {
        return workers.get(worker).offloadRefused();
    }

    @Override
    public long superPacketsOut(int worker) {
        return workers.get(worker).superPacketsOut();
    }
}
