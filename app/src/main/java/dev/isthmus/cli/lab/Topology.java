package dev.isthmus.cli.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three network namespaces joined by two veth pairs: an IPv6-only client, a middle namespace
 * that forwards both families (the translator runs there), and an IPv4-only server.
 *
 * <pre>
 *  client                 middle                           server
 *  c6 2001:db8:6::2/64 ── x6 2001:db8:6::1/64
 *                            x4 198.51.100.1/24 ────────── s4 198.51.100.2/24
 *  default via 2001:db8:6::1                               default via 198.51.100.1
 * </pre>
 *
 * The client reaches the server as {@link #SERVER_AS6} (pool6 + 198.51.100.2, RFC 6052 §2.2) and
 * the server reaches the client as {@link #CLIENT_AS4} (the explicit mapping, RFC 7757); neither
 * end has an address of the other family. Interface names are the same in every topology since
 * each lives in its own namespace; only the namespace names differ ({@link Names}).
 *
 * <p>Every process started here ({@link #start}) is stopped and every namespace deleted by
 * {@link #close()}, which is idempotent and also runs from a shutdown hook, so Ctrl-C or a
 * failing test leaves nothing behind.
 */
public final class Topology implements AutoCloseable {
    public static final String CLIENT6 = "2001:db8:6::2";
    public static final String MID6 = "2001:db8:6::1";
    public static final String MID4 = "198.51.100.1";
    public static final String SERVER4 = "198.51.100.2";
    public static final String POOL6 = "2001:db8:64::/96";
    /** The server as the client sees it: pool6 + 198.51.100.2. */
    public static final String SERVER_AS6 = "2001:db8:64::c633:6402";
    /** The client as the server sees it (the EAM entry 2001:db8:6::2/128 ↔ 192.0.2.2/32). */
    public static final String CLIENT_AS4 = "192.0.2.2";
    /** The middle's IPv4 side as the client sees it, e.g. as the source of a translated Time Exceeded. */
    public static final String MID4_AS6 = "2001:db8:64::c633:6401";

    public static final String CLIENT_IF = "c6";
    public static final String MID6_IF = "x6";
    public static final String MID4_IF = "x4";
    public static final String SERVER_IF = "s4";

    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /**
     * The names of one topology.
     *
     * @param client the IPv6-only client's namespace
     * @param mid the middle namespace, where the translator runs
     * @param server the IPv4-only server's namespace
     */
    public record Names(String client, String mid, String server) {
        public List<String> all() {
            return List.of(client, mid, server);
        }
    }

    /** The names {@code isthmus lab} uses. */
    public static final Names LAB = new Names("isthmus-client", "isthmus-mid", "isthmus-server");

    /** Fresh names {@code PREFIX + 4 hex digits + -client/-mid/-server}, for topologies side by side. */
    public static Names uniqueNames(String prefix) {
        byte[] b = new byte[2];
        new SecureRandom().nextBytes(b);
        String p = prefix + HexFormat.of().formatHex(b);
        return new Names(p + "-client", p + "-mid", p + "-server");
    }

    private final Names names;
    private final Deque<Process> processes = new ArrayDeque<>();
    private final Thread hook;
    private boolean closed;

    private Topology(Names names) {
        this.names = names;
        this.hook = Thread.ofPlatform().name("lab-teardown-" + names.mid()).unstarted(this::teardown);
    }

    /**
     * Builds the namespaces, links, addresses and routes, and turns on forwarding in the middle.
     * Fails when any of the namespaces exists already (another lab, or one left behind). On
     * failure everything made so far is removed before the exception leaves.
     */
    public static Topology create(Names names) {
        for (String ns : names.all()) {
            if (exists(ns)) {
                throw new LabException("network namespace " + ns + " exists already: a lab is up (`isthmus lab"
                        + " --down` removes the demo lab) or one was left behind (`ip netns del " + ns + "`)");
            }
        }
        Topology t = new Topology(names);
        Runtime.getRuntime().addShutdownHook(t.hook);
        try {
            t.build();
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void build() {
        String c = names.client(), m = names.mid(), s = names.server();
        for (String ns : names.all()) {
            ip("netns", "add", ns);
            in(ns, "ip", "link", "set", "lo", "up");
            // The addresses are fixed and unique in their namespace: duplicate address detection
            // would only delay the first packets by a second or so.
            sysctl(ns, "net/ipv6/conf/all/accept_dad", "0");
            sysctl(ns, "net/ipv6/conf/default/accept_dad", "0");
        }
        ip("link", "add", CLIENT_IF, "netns", c, "type", "veth", "peer", "name", MID6_IF, "netns", m);
        ip("link", "add", SERVER_IF, "netns", s, "type", "veth", "peer", "name", MID4_IF, "netns", m);
        in(c, "ip", "-6", "addr", "add", CLIENT6 + "/64", "dev", CLIENT_IF, "nodad");
        in(m, "ip", "-6", "addr", "add", MID6 + "/64", "dev", MID6_IF, "nodad");
        in(m, "ip", "-4", "addr", "add", MID4 + "/24", "dev", MID4_IF);
        in(s, "ip", "-4", "addr", "add", SERVER4 + "/24", "dev", SERVER_IF);
        in(c, "ip", "link", "set", CLIENT_IF, "up");
        in(m, "ip", "link", "set", MID6_IF, "up");
        in(m, "ip", "link", "set", MID4_IF, "up");
        in(s, "ip", "link", "set", SERVER_IF, "up");
        in(c, "ip", "-6", "route", "add", "default", "via", MID6);
        in(s, "ip", "-4", "route", "add", "default", "via", MID4);
        // The server must be IPv4-only: no link-local IPv6 either, so nothing can bypass the translator.
        sysctl(s, "net/ipv6/conf/all/disable_ipv6", "1");
        sysctl(m, "net/ipv4/ip_forward", "1");
        sysctl(m, "net/ipv6/conf/all/forwarding", "1");
    }

    public Names names() {
        return names;
    }

    /** Runs {@code command} in namespace {@code ns}, waiting at most {@code limit}. */
    public Shell.Result exec(String ns, Duration limit, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        return Shell.run(limit, cmd);
    }

    /** Same as {@link #exec(String, Duration, String...)} with a list. */
    public Shell.Result exec(String ns, Duration limit, List<String> command) {
        return exec(ns, limit, command.toArray(String[]::new));
    }

    /**
     * Starts {@code command} in namespace {@code ns} in the background, standard output and error
     * to {@code log}, in a session of its own (so that Ctrl-C in the terminal reaches only the lab,
     * which then stops it in order). The returned process is the command itself ({@code setsid}
     * and {@code ip netns exec} both exec), so its PID is the command's.
     */
    public synchronized Process start(String ns, Path log, List<String> command) {
        if (closed) {
            throw new LabException("the lab is being removed");
        }
        List<String> cmd = new ArrayList<>(List.of("setsid", "ip", "netns", "exec", ns));
        cmd.addAll(command);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            processes.push(p);
            return p;
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops one process: SIGTERM, then SIGKILL if it has not exited within the grace time.
     * Returns its exit code, or -1 when it had to be killed.
     */
    public static int stop(Process p, Duration grace) {
        if (!p.isAlive()) {
            return p.exitValue();
        }
        p.destroy();
        try {
            if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return p.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /**
     * Leaves the topology and its processes up when this JVM exits ({@code isthmus lab --keep}):
     * {@link #close()} and the shutdown hook do nothing after this; {@link #remove} takes it down.
     */
    public synchronized void keep() {
        closed = true;
        processes.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // already shutting down, or never added
        }
    }

    /** True once {@link #close()} (or the shutdown hook, on Ctrl-C) has started removing the topology. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Stops every process started here (newest first) and deletes the namespaces. Idempotent. */
    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is shutting down (the hook is running or ran), or the hook was never added
        }
    }

    private void teardown() {
        List<Process> toStop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(processes);
            processes.clear();
        }
        for (Process p : toStop) {
            stop(p, STOP_GRACE);
        }
        remove(names);
    }

    /**
     * Removes a topology by name whether or not this JVM made it ({@code isthmus lab --down}):
     * every process left in its namespaces is sent SIGTERM (then SIGKILL after a grace time) and
     * the namespaces are deleted. Namespaces that do not exist are skipped. Returns the
     * namespaces that were deleted.
     */
    public static List<String> remove(Names names) {
        List<ProcessHandle> left = new ArrayList<>();
        for (String ns : names.all()) {
            if (exists(ns)) {
                left.addAll(pids(ns));
            }
        }
        // The translator goes first and on its own: on SIGTERM it removes its routes and device.
        left.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle h : left) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        List<String> deleted = new ArrayList<>();
        for (String ns : names.all()) {
            if (exists(ns) && Shell.run(COMMAND_LIMIT, "ip", "netns", "del", ns).ok()) {
                deleted.add(ns);
            }
        }
        return deleted;
    }

    /** True when a namespace of that name exists. */
    public static boolean exists(String ns) {
        Shell.Result r = Shell.run(COMMAND_LIMIT, "ip", "netns", "list");
        return r.ok() && r.out().lines().map(l -> l.split(" ", 2)[0]).anyMatch(ns::equals);
    }

    private static List<ProcessHandle> pids(String ns) {
        Shell.Result r = Shell.run(COMMAND_LIMIT, "ip", "netns", "pids", ns);
        List<ProcessHandle> handles = new ArrayList<>();
        if (r.ok()) {
            r.out().lines().map(String::strip).filter(l -> l.matches("\\d+"))
                    .forEach(l -> ProcessHandle.of(Long.parseLong(l)).ifPresent(handles::add));
        }
        return handles;
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Shell.run(COMMAND_LIMIT, cmd).orThrow();
    }

    private void in(String ns, String... command) {
        exec(ns, COMMAND_LIMIT, command).orThrow();
    }

    /**
     * Sets a sysctl of namespace {@code ns} through /proc/sys, which shows the values of the
     * namespace of the process that opens it (no dependence on procps' sysctl).
     */
    private void sysctl(String ns, String key, String value) {
        in(ns, "sh", "-c", "echo " + value + " > /proc/sys/" + key);
    }
}
