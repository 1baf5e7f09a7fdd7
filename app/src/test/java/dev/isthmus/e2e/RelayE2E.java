package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The transport relays against real programs, across the lab's address families (no TUN, no
 * packet translation): SMTP (swaks against aiosmtpd) and UDP (socat) from the IPv6-only client
 * to the IPv4-only server through static relays, HTTP the other way (IPv4 client, IPv6 server),
 * the RFC 3142 transparent mode to an IPv4 server named only by its pool6 address, and the
 * refusals (client not allowed, a destination the transparent mode must not reach).
 *
 * <p>The transparent mode's routing is both forms of docs/RELAY.md: pool6 is a local route in the
 * middle ({@code ip -6 route add local 2001:db8:64::/96 dev lo}, "AnyIP"), so the relay's
 * wildcard listener on port 80 accepts connections to every address in it; and an nftables
 * TPROXY rule sends port 9000 of every pool6 address to a relay listening on 7000.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class RelayE2E {
    static final String CONFIG = """
            [[relay]]
            name = "smtp"
            listen = "[2001:db8:6::1]:25"
            connect = "198.51.100.2:25"
            allow = ["2001:db8:6::/64"]

            [[relay]]
            name = "closed"
            listen = "[2001:db8:6::1]:2525"
            connect = "198.51.100.2:25"
            allow = ["2001:db8:99::/64"]

            [[relay]]
            name = "echo-udp"
            protocol = "udp"
            listen = "[2001:db8:6::1]:5353"
            connect = "198.51.100.2:5353"
            allow = ["2001:db8:6::/64"]
            idle-timeout = 5

            [[relay]]
            name = "web-4to6"
            listen = "198.51.100.1:8080"
            connect = "[2001:db8:6::2]:8080"
            allow = ["198.51.100.0/24"]

            [[relay]]
            name = "trt"
            listen = "[::]:80"
            pool6 = "2001:db8:64::/96"
            allow = ["2001:db8:6::/64"]

            [[relay]]
            name = "trt-tproxy"
            listen = "[::]:7000"
            pool6 = "2001:db8:64::/96"
            allow = ["2001:db8:6::/64"]
            """;

    SocketLab lab;

    @BeforeAll
    @Timeout(90)
    void start() throws IOException {
        lab = SocketLab.start(CONFIG, "", new String[] {"swaks", "swaks"}, new String[] {"socat", "socat"},
                new String[] {"curl", "curl"}, new String[] {"/usr/bin/python3", "python3"}, new String[] {"nft", "nftables"});
        assertTrue(Shell.run(SocketLab.LIMIT, "/usr/bin/python3", "-c", "import aiosmtpd").ok(),
                "the end-to-end tests need aiosmtpd (Debian package python3-aiosmtpd)");
        Files.createDirectories(lab.work.resolve("www4"));
        Files.writeString(lab.work.resolve("www4/hello.txt"), "hello from the IPv4-only server\n");
        Files.createDirectories(lab.work.resolve("www6"));
        Files.writeString(lab.work.resolve("www6/hello.txt"), "hello from the IPv6-only client\n");
        lab.peer(lab.server(), "smtpd", "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "198.51.100.2:25",
                "-c", "aiosmtpd.handlers.Debugging", "stdout");
        lab.peer(lab.server(), "udp-echo", "socat", "UDP4-RECVFROM:5353,fork", "PIPE");
        lab.peer(lab.server(), "www4", "/usr/bin/python3", "-m", "http.server", "-b", "198.51.100.2",
                "-d", lab.work.resolve("www4").toString(), "80");
        lab.peer(lab.client(), "www6", "/usr/bin/python3", "-m", "http.server", "-b", "2001:db8:6::2",
                "-d", lab.work.resolve("www6").toString(), "8080");
        lab.peer(lab.server(), "www4-9000", "/usr/bin/python3", "-m", "http.server", "-b", "198.51.100.2",
                "-d", lab.work.resolve("www4").toString(), "9000");
        // RFC 3142 transparent mode, AnyIP form: every address of pool6 is local in the middle.
        assertTrue(lab.exec(lab.mid(), "ip", "-6", "route", "add", "local", "2001:db8:64::/96", "dev", "lo").ok());
        // TPROXY form (docs/RELAY.md), here for ports 9000 and 25 (which connect-ports refuses by
        // default): redirected to the relay on 7000.
        for (String[] c : new String[][] {
            {"nft", "add", "table", "ip6", "trt"},
            {"nft", "add", "chain", "ip6", "trt", "prerouting", "{ type filter hook prerouting priority mangle; }"},
            {"nft", "add", "rule", "ip6", "trt", "prerouting", "ip6", "daddr", "2001:db8:64::/96", "tcp", "dport", "{ 9000, 25 }",
                "tproxy", "to", ":7000", "meta", "mark", "set", "1"},
            {"ip", "-6", "rule", "add", "fwmark", "1", "lookup", "100"},
            {"ip", "-6", "route", "add", "local", "::/0", "dev", "lo", "table", "100"}}) {
            Shell.Result r = lab.exec(lab.mid(), c);
            assertTrue(r.ok(), r.describe());
        }
        lab.awaitTcp(lab.server(), "198.51.100.2", 25);
        lab.awaitTcp(lab.server(), "198.51.100.2", 80);
        lab.awaitTcp(lab.server(), "198.51.100.2", 9000);
        lab.awaitTcp(lab.client(), "2001:db8:6::2", 8080);
    }

    @AfterAll
    @Timeout(60)
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void smtpFromTheIpv6ClientReachesTheIpv4MailServer() {
        String subject = "relay-e2e-" + ProcessHandle.current().pid();
        Shell.Result r = lab.exec(lab.client(), "swaks", "-6", "--server", "2001:db8:6::1", "--port", "25",
                "--from", "bob@example.test", "--to", "alice@example.test", "--header", "Subject: " + subject,
                "--timeout", "10");
        assertTrue(r.ok(), r.describe() + "\n" + r.out());
        assertTrue(r.out().contains("250"), r.out());
        long end = System.nanoTime() + SocketLab.LIMIT.toNanos();
        while (!lab.peerLog("smtpd").contains(subject) && System.nanoTime() < end) {
            SocketLab.sleep(100);
        }
        assertTrue(lab.peerLog("smtpd").contains(subject), "the mail server did not get the message:\n"
                + lab.peerLog("smtpd"));
    }

    @Test
    void udpDatagramsGoThereAndBack() {
        Shell.Result r = lab.exec(lab.client(), "bash", "-c",
                "echo ping-over-udp | socat -t 3 -T 3 - UDP6:[2001:db8:6::1]:5353");
        assertTrue(r.ok(), r.describe());
        assertEquals("ping-over-udp", r.out().strip());
        assertTrue(relay(lab.statsJson(), "echo-udp").contains("\"accepted\":1"), lab.statsJson());
    }

    @Test
    void anIpv4ClientReachesAnIpv6Server() {
        Shell.Result r = lab.exec(lab.server(), "curl", "-s", "-m", "10", "http://198.51.100.1:8080/hello.txt");
        assertTrue(r.ok(), r.describe());
        assertEquals("hello from the IPv6-only client", r.out().strip());
    }

    @Test
    void transparentModeReachesTheIpv4AddressEmbeddedInTheDestination() {
        // 2001:db8:64::c633:6402 = pool6 + 198.51.100.2 (RFC 6052 §2.2); no relay names that server.
        Shell.Result r = lab.exec(lab.client(), "curl", "-s", "-m", "10", "http://[2001:db8:64::c633:6402]/hello.txt");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertEquals("hello from the IPv4-only server", r.out().strip());
    }

    @Test
    void transparentModeWithTproxyTakesAnyPort() {
        Shell.Result r = lab.exec(lab.client(), "curl", "-s", "-m", "10", "http://[2001:db8:64::c633:6402]:9000/hello.txt");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertEquals("hello from the IPv4-only server", r.out().strip());
        assertTrue(relay(lab.statsJson(), "trt-tproxy").contains("\"accepted\":1"), lab.statsJson());
    }

    /** Issue 19 item 10: port 25 of any IPv4 host through the transparent relay would be an open mail relay. */
    @Test
    void transparentModeRefusesPort25ByDefault() {
        // pool6 + 198.51.100.2, whose SMTP server listens on 25: reached before connect-ports existed.
        Shell.Result r = lab.exec(lab.client(), "swaks", "-6", "--server", "2001:db8:64::c633:6402", "--port", "25",
                "--from", "bob@example.test", "--to", "alice@example.test", "--timeout", "5");
        assertFalse(r.ok(), r.out());
        lab.awaitLog("refused (connect-port)");
        assertTrue(refused(relay(lab.statsJson(), "trt-tproxy"), "connect-port") >= 1, lab.statsJson());
    }

    @Test
    void transparentModeRefusesLoopbackDestinations() {
        // pool6 + 127.0.0.1: RFC 3142 §7, a relay must not reach the gateway's own loopback.
        Shell.Result r = lab.exec(lab.client(), "curl", "-s", "-m", "5", "http://[2001:db8:64::7f00:1]/");
        assertFalse(r.ok(), r.out());
        lab.awaitLog("refused (destination-refused)");
        assertTrue(refused(relay(lab.statsJson(), "trt"), "destination-refused") >= 1, lab.statsJson());
    }

    @Test
    void aClientNotInAllowIsRefusedAndCounted() {
        Shell.Result r = lab.exec(lab.client(), "swaks", "-6", "--server", "2001:db8:6::1", "--port", "2525",
                "--from", "bob@example.test", "--to", "alice@example.test", "--timeout", "5");
        assertFalse(r.ok(), r.out());
        lab.awaitLog("relay closed: refused (client-not-allowed)");
        assertTrue(refused(relay(lab.statsJson(), "closed"), "client-not-allowed") >= 1, lab.statsJson());
    }

    /** The JSON object of one relay in {@code show stats --json}. */
    static String relay(String json, String name) {
        int at = json.indexOf("{\"name\":\"" + name + "\"");
        assertTrue(at >= 0, "no relay " + name + " in " + json);
        return json.substring(at, json.indexOf("}}", at) + 2);
    }

    static long refused(String relayJson, String reason) {
        Matcher m = Pattern.compile("\"" + reason + "\":(\\d+)").matcher(relayJson);
        assertTrue(m.find(), reason + " not in " + relayJson);
        return Long.parseLong(m.group(1));
    }
}
