package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19 item 1: a connection flood on the HTTP gateway's public reverse site, each connection
 * sending its request head a byte at a time (slowloris), no longer takes isthmus down. isthmus
 * runs with a small open-file limit ({@code prlimit}: soft 256, hard 600, so the flood is cheap
 * and the start raises the soft limit to 600), {@code max-per-client = 100} and a 2 s
 * {@code request-head-timeout}. While the flood runs and after it, another client is served
 * through the forward proxy and {@code isthmus show stats} answers; the refusals are counted.
 * A second flood from four addresses asks for more sockets than the descriptor reserve leaves
 * (600 less 256: 344) and is refused at accept before the process runs out of descriptors.
 * Each flood is bounded: at most 12 s and 100 connections per address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class HttpGatewayFloodE2E {
    static final String CONFIG = """
            [http]
            max-per-client = 100
            request-head-timeout = 2

            [http.forward]
            listen = "[::]:3128"
            allow = ["2001:db8:6::/64", "198.51.100.0/24"]

            [[http.reverse]]
            host = "www.v4only.test"
            backend = "198.51.100.2:80"
            listen = "[2001:db8:6::1]:80"
            """;
    /** The flooders' addresses beyond the client's own. */
    static final List<String> MORE_FLOODERS = List.of("2001:db8:6::3", "2001:db8:6::4", "2001:db8:6::5");

    SocketLab lab;
    Path flood;

    @BeforeAll
    @Timeout(90)
    void start() throws IOException {
        lab = SocketLab.start(List.of("prlimit", "--nofile=256:600", "--"), CONFIG, "198.51.100.2 www.v4only.test\n",
                new String[] {"curl", "curl"}, new String[] {"/usr/bin/python3", "python3"},
                new String[] {"prlimit", "util-linux"});
        Path www = lab.work.resolve("www");
        Files.createDirectories(www);
        Files.writeString(www.resolve("hello.txt"), "hello from the IPv4-only web server\n");
        Path server = lab.work.resolve("web_server.py");
        flood = lab.work.resolve("http_flood.py");
        for (Path p : List.of(server, flood)) {
            try (InputStream in = HttpGatewayFloodE2E.class.getResourceAsStream(p.getFileName().toString())) {
                Files.write(p, in.readAllBytes());
            }
        }
        lab.peer(lab.server(), "web", "/usr/bin/python3", server.toString(), www.toString(), "198.51.100.2", "80");
        lab.awaitTcp(lab.server(), "198.51.100.2", 80);
        for (String a : MORE_FLOODERS) {
            Shell.Result r = lab.exec(lab.client(), "ip", "-6", "addr", "add", a + "/64", "dev", Topology.CLIENT_IF,
                    "nodad");
            assertTrue(r.ok(), r.describe());
        }
    }

    @AfterAll
    @Timeout(60)
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aSlowlorisFloodLeavesOtherClientsAndTheControlSocketServed() throws Exception {
        lab.awaitLog("open-file limit 600 (hard limit 600)");
        lab.awaitLog("socket plane: at most 344 sockets at once");

        // One address, 100 connections more than max-per-client allows.
        Process one = startFlood("one", 200, List.of(Topology.CLIENT6));
        SocketLab.sleep(4000);
        assertServedDuringFlood(one);
        assertTrue(one.waitFor(30, TimeUnit.SECONDS), "the flood ends by itself");
        assertTrue(lab.httpRefused("client-limit") > 0, lab.statsJson());
        assertTrue(lab.httpRefused("request-head-timeout") > 0,
                "each trickled head is cut after 2 s: " + lab.statsJson());
        assertServed();

        // Four addresses, 100 each: 400 sockets wanted, 344 allowed by the descriptor reserve.
        List<String> four = new ArrayList<>(List.of(Topology.CLIENT6));
        four.addAll(MORE_FLOODERS);
        Process many = startFlood("many", 100, four);
        SocketLab.sleep(4000);
        assertTrue(lab.stats().contains("http"), "show stats answers while the sockets are at their limit");
        assertTrue(many.waitFor(30, TimeUnit.SECONDS), "the flood ends by itself");
        assertTrue(lab.httpRefused("descriptor-limit") > 0, lab.statsJson());
        assertServed();
        String stats = lab.stats();
        assertTrue(stats.contains("refused client-limit (none)"), stats);
        assertTrue(stats.contains("refused request-head-timeout (408)"), stats);
        String log = lab.log();
        assertFalse(log.contains("Too many open files"), log);
        assertFalse(log.contains("NoClassDefFoundError"), log);
        assertTrue(log.contains("similar lines suppressed"), "the refusals' log lines are rate-limited");
    }

    private Process startFlood(String name, int perAddress, List<String> sources) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", flood.toString(), "2001:db8:6::1", "80",
                Integer.toString(perAddress), "0.5", "12"));
        cmd.addAll(sources);
        return lab.peer(lab.client(), "flood-" + name, cmd.toArray(String[]::new));
    }

    /** While the flood runs: the flood is under way, another client gets its page, show stats answers. */
    private void assertServedDuringFlood(Process flood) {
        assertTrue(flood.isAlive(), "the flood still runs: " + lab.peerLog("flood-one"));
        assertServed();
        String stats = lab.stats();
        Matcher active = Pattern.compile("\\n  active\\s+(\\d+)").matcher(stats.substring(stats.indexOf("\nhttp\n")));
        assertTrue(active.find(), stats);
        assertTrue(Long.parseLong(active.group(1)) >= 50, "the flood holds connections: " + stats);
    }

    /** The IPv4-only server's namespace, a client of the forward proxy, gets its page. */
    private void assertServed() {
        Shell.Result r = lab.exec(lab.server(), "curl", "-sS", "-m", "10", "-x", "http://198.51.100.1:3128",
                "http://www.v4only.test/hello.txt");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertEquals("hello from the IPv4-only web server", r.out().strip());
    }
}
