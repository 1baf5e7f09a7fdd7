package dev.isthmus.cli;

import dev.isthmus.config.ConfigException;
import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.config.ConfigLoader;
import dev.isthmus.config.DynamicPoolConfig;
import dev.isthmus.config.IsthmusConfig;
import dev.isthmus.control.ControlServices;
import dev.isthmus.control.Logging;
import dev.isthmus.control.SocketPlaneStats;
import dev.isthmus.dataplane.Dataplane;
import dev.isthmus.dataplane.DataplaneSettings;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.pool.DynamicPoolService;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code isthmus run}: the live translator on a TUN device, in the foreground until SIGTERM or
 * SIGINT, then a clean stop (workers, routes, device) and exit 0.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        header = "Run the gateway of a config file, in the foreground.",
        description = "Run the translator of the [siit] or [nat64] section live on a TUN device ([dataplane]"
                + " section) and the [dns64] server, [[relay]] relays and [http] gateway, in the foreground,"
                + " until SIGTERM or SIGINT. The data plane needs CAP_NET_ADMIN (root) and"
                + " java --enable-native-access=ALL-UNNAMED (./isthmus passes it).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  Run with your config; the kernel routes pool6 and pool4 into the TUN device.",
            "    $ sudo isthmus run --config /etc/isthmus.toml",
            "  Run on another TUN device than the config's dataplane.device.",
            "    $ sudo isthmus run -c /etc/isthmus.toml --device nat64b"
        })
final class RunCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.cli");

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "isthmus TOML configuration")
    java.nio.file.Path config;

    @Option(names = "--device", paramLabel = "NAME", description = "TUN device name (overrides dataplane.device)")
    String device;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Released by SIGTERM/SIGINT (or {@link #requestStop} in tests). */
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() {
        Logging.configure(Level.INFO);
        PrintWriter err = spec.commandLine().getErr();
        IsthmusConfig cfg;
        DataplaneSettings settings;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            e.errors().forEach(x -> err.println(x));
            return ExitCodes.CONFIG_ERROR;
        }
        if (cfg.siit() == null && cfg.nat64() == null && !cfg.hasSocketServices()) {
            err.println("isthmus run: " + config + ": nothing to run: no [siit] or [nat64] section (the data plane"
                    + " translates with one), no [dns64], no [[relay]] and no [http]");
            return ExitCodes.CONFIG_ERROR;
        }
        if (device != null && !DataplaneSettings.validDeviceName(device)) {
            err.println("isthmus run: --device \"" + device + "\" is not a valid interface name: 1 to 15 characters"
                    + " of A-Z a-z 0-9 _ . -");
            return ExitCodes.CONFIG_ERROR;
        }
        raiseOpenFileLimit();
        EarlyInit.run();
        // From here on SIGTERM/SIGINT only release the latch: one that arrives while the data plane
        // or the services start (routes, JIT warm-up) stops them cleanly once started.
        Signals.onTermination(stopRequested::countDown);
        // A config with only socket-plane services (DNS64, relays, HTTP gateway) runs them without a TUN.
        Dataplane dataplane = null;
        DynamicPoolService pool = null;
        Nat64Service nat64 = null;
        if (cfg.nat64() != null) {
            settings = cfg.dataplane().toDataplaneSettings(cfg.nat64().toXlatSettings());
            if (device != null) {
                settings = settings.withDevice(device);
            }
            // pool4 is routed into the device like any translated prefix (pool6 already is).
            List<Ipv4Prefix> routes4 = new ArrayList<>(settings.routes4());
            routes4.addAll(cfg.nat64().routes4());
            settings = new DataplaneSettings(settings.device(), settings.workers(), settings.manageRoutes(),
                    settings.offload(), settings.mtu(), routes4, settings.routes6(), settings.xlat(), true);
            try {
                nat64 = Nat64Service.start(cfg.nat64().table(), cfg.nat64().statics(), settings.xlat(),
                        cfg.nat64().log());
            } catch (IllegalArgumentException e) {
                err.println("isthmus run: " + config + ": [nat64] " + e.getMessage());
                return ExitCodes.CONFIG_ERROR;
            } catch (IOException e) {
                err.println("isthmus run: [nat64.log] cannot open " + cfg.nat64().log().file() + ": " + e);
                return ExitCodes.IO_ERROR;
            }
            try {
                dataplane = Dataplane.startWith(settings, nat64.translatorFactory());
                nat64.sendThrough(dataplane.injector());
            } catch (IOException e) {
                err.println("isthmus run: " + e.getMessage());
                nat64.close();
                return ExitCodes.IO_ERROR;
            } catch (IllegalCallerException e) {
                err.println("isthmus run: native access is not enabled: run java with --enable-native-access=ALL-UNNAMED ("
                        + e.getMessage() + ")");
                nat64.close();
                return ExitCodes.SOFTWARE;
            }
        }
        if (cfg.siit() != null) {
            settings = cfg.dataplane().toDataplaneSettings(cfg.siit().toXlatSettings());
            if (device != null) {
                settings = settings.withDevice(device);
            }
            DynamicPoolConfig poolConfig = cfg.siit().dynamicPool();
            if (poolConfig != null) {
                // The pool's addresses are routed into the device like any other translated prefix.
                List<Ipv4Prefix> routes4 = new ArrayList<>(settings.routes4());
                routes4.add(poolConfig.ipv4());
                settings = new DataplaneSettings(settings.device(), settings.workers(), settings.manageRoutes(),
                        settings.offload(), settings.mtu(), routes4, settings.routes6(), settings.xlat());
                try {
                    pool = DynamicPoolService.start(poolConfig.toSettings(cfg.siit().pool6(), cfg.siit().eam()));
                } catch (IOException | IllegalArgumentException e) {
                    err.println("isthmus run: " + config + ": [siit.dynamic-pool] " + e.getMessage());
                    return ExitCodes.IO_ERROR;
                }
            }
            try {
                dataplane = Dataplane.start(settings, pool == null ? null : pool.pool());
            } catch (IOException e) {
                err.println("isthmus run: " + e.getMessage());
                closePool(pool);
                return ExitCodes.IO_ERROR;
            } catch (IllegalCallerException e) {
                err.println("isthmus run: native access is not enabled: run java with --enable-native-access=ALL-UNNAMED ("
                        + e.getMessage() + ")");
                closePool(pool);
                return ExitCodes.SOFTWARE;
            }
        }
        List<AutoCloseable> services;
        try {
            services = startServices(cfg, dataplane, pool, nat64);
        } catch (Exception e) {
            err.println("isthmus run: " + e.getMessage());
            if (dataplane != null) {
                dataplane.stop();
            }
            closePool(pool);
            closeNat64(nat64);
            return ExitCodes.SOFTWARE;
        }
        // SIGTERM/SIGINT release the latch and the main thread stops everything and returns 0;
        // the shutdown hook covers every other way the JVM may end (SIGHUP, System.exit).
        Dataplane running = dataplane;
        DynamicPoolService runningPool = pool;
        Nat64Service runningNat64 = nat64;
        Thread hook = Thread.ofPlatform().name("isthmus-shutdown").unstarted(() -> {
            shutdown(services, running, runningPool);
            closeNat64(runningNat64);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(System.Logger.Level.INFO, "stopping");
        shutdown(services, running, runningPool);
        closeNat64(runningNat64);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook finds everything stopped
        }
        return ExitCodes.OK;
    }

    /**
     * Starts what runs beside the data plane (the socket-plane services when configured, the
     * control socket and, when configured, the metrics endpoint) and returns it, to be closed
     * before the data plane stops.
     *
     * @param dataplane the running data plane, or null when the config has no [siit]
     */
    List<AutoCloseable> startServices(IsthmusConfig cfg, Dataplane dataplane) throws Exception {
        return startServices(cfg, dataplane, null);
    }

    /** As {@link #startServices(IsthmusConfig, Dataplane)}; the control socket also serves the dynamic pool, if any. */
    List<AutoCloseable> startServices(IsthmusConfig cfg, Dataplane dataplane, DynamicPoolService pool) throws Exception {
        return startServices(cfg, dataplane, pool, null);
    }

    /** As {@link #startServices(IsthmusConfig, Dataplane, DynamicPoolService)}; the control socket also serves NAT64. */
    List<AutoCloseable> startServices(IsthmusConfig cfg, Dataplane dataplane, DynamicPoolService pool,
            Nat64Service nat64) throws Exception {
        List<AutoCloseable> services = new ArrayList<>();
        SocketServices socket = SocketServices.start(cfg);
        if (socket != null) {
            services.add(socket);
        }
        try {
            services.add(ControlServices.start(cfg.control(),
                    dataplane != null ? dataplane : ControlServices.NO_DATAPLANE,
                    socket != null ? socket.stats() : SocketPlaneStats.NONE, pool, nat64,
                    socket != null ? socket.smtpDelivery() : null, socket != null ? socket.sipCalls() : null,
                    cfg::render));
        } catch (Exception e) {
            if (socket != null) {
                socket.close();
            }
            throw e;
        }
        return services;
    }

    /**
     * Raises the soft open-file limit to the hard one ({@link OpenFileLimit}) before anything opens
     * a socket, and logs it; without native access the limit stays as it is.
     */
    private static void raiseOpenFileLimit() {
        try {
            LOG.log(System.Logger.Level.INFO, "open-file limit " + OpenFileLimit.raiseSoftToHard());
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "cannot raise the open-file limit: " + e);
        }
    }

    /** Makes {@link #call} stop as if SIGTERM had arrived (tests). */
    void requestStop() {
        stopRequested.countDown();
    }

    /** The pool stops after the data plane (nothing consults it any more) and writes its file a last time. */
    private static void shutdown(List<AutoCloseable> services, Dataplane dataplane, DynamicPoolService pool) {
        shutdown(services, dataplane);
        closePool(pool);
    }

    /** NAT64's housekeeping stops after the data plane: nothing uses the table any more. */
    private static void closeNat64(Nat64Service nat64) {
        if (nat64 != null) {
            nat64.close();
        }
    }

    private static void closePool(DynamicPoolService pool) {
        if (pool != null) {
            pool.close();
        }
    }

    private static void shutdown(List<AutoCloseable> services, Dataplane dataplane) {
        for (AutoCloseable s : services.reversed()) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "stopping " + s + ": " + e.getMessage());
            }
        }
        if (dataplane != null) {
            dataplane.stop();
        }
    }

    /** SIGTERM and SIGINT handlers through jdk.unsupported's sun.misc.Signal, so the exit code is ours (0). */
    static final class Signals {
        private Signals() {}

        static void onTermination(Runnable action) {
            for (String name : List.of("TERM", "INT")) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
                } catch (IllegalArgumentException e) {
                    // The signal is reserved here (e.g. -Xrs): the shutdown hook still cleans up.
                    LOG.log(System.Logger.Level.WARNING, "cannot handle SIG" + name + ": " + e.getMessage());
                }
            }
        }
    }
}
