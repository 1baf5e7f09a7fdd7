package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The end-to-end fixture of the socket plane: the lab's three namespaces ({@link Topology}: an
 * IPv6-only client, the middle with both families, an IPv4-only server) with names of its own
 * ({@code rly-XXXX-…}), no TUN, and {@code isthmus run} in the middle with a config that has
 * only {@code [[relay]]} and {@code [http]} sections. Names that isthmus resolves come from
 * {@code /etc/netns/MID/hosts}, which {@code ip netns exec} mounts over {@code /etc/hosts}.
 *
 * <p>A missing tool fails the test (never skips it), naming the Debian package.
 */
final class SocketLab implements AutoCloseable {
    static final Duration LIMIT = Duration.ofSeconds(20);

    final Topology topology;
    final Path work;
    final Path socket;
    private final Launcher launcher;
    private final Path netnsEtc;
    private final List<String> extraNamespaces = new ArrayList<>();
    private List<String> command;
    private Process isthmus;

    private SocketLab(Topology topology, Path work, Path socket, Launcher launcher, Path netnsEtc) {
        this.topology = topology;
        this.work = work;
        this.socket = socket;
        this.launcher = launcher;
        this.netnsEtc = netnsEtc;
    }

    /**
     * Makes the namespaces and starts isthmus in the middle with {@code config} (the
     * {@code [control]} section is added here; {@code @WORK@} in it stands for {@link #work}).
     *
     * @param hosts lines for the middle's /etc/hosts (name resolution of the forward proxy)
     * @param tools commands that must exist, each with its Debian package: {@code {"swaks", "swaks"}}
     */
    static SocketLab start(String config, String hosts, String[]... tools) {
        return start(List.of(), config, hosts, tools);
    }

    /**
     * As {@link #start(String, String, String[]...)}, isthmus started through {@code wrapper}
     * (for example {@code prlimit --nofile=256:600 --}).
     */
    static SocketLab start(List<String> wrapper, String config, String hosts, String[]... tools) {
        E2eLab.checkPreconditions();
        for (String[] t : tools) {
            Shell.Result r = Shell.run(Duration.ofSeconds(5), "sh", "-c", "command -v " + t[0]);
            assertTrue(r.ok(), "the end-to-end tests need `" + t[0] + "` (Debian package " + t[1] + ")");
        }
        Path jar = Path.of(System.getProperty("isthmus.jar"));
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        Topology.Names names = Topology.uniqueNames("rly-");
        String tag = names.mid().substring(0, names.mid().length() - "-mid".length());
        Path work = jar.toAbsolutePath().getParent().resolve("e2e").resolve(tag);
        Path etc = Path.of("/etc/netns", names.mid());
        Topology topology = Topology.create(names);
        SocketLab lab = new SocketLab(topology, work, Path.of("/run/isthmus/" + tag + ".sock"), Launcher.ofJar(java, jar), etc);
        try {
            Files.createDirectories(work);
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n" + hosts);
            Path cfg = work.resolve("isthmus.toml");
            Files.writeString(cfg, "[control]\nsocket = \"" + lab.socket + "\"\n\n"
                    + config.replace("@WORK@", work.toString()));
            lab.command = Stream.concat(wrapper.stream(), lab.launcher.isthmus("run", "-c", cfg.toString()).stream())
                    .toList();
            lab.isthmus = topology.start(names.mid(), work.resolve("isthmus.log"), lab.command);
            lab.awaitLog("control socket listening");
        } catch (IOException e) {
            lab.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    String client() {
        return topology.names().client();
    }

    String mid() {
        return topology.names().mid();
    }

    String server() {
        return topology.names().server();
    }

    /**
     * Kills isthmus with SIGKILL (no shutdown hook, no flush: a crash) and waits until it is gone;
     * {@link #restart} starts it again.
     */
    void kill() {
        isthmus.destroyForcibly();
        try {
            assertTrue(isthmus.waitFor(LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                    "isthmus outlived SIGKILL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts isthmus again with the same config, its output appended to the same log, and waits until it is up. */
    void restart() {
        long before = log().split("control socket listening", -1).length;
        isthmus = topology.start(mid(), work.resolve("isthmus.log"), command);
        long end = System.nanoTime() + LIMIT.toNanos();
        while (log().split("control socket listening", -1).length == before) {
            if (!isthmus.isAlive()) {
                fail("isthmus exited (" + isthmus.exitValue() + ") on restart:\n" + log());
            }
            if (System.nanoTime() > end) {
                fail("isthmus did not come back within " + LIMIT.toSeconds() + " s:\n" + log());
            }
            sleep(50);
        }
    }

    /**
     * Makes one more namespace, {@code TAG-SUFFIX}, with loopback up and no duplicate address
     * detection (as the topology's own); {@link #close} deletes it after the topology's.
     */
    String namespace(String suffix) {
        String ns = mid().substring(0, mid().length() - "mid".length()) + suffix;
        Shell.run(LIMIT, "ip", "netns", "add", ns).orThrow();
        extraNamespaces.add(ns);
        exec(ns, "ip", "link", "set", "lo", "up").orThrow();
        exec(ns, "sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 >"
                + " /proc/sys/net/ipv6/conf/default/accept_dad").orThrow();
        return ns;
    }

    /** Runs a command in a namespace, bounded by {@link #LIMIT}. */
    Shell.Result exec(String ns, String... command) {
        return topology.exec(ns, LIMIT, command);
    }

    /** Starts a background peer (a server) in a namespace; its output goes to {@code work/NAME.log}. */
    Process peer(String ns, String name, String... command) {
        return topology.start(ns, work.resolve(name + ".log"), List.of(command));
    }

    /** Waits until something in {@code ns} accepts TCP connections on {@code host:port}. */
    void awaitTcp(String ns, String host, int port) {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < end) {
            if (topology.exec(ns, Duration.ofSeconds(2), "bash", "-c", "exec 3<>/dev/tcp/" + host + "/" + port).ok()) {
                return;
            }
            sleep(100);
        }
        fail("nothing listens on " + host + ":" + port + " in " + ns + " after " + LIMIT.toSeconds() + " s");
    }

    /** The log of isthmus so far. */
    String log() {
        return read(work.resolve("isthmus.log"));
    }

    String peerLog(String name) {
        return read(work.resolve(name + ".log"));
    }

    /** Waits until the isthmus log contains {@code text}; fails with the log otherwise. */
    void awaitLog(String text) {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < end) {
            if (log().contains(text)) {
                return;
            }
            if (isthmus != null && !isthmus.isAlive()) {
                fail("isthmus exited (" + isthmus.exitValue() + ") before logging \"" + text + "\":\n" + log());
            }
            sleep(100);
        }
        fail("isthmus did not log \"" + text + "\" within " + LIMIT.toSeconds() + " s:\n" + log());
    }

    /** {@code isthmus show stats --json} through the control socket. */
    String statsJson() {
        return stats("--json");
    }

    /** The HTTP gateway's counter of refusals for {@code reason} ({@code show stats --json}). */
    long httpRefused(String reason) {
        String json = statsJson();
        String http = json.substring(json.indexOf("\"http\":"));
        Matcher m = Pattern.compile("\"" + reason + "\":(\\d+)")
                .matcher(http.substring(http.indexOf("\"refused\"")));
        assertTrue(m.find(), reason + " not in " + json);
        return Long.parseLong(m.group(1));
    }

    /** {@code isthmus show stats [ARGS]} through the control socket; fails when it does not answer. */
    String stats(String... args) {
        List<String> cmd = new ArrayList<>(List.of("show", "stats"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--socket", socket.toString()));
        Shell.Result r = Shell.run(LIMIT, launcher.isthmus(cmd.toArray(String[]::new)));
        assertTrue(r.ok(), r.describe());
        return r.out();
    }

    /** {@code isthmus ARGS --socket SOCKET}: any control-socket command of the running isthmus, as it ended. */
    Shell.Result control(String... args) {
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.addAll(List.of("--socket", socket.toString()));
        return Shell.run(LIMIT, launcher.isthmus(cmd.toArray(String[]::new)));
    }

    @Override
    public void close() {
        topology.close();
        for (String ns : extraNamespaces) {
            Shell.run(LIMIT, "ip", "netns", "del", ns);
        }
        try {
            if (Files.isDirectory(netnsEtc)) {
                try (Stream<Path> files = Files.list(netnsEtc)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(netnsEtc);
            }
        } catch (IOException e) {
            // nothing left that matters: the namespace that would mount it is gone
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
