package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code isthmus run} for real, in throwaway network namespaces (root needed; the test fails
 * loudly without it): an IPv6-only client namespace, the middle one where isthmus runs on its
 * TUN with offload on, and an IPv4-only server namespace.
 *
 * <pre>
 *  client 2001:db8:6::2 ── veth ── 2001:db8:6::1 [isthmus, TUN] 198.51.100.1 ── veth ── 198.51.100.2 server
 * </pre>
 *
 * pool6 2001:db8:64::/96 (the server is 2001:db8:64::c633:6402), EAM 2001:db8:6::2 ↔ 192.0.2.2.
 * Every name carries the prefix "dp" and this JVM's PID; everything is removed afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunCommandNamespaceTest {
    private static final String ID = Long.toString(ProcessHandle.current().pid());
    private static final String C = "dpc" + ID;
    private static final String X = "dpx" + ID;
    private static final String S = "dps" + ID;
    private static final String TUN = "dpt" + ID;
    private static final String SERVER6 = "2001:db8:64::c633:6402";

    private static Path dir;
    private static Path config;
    private static Path log;
    private static Process isthmus;
    private static final List<Process> others = new ArrayList<>();

    @BeforeAll
    static void lab() throws Exception {
        if (!"0".equals(out(List.of("id", "-u")).strip())) {
            fail("this test needs root (network namespaces, TUN); run the suite as root");
        }
        dir = Files.createTempDirectory("dp-run-test");
        for (String ns : List.of(C, X, S)) {
            sh("ip", "netns", "add", ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                    "net.ipv6.conf.default.accept_dad=0");
        }
        sh("ip", "link", "add", "dpa" + ID, "netns", C, "type", "veth", "peer", "name", "dpb" + ID, "netns", X);
        sh("ip", "link", "add", "dpd" + ID, "netns", S, "type", "veth", "peer", "name", "dpe" + ID, "netns", X);
        sh("ip", "-n", C, "addr", "add", "2001:db8:6::2/64", "dev", "dpa" + ID, "nodad");
        sh("ip", "-n", X, "addr", "add", "2001:db8:6::1/64", "dev", "dpb" + ID, "nodad");
        sh("ip", "-n", X, "addr", "add", "198.51.100.1/24", "dev", "dpe" + ID);
        sh("ip", "-n", S, "addr", "add", "198.51.100.2/24", "dev", "dpd" + ID);
        sh("ip", "-n", C, "link", "set", "dpa" + ID, "up");
        sh("ip", "-n", X, "link", "set", "dpb" + ID, "up");
        sh("ip", "-n", X, "link", "set", "dpe" + ID, "up");
        sh("ip", "-n", S, "link", "set", "dpd" + ID, "up");
        sh("ip", "-n", C, "-6", "route", "add", "default", "via", "2001:db8:6::1");
        sh("ip", "-n", S, "route", "add", "default", "via", "198.51.100.1");
        sh("ip", "netns", "exec", X, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        config = dir.resolve("run.toml");
        Files.writeString(config, """
                [siit]
                pool6 = "2001:db8:64::/96"
                [[siit.eam]]
                ipv6 = "2001:db8:6::2/128"
                ipv4 = "192.0.2.2/32"
                [dataplane]
                device = "%s"
                workers = 2
                offload = true
                """.formatted(TUN));
        log = dir.resolve("isthmus.log");
        isthmus = isthmus(log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("translating on " + TUN)) {
            if (!isthmus.isAlive() || System.nanoTime() > deadline) {
                fail("isthmus run did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    /** {@code java -cp <this classpath> dev.isthmus.cli.Main run} inside the middle namespace. */
    private static Process isthmus(Path logFile) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder("ip", "netns", "exec", X, java, "--enable-native-access=ALL-UNNAMED",
                "-Disthmus.run.dir=" + dir.resolve("run"),
                "-cp", System.getProperty("java.class.path"), "dev.isthmus.cli.Main", "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
    }

    @AfterAll
    static void teardown() throws Exception {
        for (Process p : others) {
            p.destroyForcibly();
        }
        if (isthmus != null && isthmus.isAlive()) {
            isthmus.destroyForcibly();
            isthmus.waitFor(5, TimeUnit.SECONDS);
        }
        for (String ns : List.of(C, X, S)) {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void deviceHasOffloadAndRoutes() throws Exception {
        String text = Files.readString(log);
        assertTrue(text.contains("device " + TUN + " opened with 2 queues, offload: csum tso4 tso6"), text);
        assertTrue(out(List.of("ip", "-n", X, "-6", "route", "show", "dev", TUN)).contains("2001:db8:64::/96"));
        assertTrue(out(List.of("ip", "-n", X, "-4", "route", "show", "dev", TUN)).contains("192.0.2.2"));
    }

    @Test
    @Order(2)
    void ping64() throws Exception {
        assertEquals(0, run(List.of("ip", "netns", "exec", C, "ping", "-c", "3", "-i", "0.2", "-W", "2", SERVER6)));
    }

    @Test
    @Order(3)
    void ping46() throws Exception {
        assertEquals(0, run(List.of("ip", "netns", "exec", S, "ping", "-c", "3", "-i", "0.2", "-W", "2", "192.0.2.2")));
    }

    @Test
    @Order(4)
    void pingFromTheTranslatorsOwnHost() throws Exception {
        assertEquals(0, run(List.of("ip", "netns", "exec", X, "ping", "-c", "2", "-i", "0.2", "-W", "2", SERVER6)));
    }

    @Test
    @Order(5)
    void tcpTransferWithOffload() throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", S, "iperf3", "-s", "-1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        others.add(server);
        Thread.sleep(500);
        String result = out(List.of("ip", "netns", "exec", C, "timeout", "20", "iperf3", "-c", SERVER6, "-t", "2",
                "-f", "m"));
        assertTrue(result.contains("receiver"), result);
        server.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    @Order(6)
    void aSecondRunOnTheSameDeviceFailsAndLeavesTheFirstAlone() throws Exception {
        Path secondLog = dir.resolve("second.log");
        Process second = isthmus(secondLog);
        others.add(second);
        assertTrue(second.waitFor(20, TimeUnit.SECONDS));
        assertNotEquals(0, second.exitValue());
        assertTrue(Files.readString(secondLog).contains("in use by another isthmus"), Files.readString(secondLog));
        assertTrue(Files.readString(secondLog).contains("is held by pid "), Files.readString(secondLog));
        assertEquals(0, run(List.of("ip", "netns", "exec", C, "ping", "-c", "1", "-W", "2", SERVER6)));
    }

    @Test
    @Order(7)
    void sigtermStopsCleanly() throws Exception {
        isthmus.destroy(); // SIGTERM
        assertTrue(isthmus.waitFor(10, TimeUnit.SECONDS), "isthmus did not stop on SIGTERM");
        assertEquals(0, isthmus.exitValue(), Files.readString(log));
        assertTrue(Files.readString(log).contains("device " + TUN + " closed"));
        try (var files = Files.list(dir.resolve("run"))) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".lock")).toList(),
                    "the device's lock file is removed on exit (issue 19 item 10)");
        }
        assertNotEquals(0, run(List.of("ip", "-n", X, "link", "show", "dev", TUN)), "the device must be gone");
        assertTrue(!out(List.of("ip", "-n", X, "-6", "route")).contains("2001:db8:64::"));
    }

    @Test
    @Order(8)
    void aRouteThroughAnotherDeviceIsAConflictTheErrorNames() throws Exception {
        sh("ip", "-n", X, "-6", "route", "add", "2001:db8:64::/96", "dev", "dpb" + ID);
        try {
            Path conflictLog = dir.resolve("conflict.log");
            Process conflicted = isthmus(conflictLog);
            others.add(conflicted);
            assertTrue(conflicted.waitFor(20, TimeUnit.SECONDS));
            assertNotEquals(0, conflicted.exitValue());
            String text = Files.readString(conflictLog);
            assertTrue(text.contains("a route for 2001:db8:64::/96 already exists (2001:db8:64::/96 dev dpb" + ID),
                    text);
            assertTrue(text.contains("set manage-routes = false"), text);
        } finally {
            sh("ip", "-n", X, "-6", "route", "del", "2001:db8:64::/96", "dev", "dpb" + ID);
        }
    }

    /**
     * A harness (shared/lab/bench.sh) or an operator may route the prefixes into a device made
     * beforehand: those routes are kept, translation works, and they stay after the stop.
     */
    @Test
    @Order(9)
    void routesAlreadyThroughTheDeviceAreKept() throws Exception {
        sh("ip", "-n", X, "tuntap", "add", "dev", TUN, "mode", "tun", "multi_queue", "vnet_hdr");
        try {
            sh("ip", "-n", X, "link", "set", TUN, "up");
            sh("ip", "-n", X, "-6", "route", "add", "2001:db8:64::/96", "dev", TUN);
            sh("ip", "-n", X, "-4", "route", "add", "192.0.2.2/32", "dev", TUN);
            Path keptLog = dir.resolve("kept.log");
            Process kept = isthmus(keptLog);
            others.add(kept);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.readString(keptLog).contains("translating on " + TUN)) {
                if (!kept.isAlive() || System.nanoTime() > deadline) {
                    fail("isthmus run did not start:\n" + Files.readString(keptLog));
                }
                Thread.sleep(100);
            }
            assertTrue(Files.readString(keptLog).contains("route 2001:db8:64::/96 already goes through " + TUN),
                    Files.readString(keptLog));
            assertEquals(0, run(List.of("ip", "netns", "exec", C, "ping", "-c", "2", "-i", "0.2", "-W", "2",
                    SERVER6)));
            kept.destroy();
            assertTrue(kept.waitFor(10, TimeUnit.SECONDS));
            assertTrue(out(List.of("ip", "-n", X, "-6", "route", "show", "dev", TUN)).contains("2001:db8:64::/96"),
                    "a route isthmus did not add stays");
        } finally {
            run(List.of("ip", "-n", X, "tuntap", "del", "dev", TUN, "mode", "tun", "multi_queue", "vnet_hdr"));
        }
    }

    private static void sh(String... command) throws Exception {
        int rc = run(List.of(command));
        if (rc != 0) {
            fail(String.join(" ", command) + " failed with " + rc);
        }
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String out(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return text;
    }
}
