package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import dev.isthmus.control.ControlClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * The NAT-PT style dynamic address pool end to end, in namespaces of its own ({@code dpool-XXXX-…}):
 * IPv6-only client addresses that no EAM entry covers ping and fetch (curl) the IPv4-only server
 * through dynamic bindings of {@code 192.0.2.128/25}, a static binding is added through the
 * control socket, and all of them survive a restart of {@code isthmus run} (same IPv4 addresses,
 * read back from the data directory).
 *
 * <p>The lab's own translator (examples/siit.toml's config) is replaced by one whose config adds
 * {@code [siit.dynamic-pool]}. Two client addresses bind in turn, so that the second one holds
 * {@code 192.0.2.129}: after a restart without persistence it would get {@code .128} again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DynamicPoolE2E {
    private static final String POOL = "192.0.2.128/25";
    /** Client addresses outside the EAM entry (which covers only the lab's 2001:db8:6::2). */
    private static final String FIRST6 = "2001:db8:6::98";
    private static final String SECOND6 = "2001:db8:6::99";
    private static final String STATIC6 = "2001:db8:6::97";
    private static final String STATIC4 = "192.0.2.200";
    private static final Duration SHORT = Duration.ofSeconds(15);
    private static final Pattern BOUND = Pattern.compile("\"ipv4\":\"([0-9.]+)\",\"ipv6\":\"([0-9a-f:]+)\",\"kind\":\"(\\w+)\"");

    Lab lab;
    Path config;
    Path data;
    Path log;
    Process translator;
    int restarts;

    @BeforeAll
    @Timeout(120)
    void startLab() throws IOException {
        E2eLab.checkPreconditions();
        Path jar = Path.of(System.getProperty("isthmus.jar"));
        Topology.Names names = Topology.uniqueNames("dpool-");
        String tag = names.mid().substring(0, names.mid().length() - "-mid".length());
        Path work = jar.toAbsolutePath().getParent().resolve("e2e").resolve(tag);
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        lab = Lab.start(new Lab.Settings(names, Launcher.ofJar(java, jar), work, tag,
                Path.of("/run/isthmus/" + tag + ".sock"), true, 0));
        // The lab's translator gives way to one with the dynamic pool.
        assertEquals(0, lab.stopTranslator(Duration.ofSeconds(20)), "the lab's isthmus run did not stop cleanly");
        data = work.resolve("pool-data");
        Files.createDirectories(data);
        config = work.resolve("dynamic-pool.toml");
        Files.writeString(config, Lab.config(lab.settings()) + """

                [siit.dynamic-pool]
                ipv4 = "%s"
                data-directory = "%s"
                idle-timeout = 600
                """.formatted(POOL, data));
        for (String a : List.of(FIRST6, SECOND6, STATIC6)) {
            Shell.Result r = lab.inClient(SHORT, "ip", "-6", "addr", "add", a + "/64", "dev", Topology.CLIENT_IF, "nodad");
            assertTrue(r.ok(), "cannot add " + a + " to the client: " + r.describe());
        }
        startTranslator();
    }

    @AfterAll
    @Timeout(60)
    void stopLab() {
        if (translator != null) {
            Topology.stop(translator, Duration.ofSeconds(20));
        }
        E2eLab.stop(lab);
    }

    private void startTranslator() throws IOException {
        log = lab.settings().workDir().resolve("isthmus-dynamic-pool-" + restarts++ + ".log");
        Files.deleteIfExists(log);
        translator = lab.topology().start(lab.mid(), log,
                lab.settings().launcher().isthmus("run", "--config", config.toString()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String ready = "translating on " + lab.settings().device() + " ";
        // The control socket opens after the data plane says it translates (a few hundred ms later
        // when the JIT warm-up ran long): the tests ask it first thing.
        String control = "control socket listening on " + lab.settings().controlSocket();
        while (!(Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(ready)
                && Files.readString(log, StandardCharsets.UTF_8).contains(control))) {
            assertTrue(translator.isAlive(), () -> "isthmus run with the dynamic pool exited: " + tail());
            assertTrue(System.nanoTime() < deadline, () -> "isthmus run was not translating within 60 s: " + tail());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        Shell.Result route = lab.inMid(SHORT, "ip", "-4", "route", "show", POOL);
        assertTrue(route.out().contains("dev " + lab.settings().device()), "the pool is not routed into the device: "
                + route.describe());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void ping(String from) {
        Shell.Result r = lab.inClient(SHORT, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "3", "-I", from,
                Topology.SERVER_AS6);
        assertTrue(r.ok(), "ping from " + from + " to " + Topology.SERVER_AS6 + " through the dynamic pool failed: "
                + r.describe() + "\n" + tail());
    }

    private void curl(String from) {
        // 100 kB of the lab server's /data/: many TCP segments both ways through the binding.
        Shell.Result r = lab.inClient(SHORT, "curl", "-sS", "-g", "--max-time", "10", "--interface", from,
                "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                "http://[" + Topology.SERVER_AS6 + "]:" + Lab.HTTP_PORT + "/data/100000");
        assertTrue(r.ok() && r.out().trim().equals("200 100000"), "curl from " + from + " failed: " + r.describe());
    }

    /** ipv6 → "ipv4 kind" from {@code show bindings json}. */
    private java.util.Map<String, String> bindings() throws IOException {
        ControlClient.Reply reply = ControlClient.request(lab.settings().controlSocket(), "show bindings json");
        assertTrue(reply.ok(), reply.text());
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        Matcher x = BOUND.matcher(reply.text());
        while (x.find()) {
            m.put(x.group(2), x.group(1) + " " + x.group(3));
        }
        return m;
    }

    @Test
    @Order(1)
    void uncoveredClientsPingAndFetchThroughDynamicBindings() throws IOException {
        ping(FIRST6);
        ping(SECOND6);
        curl(SECOND6);
        assertEquals(java.util.Map.of(FIRST6, "192.0.2.128 dynamic", SECOND6, "192.0.2.129 dynamic"), bindings());
        // The server saw the client as its pool address (its connection table has the peer).
        Shell.Result ss = lab.inServer(SHORT, "ping", "-n", "-c", "1", "-W", "3", "192.0.2.129");
        assertTrue(ss.ok(), "the server cannot reach the bound address 192.0.2.129 (4→6): " + ss.describe());
        ControlClient.Reply stats = ControlClient.request(lab.settings().controlSocket(), "show stats");
        assertTrue(stats.text().contains("dynamic pool " + POOL), stats.text());
        assertTrue(Pattern.compile("created +2\n").matcher(stats.text()).find(), stats.text());
    }

    @Test
    @Order(2)
    void aStaticBindingIsAddedAtRunTimeWithTheCli() throws IOException {
        List<String> add = lab.settings().launcher().isthmus("binding", "add", "--socket",
                lab.settings().controlSocket().toString(), STATIC6, STATIC4);
        Shell.Result r = lab.inMid(SHORT, add.toArray(String[]::new));
        assertTrue(r.ok(), "isthmus binding add failed: " + r.describe());
        ping(STATIC6);
        List<String> show = lab.settings().launcher().isthmus("show", "bindings", "--socket",
                lab.settings().controlSocket().toString());
        Shell.Result s = lab.inMid(SHORT, show.toArray(String[]::new));
        assertTrue(s.ok() && s.out().contains("3 of 128 addresses bound"), s.describe());
        assertTrue(Pattern.compile(Pattern.quote(STATIC4) + " +" + Pattern.quote(STATIC6) + " +static").matcher(s.out()).find(),
                s.out());
        assertEquals("192.0.2.128 dynamic", bindings().get(FIRST6), "adding a static binding lost another one");
    }

    @Test
    @Order(3)
    void bindingsSurviveARestart() throws IOException {
        assertEquals(0, Topology.stop(translator, Duration.ofSeconds(20)), "isthmus run did not stop cleanly: " + tail());
        String file = Files.readString(data.resolve("dynamic-pool.bindings"));
        assertTrue(file.contains("dynamic " + SECOND6 + " 192.0.2.129 "), file);
        startTranslator();
        // Before any packet: loaded from the file.
        assertEquals(java.util.Map.of(FIRST6, "192.0.2.128 dynamic", SECOND6, "192.0.2.129 dynamic",
                STATIC6, STATIC4 + " static"), bindings());
        // The second client first: without the file it would now get 192.0.2.128.
        ping(SECOND6);
        curl(SECOND6);
        ping(STATIC6);
        assertEquals("192.0.2.129 dynamic", bindings().get(SECOND6));
        assertEquals(3, bindings().size());
    }
}
