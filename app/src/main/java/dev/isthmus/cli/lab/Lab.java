package dev.isthmus.cli.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A running lab: the {@link Topology}, {@code isthmus run} in the middle namespace, and the peers
 * ({@link LabPeer}): an HTTP server and a UDP echo server on the IPv4-only server, and a UDP echo
 * server on the IPv6-only client. {@link #close()} stops them all and removes the namespaces.
 */
public final class Lab implements AutoCloseable {
    /** The translator's own IPv4 address: routed to the middle but not assigned to it (see {@link #config}). */
    public static final String TRANSLATOR4 = "192.0.2.1";
    /** Its IPv6 form (pool6 + 192.0.2.1): the source of the ICMPv6 errors the translator originates. */
    public static final String TRANSLATOR6 = "2001:db8:64::c000:201";
    public static final int HTTP_PORT = 8080;
    public static final int UDP_PORT = 7;

    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration SHORT = Duration.ofSeconds(5);

    /**
     * What to build.
     *
     * @param names the namespaces
     * @param launcher how to start isthmus and the peers
     * @param workDir where the configuration and the logs go (created if absent)
     * @param device the TUN device's name
     * @param controlSocket the control socket of {@code isthmus run}
     * @param offload {@code dataplane.offload}
     * @param workers {@code dataplane.workers} (0: one per processor)
     */
    public record Settings(
            Topology.Names names, Launcher launcher, Path workDir, String device, Path controlSocket,
            boolean offload, int workers) {}

    private final Settings settings;
    private final Topology topology;
    private final Path config;
    private final Path translatorLog;
    private Process translator;

    private Lab(Settings settings, Topology topology) {
        this.settings = settings;
        this.topology = topology;
        this.config = settings.workDir().resolve("isthmus.toml");
        this.translatorLog = settings.workDir().resolve("isthmus.log");
    }

    /**
     * Builds the topology, starts the translator and waits until it translates (routes in place,
     * JIT warmed up), then starts the peers and waits until each is listening. Everything is bounded in time; on
     * failure everything started so far is stopped and removed before the exception leaves.
     */
    public static Lab start(Settings settings) {
        try {
            Files.createDirectories(settings.workDir());
        } catch (IOException e) {
            throw new LabException("cannot create " + settings.workDir() + ": " + e.getMessage(), e);
        }
        Topology t = Topology.create(settings.names());
        Lab lab = new Lab(settings, t);
        try {
            lab.startTranslator();
            lab.startPeers();
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /**
     * The configuration the lab runs isthmus with (examples/siit.toml's translation, plus the
     * device and control socket of this lab).
     *
     * <p>{@code ipv4-address} is {@link #TRANSLATOR4}, an address that the server routes to the
     * middle (its default route) but that no interface holds: then {@code isthmus run} can give the
     * middle's own traffic to pool6 a translatable source, its IPv6 form, and route the replies
     * back through the device (docs/CONFIG.md, "Traffic that this host itself sends"). With the
     * middle's interface address there instead, only EAM-covered sources would be translated.
     */
    public static String config(Settings s) {
        return """
                # Written by the isthmus lab (dev.isthmus.cli.lab.Lab): the client %s reaches the
                # server %s as %s, the server reaches the client as %s.
                [siit]
                pool6 = "%s"
                ipv4-address = "%s"

                [[siit.eam]]
                ipv6 = "%s/128"
                ipv4 = "%s/32"

                [dataplane]
                device = "%s"
                workers = %d
                manage-routes = true
                offload = %b

                [control]
                socket = "%s"
                """.formatted(Topology.CLIENT6, Topology.SERVER4, Topology.SERVER_AS6, Topology.CLIENT_AS4,
                Topology.POOL6, TRANSLATOR4, Topology.CLIENT6, Topology.CLIENT_AS4, s.device(), s.workers(),
                s.offload(), s.controlSocket());
    }

    private void startTranslator() {
        try {
            Files.writeString(config, config(settings));
            Files.deleteIfExists(translatorLog);
        } catch (IOException e) {
            throw new LabException("cannot write " + config + ": " + e.getMessage(), e);
        }
        translator = topology.start(mid(), translatorLog, settings.launcher().isthmus("run", "--config",
                config.toString()));
        // Ready when it says "translating on DEVICE": by then its routes are in and every worker has
        // warmed up and reads its queue.
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (!translating()) {
            if (!translator.isAlive()) {
                throw new LabException("isthmus run exited with code " + translator.exitValue() + " before it was"
                        + " ready; its log (" + translatorLog + "):\n" + tail(translatorLog, 20));
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("isthmus run was not translating on " + settings.device() + " within "
                        + START_LIMIT.toSeconds() + " s; its log (" + translatorLog + "):\n" + tail(translatorLog, 20));
            }
            sleep(POLL);
        }
        if (!routed(Topology.POOL6, "-6") || !routed(Topology.CLIENT_AS4 + "/32", "-4")) {
            throw new LabException("isthmus run did not route " + Topology.POOL6 + " and " + Topology.CLIENT_AS4
                    + " into " + settings.device() + "; its log (" + translatorLog + "):\n" + tail(translatorLog, 20));
        }
    }

    private boolean translating() {
        try {
            return Files.exists(translatorLog)
                    && Files.readString(translatorLog, StandardCharsets.UTF_8).contains("translating on " + settings.device() + " ");
        } catch (IOException e) {
            return false;
        }
    }

    private boolean routed(String prefix, String family) {
        Shell.Result r = topology.exec(mid(), SHORT, "ip", family, "route", "show", prefix);
        return r.ok() && r.out().contains("dev " + settings.device());
    }

    private void startPeers() {
        Launcher l = settings.launcher();
        String port = Integer.toString(HTTP_PORT), udp = Integer.toString(UDP_PORT);
        Path httpLog = settings.workDir().resolve("server-http.log");
        Path echo4Log = settings.workDir().resolve("server-udp-echo.log");
        Path echo6Log = settings.workDir().resolve("client-udp-echo.log");
        for (Path p : List.of(httpLog, echo4Log, echo6Log)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new LabException("cannot remove " + p + ": " + e.getMessage(), e);
            }
        }
        // Started together, waited for together: the JVMs start in parallel.
        Process http = topology.start(server(), httpLog, l.peer("http-server", Topology.SERVER4, port));
        Process echo4 = topology.start(server(), echo4Log, l.peer("udp-echo", Topology.SERVER4, udp));
        Process echo6 = topology.start(client(), echo6Log, l.peer("udp-echo", Topology.CLIENT6, udp));
        awaitReady(http, httpLog);
        awaitReady(echo4, echo4Log);
        awaitReady(echo6, echo6Log);
    }

    private static void awaitReady(Process p, Path log) {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            try {
                if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("ready")) {
                    return;
                }
            } catch (IOException e) {
                // not written yet
            }
            if (!p.isAlive()) {
                throw new LabException("lab peer " + p.info().commandLine().orElse("") + " exited with code "
                        + p.exitValue() + "; its log (" + log + "):\n" + tail(log, 20));
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("lab peer did not start within " + START_LIMIT.toSeconds() + " s; its log ("
                        + log + "):\n" + tail(log, 20));
            }
            sleep(POLL);
        }
    }

    public Settings settings() {
        return settings;
    }

    public Topology topology() {
        return topology;
    }

    public String client() {
        return settings.names().client();
    }

    public String mid() {
        return settings.names().mid();
    }

    public String server() {
        return settings.names().server();
    }

    public Path config() {
        return config;
    }

    public Path translatorLog() {
        return translatorLog;
    }

    /** The {@code isthmus run} process (its PID is the JVM's, for CPU time). */
    public Process translator() {
        return translator;
    }

    /** Runs a command in the client namespace. */
    public Shell.Result inClient(Duration limit, String... command) {
        return topology.exec(client(), limit, command);
    }

    /** Runs a command in the middle namespace. */
    public Shell.Result inMid(Duration limit, String... command) {
        return topology.exec(mid(), limit, command);
    }

    /** Runs a command in the server namespace. */
    public Shell.Result inServer(Duration limit, String... command) {
        return topology.exec(server(), limit, command);
    }

    /** Runs {@code LabPeer ARGS...} in namespace {@code ns}. */
    public Shell.Result peer(String ns, Duration limit, String... args) {
        return topology.exec(ns, limit, settings.launcher().peer(args));
    }

    /**
     * Stops the translator with SIGTERM and returns its exit code (-1 when it had to be killed
     * after the grace time). The rest of the lab stays up.
     */
    public int stopTranslator(Duration grace) {
        return Topology.stop(translator, grace);
    }

    /** The last {@code n} lines of the translator's log, for failure messages. */
    public String translatorLogTail(int n) {
        return tail(translatorLog, n);
    }

    /** Leaves everything running when this JVM exits (see {@link Topology#keep()}). */
    public void keep() {
        topology.keep();
    }

    /** Stops everything and removes the namespaces. Idempotent. */
    @Override
    public void close() {
        topology.close();
    }

    static String tail(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted");
        }
    }
}
