package dev.isthmus.dataplane;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host side of the data plane: the TUN link's state, its routes and addresses. Everything
 * goes through iproute2 ({@code ip}) in this one class, each command logged and each failure
 * reported with the command and its standard error, so that netlink could replace it later.
 * Every change that {@link #configure} makes is remembered and {@link #undo} removes exactly those,
 * newest first.
 *
 * <p>What is routed into the device: pool6 (IPv6, the destinations that stand for IPv4 nodes),
 * every EAM entry's IPv4 prefix (IPv4, the destinations that stand for IPv6 nodes), and the
 * operator's extra prefixes. The EAM IPv6 prefixes are not: they are where the 4→6 translations
 * go, and routing them into the device would loop.
 *
 * <p>The host's own traffic: a packet the host itself sends to pool6 leaves with the source
 * address the kernel picks, and the translator must be able to translate that source (RFC 7915
 * §5.1: otherwise it answers Destination Unreachable, code 5). So when the translator's own IPv4
 * address ({@code siit.ipv4-address}) is not an address of this host, its IPv6 form (EAM, else
 * pool6) is added to the device as a /128 and given as the preferred source of the pool6 route,
 * and the IPv4 address is routed into the device: replies to it come back through the
 * translator to the host. When it is a local address, host traffic to pool6 is translated only
 * from a source that an EAM entry covers, and a line in the log says so.
 */
final class HostNetwork {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dataplane");
    /**
     * Largest super-packet the kernel may hand the TUN: an IPv6 one of this size still fits in
     * IPv4's 16-bit Total Length after translation (20 bytes shorter), with room to spare.
     */
    static final int GSO_MAX_SIZE = 65000;

    private final String ip;
    private final Deque<List<String>> undo = new ArrayDeque<>();

    HostNetwork() {
        this("ip");
    }

    /** With another iproute2 binary (tests). */
    HostNetwork(String ip) {
        this.ip = ip;
    }

    /** Brings the link up, adds the routes and the host address; on failure undoes what it did and throws. */
    void configure(String dev, DataplaneSettings s, boolean segmentation) throws IOException {
        try {
            run(List.of(ip, "link", "set", "dev", dev, "mtu", Integer.toString(s.mtu()), "up"));
            if (segmentation) {
                limitSuperPackets(dev);
            }
            XlatSettings x = s.xlat();
            // Stateful NAT64 refuses pool6 sources; the host speaks from its own addresses there.
            Ipv6Address hostSource = s.stateful() ? null : hostAddress(dev, x);
            if (x.pool6() != null) {
                route(dev, "-6", x.pool6().prefix().toString(),
                        hostSource == null ? List.of() : List.of("src", hostSource.toString()));
            }
            for (EamTable.Eam e : x.eam().entries()) {
                route4(dev, e.ipv4());
            }
            for (Ipv4Prefix p : s.routes4()) {
                route4(dev, p);
            }
            for (Ipv6Prefix p : s.routes6()) {
                route(dev, "-6", p.toString(), List.of());
            }
        } catch (IOException e) {
            undo();
            throw e;
        }
    }

    /** Sets the device's gso_max_size (see {@link #GSO_MAX_SIZE}); a failure is a warning. */
    void limitSuperPackets(String dev) {
        try {
            run(List.of(ip, "link", "set", "dev", dev, "gso_max_size", Integer.toString(GSO_MAX_SIZE)));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage()
                    + " (IPv6 super-packets larger than 65535 bytes would be dropped, not translated)");
        }
    }

    private void route4(String dev, Ipv4Prefix p) throws IOException {
        route(dev, "-4", p.toString(), List.of());
    }

    /**
     * Routes {@code prefix} into the device. A route that is already there through this device
     * (an operator's or a test harness's, made before the start) is kept as it is and left in
     * place at exit: it was not ours to add and is not ours to remove. One through another
     * device is a conflict the operator must settle: the error names it.
     */
    private void route(String dev, String family, String prefix, List<String> extra) throws IOException {
        List<String> add = new ArrayList<>(List.of(ip, family, "route", "add", prefix, "dev", dev));
        add.addAll(extra);
        try {
            change(add, List.of(ip, family, "route", "del", prefix, "dev", dev));
        } catch (IOException e) {
            if (!e.getMessage().contains("File exists")) {
                throw e;
            }
            String existing = output(List.of(ip, family, "route", "show", prefix)).strip();
            if (!throughDevice(existing, dev)) {
                throw new IOException("a route for " + prefix + " already exists (" + existing + "): remove it,"
                        + " or set manage-routes = false and route the prefixes into " + dev + " yourself", e);
            }
            LOG.log(System.Logger.Level.INFO, "route " + prefix + " already goes through " + dev + ": kept as it is"
                    + " (and left in place at exit)");
        }
    }

    /** True when every line of {@code ip route show PREFIX}'s output routes through {@code dev}. */
    static boolean throughDevice(String routes, String dev) {
        if (routes.isEmpty()) {
            return false;
        }
        for (String line : routes.split("\n")) {
            if (!(" " + line.strip() + " ").contains(" dev " + dev + " ")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds the IPv6 form of the translator's IPv4 address to the device and routes the IPv4
     * address into it, when that address is not local; returns the IPv6 form, or null.
     */
    private Ipv6Address hostAddress(String dev, XlatSettings x) throws IOException {
        int own4 = x.ownIpv4();
        String own4Text = Ipv4Address.format(own4);
        Ipv6Address own6 = ipv6Form(x, own4);
        if (own6 == null) {
            LOG.log(System.Logger.Level.INFO, "host traffic: siit.ipv4-address " + own4Text
                    + " has no IPv6 form (no EAM or pool6 covers it); this host's own IPv6 traffic to pool6 is"
                    + " translated only from a source address an EAM entry covers");
            return null;
        }
        if (isLocal(own4)) {
            LOG.log(System.Logger.Level.INFO, "host traffic: siit.ipv4-address " + own4Text + " is an address of"
                    + " this host, so it cannot also stand for the host behind the translator; this host's own IPv6"
                    + " traffic to pool6 is translated only from a source address an EAM entry covers (set"
                    + " ipv4-address to an address that is routed to this host but not assigned to it)");
            return null;
        }
        change(List.of(ip, "-6", "addr", "add", own6 + "/128", "dev", dev, "nodad"),
                List.of(ip, "-6", "addr", "del", own6 + "/128", "dev", dev));
        change(List.of(ip, "-4", "route", "add", own4Text + "/32", "dev", dev),
                List.of(ip, "-4", "route", "del", own4Text + "/32", "dev", dev));
        LOG.log(System.Logger.Level.INFO, "host traffic: this host reaches pool6 from " + own6 + ", which the"
                + " translator maps to " + own4Text);
        return own6;
    }

    /** The IPv6 address that {@code v4} translates to (EAM first, then pool6), or null. */
    static Ipv6Address ipv6Form(XlatSettings x, int v4) {
        EamTable eam = x.eam();
        int i = eam.isEmpty() ? -1 : eam.find4(v4);
        if (i >= 0) {
            return new Ipv6Address(eam.map46Hi(i, v4), eam.map46Lo(i, v4));
        }
        if (x.pool6() == null || x.pool6().isWellKnown() && Ipv4Special.isNonGlobal(v4)) {
            return null;
        }
        return x.pool6().embed(v4);
    }

    private static boolean isLocal(int v4) {
        try {
            for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
                for (InetAddress a : nif.inetAddresses().toList()) {
                    if (a instanceof Inet4Address && Ipv4Address.parse(a.getHostAddress()) == v4) {
                        return true;
                    }
                }
            }
        } catch (SocketException e) {
            return false;
        }
        return false;
    }

    /** Logs a warning for each kind of forwarding that is off (isthmus never changes sysctls). */
    static void checkForwarding() {
        check("/proc/sys/net/ipv4/ip_forward", "net.ipv4.ip_forward",
                "IPv4 packets from other hosts will not reach the translator");
        check("/proc/sys/net/ipv6/conf/all/forwarding", "net.ipv6.conf.all.forwarding",
                "IPv6 packets from other hosts will not reach the translator");
    }

    private static void check(String file, String name, String consequence) {
        try {
            if (Files.readString(Path.of(file)).trim().equals("0")) {
                LOG.log(System.Logger.Level.WARNING, name + " is 0: " + consequence + " (only this host's own"
                        + " traffic is translated; enable it with sysctl -w " + name + "=1)");
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Runs {@code add} and remembers {@code remove} for {@link #undo}. */
    private void change(List<String> add, List<String> remove) throws IOException {
        run(add);
        undo.push(remove);
    }

    /** Removes what {@link #configure} added, newest first; failures are logged, not thrown. */
    void undo() {
        while (!undo.isEmpty()) {
            try {
                run(undo.pop());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
    }

    /** Runs one command, logged; throws with the command and its standard error when it fails. */
    void run(List<String> command) throws IOException {
        execute(command, false);
    }

    /** Runs one command that only reads, and returns its standard output. */
    String output(List<String> command) throws IOException {
        return execute(command, true);
    }

    private String execute(List<String> command, boolean keepOutput) throws IOException {
        String text = String.join(" ", command);
        LOG.log(System.Logger.Level.INFO, "run: " + text);
        Process p;
        try {
            ProcessBuilder b = new ProcessBuilder(command);
            if (keepOutput) {
                b.redirectErrorStream(true);
            } else {
                b.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            p = b.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + text + ": " + e.getMessage(), e);
        }
        String captured;
        try (InputStream es = keepOutput ? p.getInputStream() : p.getErrorStream()) {
            captured = new String(es.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(text + ": no answer in 10 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(text + ": interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(text + " failed (exit " + p.exitValue() + ")" + (captured.isEmpty() ? "" : ": " + captured));
        }
        return captured;
    }
}
