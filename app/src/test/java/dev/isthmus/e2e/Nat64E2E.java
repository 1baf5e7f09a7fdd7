package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.LabChecks;
import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import dev.isthmus.control.ControlClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Stateful NAT64 (RFC 6146) end to end, in namespaces of its own ({@code nat64-XXXX-…}): the
 * lab's translator gives way to {@code isthmus run} with a {@code [nat64]} section whose pool4 is
 * the one address {@code 192.0.2.2}. Two IPv6 clients (two addresses of the client namespace)
 * ping, fetch over HTTP and exchange UDP with the IPv4-only server through that address, their
 * BIB entries differing in port, each session written to the session log; the server cannot open
 * a connection to a client until a static BIB entry is added with {@code isthmus bib add} (before
 * that its SYN is held 6 s and answered with ICMP port unreachable, RFC 5382 REQ-4, so its connect
 * is refused rather than left to time out); an idle UDP session expires after the configured
 * (RFC 4787 REQ-5 minimum) two minutes and its end is logged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class Nat64E2E {
    private static final String POOL4 = "192.0.2.2";
    private static final String FIRST6 = Topology.CLIENT6;
    private static final String SECOND6 = "2001:db8:6::3";
    private static final int LISTEN_PORT = 2000;
    private static final Duration SHORT = Duration.ofSeconds(15);
    private static final Pattern BIB = Pattern.compile(
            "\"protocol\":\"(\\w+)\",\"ipv6\":\"([0-9a-f:]+)\",\"ipv6_port\":(\\d+),\"ipv4\":\"([0-9.]+)\",\"ipv4_port\":(\\d+)");

    Lab lab;
    Path config;
    Path log;
    Path sessionLog;
    Process translator;
    Process listener;

    @BeforeAll
    @Timeout(120)
    void startLab() throws IOException {
        E2eLab.checkPreconditions();
        Path jar = Path.of(System.getProperty("isthmus.jar"));
        Topology.Names names = Topology.uniqueNames("nat64-");
        String tag = names.mid().substring(0, names.mid().length() - "-mid".length());
        Path work = jar.toAbsolutePath().getParent().resolve("e2e").resolve(tag);
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        lab = Lab.start(new Lab.Settings(names, Launcher.ofJar(java, jar), work, tag,
                Path.of("/run/isthmus/" + tag + ".sock"), true, 0));
        assertEquals(0, lab.stopTranslator(Duration.ofSeconds(20)), "the lab's isthmus run did not stop cleanly");
        Lab.Settings s = lab.settings();
        config = work.resolve("nat64.toml");
        sessionLog = work.resolve("nat64-sessions.jsonl");
        Files.deleteIfExists(sessionLog);
        Files.writeString(config, """
                [nat64]
                pool6 = "%s"
                udp-timeout = 120

                [[nat64.pool4]]
                prefix = "%s/32"

                [nat64.log]
                mode = "sessions"
                file = "%s"
                flush-interval-ms = 0

                [dataplane]
                device = "%s"
                workers = %d
                manage-routes = true
                offload = %b

                [control]
                socket = "%s"
                """.formatted(Topology.POOL6, POOL4, sessionLog, s.device(), s.workers(), s.offload(),
                s.controlSocket()));
        Shell.Result r = lab.inClient(SHORT, "ip", "-6", "addr", "add", SECOND6 + "/64", "dev", Topology.CLIENT_IF,
                "nodad");
        assertTrue(r.ok(), "cannot add " + SECOND6 + " to the client: " + r.describe());
        log = s.workDir().resolve("isthmus-nat64.log");
        startTranslator();
        Shell.Result route = lab.inMid(SHORT, "ip", "-4", "route", "show", POOL4);
        assertTrue(route.out().contains("dev " + s.device()), "pool4 is not routed into the device: " + route.describe());
    }

    @AfterAll
    @Timeout(60)
    void stopLab() {
        if (listener != null) {
            listener.destroyForcibly();
        }
        if (translator != null) {
            Topology.stop(translator, Duration.ofSeconds(20));
        }
        E2eLab.stop(lab);
    }

    @Test
    @Order(1)
    void twoClientsReachTheServerThroughOnePool4Address() throws IOException {
        for (String from : List.of(FIRST6, SECOND6)) {
            Shell.Result ping = lab.inClient(SHORT, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "3", "-I", from,
                    Topology.SERVER_AS6);
            assertTrue(ping.ok(), "ping from " + from + " failed: " + ping.describe() + "\n" + tail());
            Shell.Result curl = lab.inClient(SHORT, "curl", "-sS", "-g", "--max-time", "10", "--interface", from,
                    "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                    "http://[" + Topology.SERVER_AS6 + "]:" + Lab.HTTP_PORT + "/data/100000");
            assertTrue(curl.ok() && curl.out().trim().equals("200 100000"), "curl from " + from + " failed: "
                    + curl.describe() + "\n" + tail());
        }
        LabChecks.Check udp = LabChecks.udpEcho(lab, "UDP", lab.client(), Topology.SERVER_AS6, 5, 100, 1200);
        assertTrue(udp.ok(), udp.detail());
        // 4000-byte datagrams: fragmented both ways, the later fragments following the first's mapping.
        LabChecks.Check big = LabChecks.udpEcho(lab, "UDP 4000 B", lab.client(), Topology.SERVER_AS6, 3, 4000, 9000);
        assertTrue(big.ok(), big.detail() + "\n" + tail());
        Shell.Result udp2 = lab.inClient(SHORT, "sh", "-c", "echo nat64-second-client | socat -T 3 - UDP6:["
                + Topology.SERVER_AS6 + "]:" + Lab.UDP_PORT + ",bind=[" + SECOND6 + "]:40000");
        assertTrue(udp2.out().contains("nat64-second-client"), "UDP from " + SECOND6 + ": " + udp2.describe());

        // Both clients' TCP BIB entries share T and differ in t (RFC 6146 §3.5.1.1).
        List<String[]> tcp = bib("tcp");
        Set<String> clients = new TreeSet<>();
        Set<String> ports = new TreeSet<>();
        for (String[] e : tcp) {
            assertEquals(POOL4, e[3], "every BIB entry uses pool4");
            clients.add(e[1]);
            ports.add(e[4]);
        }
        assertEquals(Set.of(FIRST6, SECOND6), clients, "TCP BIB: " + tcp.stream().map(e -> String.join(" ", e)).toList());
        assertEquals(tcp.size(), ports.size(), "two BIB entries share (T,t)");
        assertFalse(bib("icmp").isEmpty(), "the pings made ICMP BIB entries");

        String sessions = cli("show", "sessions", "--protocol", "tcp", "--ipv6", SECOND6);
        assertTrue(sessions.contains("[" + SECOND6 + "]:") && !sessions.contains("[" + FIRST6 + "]:"), sessions);
        String stats = cli("show", "stats");
        assertTrue(Pattern.compile("\nnat64\n(.*\n)*  sessions +[1-9]").matcher(stats).find(), stats);

        // The translator's own host is a subscriber like any other, from its own IPv6 address.
        LabChecks.Check local = LabChecks.ping(lab, "ping from the middle", lab.mid(), Topology.SERVER_AS6, 3);
        assertTrue(local.ok(), local.detail() + "\n" + tail());

        // The session log (written once a second) has both clients' TCP sessions.
        for (String from : List.of(FIRST6, SECOND6)) {
            String start = "\"event\":\"session-start\",\"protocol\":\"tcp\",\"ipv6\":\"" + from + "\"";
            awaitLog(start);
        }
    }

    @Test
    @Order(2)
    void theServerOpensAConnectionOnlyThroughAStaticBibEntry() throws IOException {
        listener = lab.topology().start(lab.client(), lab.settings().workDir().resolve("nat64-listener.log"),
                List.of("socat", "TCP6-LISTEN:" + LISTEN_PORT + ",reuseaddr,fork", "SYSTEM:echo hello-from-ipv6"));
        sleep(300);
        // Without a BIB entry the SYN is held for TCP_INCOMING_SYN (6 s), then refused with ICMPv4 3/3.
        String unanswered = "socat -T 3 - TCP4:" + POOL4 + ":" + LISTEN_PORT + ",connect-timeout=12 </dev/null";
        long t0 = System.nanoTime();
        Shell.Result refused = lab.inServer(Duration.ofSeconds(20), "sh", "-c", unanswered);
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(refused.out().contains("hello-from-ipv6"), "reached the client without a BIB entry: "
                + refused.describe());
        assertTrue(refused.describe().contains("Connection refused") && waited >= 5_500 && waited < 11_000,
                "the held SYN was not refused after about 6 s (" + waited + " ms): " + refused.describe());
        assertTrue(Pattern.compile("syn-unreachables-sent +1\n").matcher(cli("show", "stats")).find());

        String connect = "socat -T 3 - TCP4:" + POOL4 + ":" + LISTEN_PORT + ",connect-timeout=3 </dev/null";

        cli("bib", "add", "tcp", "[" + FIRST6 + "]:" + LISTEN_PORT, POOL4 + ":" + LISTEN_PORT);
        Shell.Result opened = lab.inServer(SHORT, "sh", "-c", connect);
        assertTrue(opened.out().contains("hello-from-ipv6"), "no connection through the static BIB entry: "
                + opened.describe() + "\n" + tail());
        assertTrue(bib("tcp").stream().anyMatch(e -> e[2].equals(Integer.toString(LISTEN_PORT))
                && e[4].equals(Integer.toString(LISTEN_PORT))), "the static entry is not in show bib");

        cli("bib", "del", "tcp", POOL4 + ":" + LISTEN_PORT);
        assertTrue(cli("show", "bib", "--protocol", "tcp").lines().noneMatch(l -> l.contains(" static ")),
                "the static entry is still there after bib del");
    }

    @Test
    @Order(3)
    @Timeout(200)
    void anIdleUdpSessionExpires() throws IOException {
        assertFalse(sessionsJson("udp").isEmpty(), "no UDP session to watch");
        // udp-timeout = 120 s; the housekeeping sweep runs every second.
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (!sessionsJson("udp").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "UDP sessions still there after 150 s: " + sessionsJson("udp"));
            sleep(2000);
        }
        assertTrue(bib("udp").isEmpty(), "dynamic UDP BIB entries die with their last session (RFC 6146 §3.1)");
        awaitLog("\"event\":\"session-end\",\"protocol\":\"udp\"");
        assertTrue(Files.readString(sessionLog).contains("\"end\":\"expired\""), "the UDP session's end is logged");
        assertTrue(translator.isAlive(), tail());
    }

    /**
     * Issue 19 item 9: a run killed with SIGKILL leaves sessions whose start is logged and whose
     * end is not; the next start writes one run-end ("restart") that ends them, so that every
     * start still has its end.
     */
    @Test
    @Order(4)
    void aStartAfterSigkillEndsTheKilledRunsSessions() throws IOException, InterruptedException {
        Shell.Result ping = lab.inClient(SHORT, "ping", "-n", "-c", "1", "-W", "3", "-I", FIRST6, Topology.SERVER_AS6);
        assertTrue(ping.ok(), ping.describe());
        // flush-interval-ms = 0: the start is in the file at once, before the kill.
        awaitLog("\"event\":\"session-start\",\"protocol\":\"icmp\"");
        Path marker = sessionLog.resolveSibling(sessionLog.getFileName() + ".running");
        assertTrue(Files.exists(marker), "a running log has its marker");
        translator.destroyForcibly(); // SIGKILL: no shutdown hook, no session-end line
        assertTrue(translator.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        int startsBefore = count(Files.readString(sessionLog), "\"event\":\"session-start\"");
        int endsBefore = count(Files.readString(sessionLog), "\"event\":\"session-end\"");
        assertTrue(startsBefore > endsBefore, "the killed run left open sessions: " + readQuietly(sessionLog));

        assertTrue(Files.exists(marker), "killed, not stopped: the marker is still there");

        startTranslator();
        awaitLog("\"end\":\"restart\"}");
        String text = Files.readString(sessionLog);
        Matcher restart = Pattern.compile("\"event\":\"run-end\",\"run\":\"([^\"]+)\",\"end\":\"restart\"}").matcher(text);
        assertTrue(restart.find(), text);
        // It names the killed run by its run-start, so that the open starts after that one pair with it.
        assertTrue(text.substring(0, restart.start()).contains("{\"time\":\"" + restart.group(1)
                + "\",\"event\":\"run-start\"}"), "the restart record names the killed run: " + text);
        assertTrue(restart.start() < text.lastIndexOf("\"event\":\"run-start\""),
                "the restart record comes before the new run's first record: " + text);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    // ------------------------------------------------------------------ helpers

    /** {@code isthmus run} with the NAT64 config in the middle namespace, waited for until it translates. */
    private void startTranslator() throws IOException {
        Lab.Settings s = lab.settings();
        Files.deleteIfExists(log);
        translator = lab.topology().start(lab.mid(), log, s.launcher().isthmus("run", "--config", config.toString()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String ready = "translating on " + s.device() + " ";
        // The control socket opens just after the data plane says it translates; the tests ask it.
        String control = "control socket listening on " + s.controlSocket();
        while (!(Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(ready)
                && Files.readString(log, StandardCharsets.UTF_8).contains(control))) {
            assertTrue(translator.isAlive(), () -> "isthmus run with [nat64] exited: " + tail());
            assertTrue(System.nanoTime() < deadline, () -> "isthmus run was not translating within 60 s: " + tail());
            sleep(100);
        }
    }

    /** {@code isthmus ARGS --socket S} in the middle namespace; its output (must succeed). */
    private String cli(String... args) {
        List<String> cmd = new ArrayList<>(lab.settings().launcher().isthmus(args));
        cmd.add("--socket");
        cmd.add(lab.settings().controlSocket().toString());
        Shell.Result r = lab.inMid(SHORT, cmd.toArray(String[]::new));
        assertTrue(r.ok(), String.join(" ", args) + " failed: " + r.describe());
        return r.out();
    }

    /** The BIB entries of {@code protocol}: protocol, ipv6, ipv6 port, ipv4, ipv4 port. */
    private List<String[]> bib(String protocol) throws IOException {
        ControlClient.Reply reply = ControlClient.request(lab.settings().controlSocket(), "show bib " + protocol + " json");
        assertTrue(reply.ok(), reply.text());
        List<String[]> out = new ArrayList<>();
        Matcher m = BIB.matcher(reply.text());
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)});
        }
        return out;
    }

    private List<String> sessionsJson(String protocol) throws IOException {
        ControlClient.Reply reply = ControlClient.request(lab.settings().controlSocket(),
                "show sessions " + protocol + " all json");
        assertTrue(reply.ok(), reply.text());
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\"protocol\":[^}]*}").matcher(reply.text());
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Waits (up to 5 s) for a session-log line containing {@code text}. */
    private void awaitLog(String text) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!(Files.exists(sessionLog) && Files.readString(sessionLog).contains(text))) {
            assertTrue(System.nanoTime() < deadline, () -> "no session-log line with " + text + " in " + sessionLog
                    + ":\n" + (Files.exists(sessionLog) ? readQuietly(sessionLog) : "(none)"));
            sleep(200);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
