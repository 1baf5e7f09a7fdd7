package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP gateway against curl, a Python web server and openssl's TLS server: the IPv6-only
 * client browses the IPv4-only server through the forward proxy (by name, HTTP and HTTPS via
 * CONNECT) and through the reverse proxy, large bodies stream both ways, the server learns the
 * client's address, and every refusal the issue names answers with its status code and is
 * counted: a client not allowed, CONNECT to port 25, a proxy request to loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class HttpGatewayE2E {
    static final String CONFIG = """
            [http.forward]
            listen = "[::]:3128"
            allow = ["2001:db8:6::/64"]

            [[http.reverse]]
            host = "www.v4only.test"
            backend = "198.51.100.2:80"
            listen = "[2001:db8:6::1]:80"
            """;
    static final String PROXY = "http://[2001:db8:6::1]:3128";
    static final int BIG = 8 << 20;

    SocketLab lab;

    @BeforeAll
    @Timeout(90)
    void start() throws IOException {
        lab = SocketLab.start(CONFIG, "198.51.100.2 www.v4only.test\n", new String[] {"curl", "curl"},
                new String[] {"openssl", "openssl"}, new String[] {"/usr/bin/python3", "python3"});
        Path www = lab.work.resolve("www");
        Files.createDirectories(www);
        Files.writeString(www.resolve("hello.txt"), "hello from the IPv4-only web server\n");
        byte[] big = new byte[BIG];
        new java.util.Random(7).nextBytes(big);
        Files.write(www.resolve("big.bin"), big);
        Path script = lab.work.resolve("web_server.py");
        try (InputStream in = HttpGatewayE2E.class.getResourceAsStream("web_server.py")) {
            Files.write(script, in.readAllBytes());
        }
        Shell.Result cert = Shell.run(SocketLab.LIMIT, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-subj", "/CN=www.v4only.test", "-days", "1", "-keyout", lab.work.resolve("key.pem").toString(),
                "-out", lab.work.resolve("cert.pem").toString());
        assertTrue(cert.ok(), cert.describe());
        lab.peer(lab.server(), "web", "/usr/bin/python3", script.toString(), www.toString(), "198.51.100.2", "80");
        lab.peer(lab.server(), "tls", "openssl", "s_server", "-quiet", "-accept", "443", "-www",
                "-cert", lab.work.resolve("cert.pem").toString(), "-key", lab.work.resolve("key.pem").toString());
        lab.awaitTcp(lab.server(), "198.51.100.2", 80);
        lab.awaitTcp(lab.server(), "198.51.100.2", 443);
    }

    @AfterAll
    @Timeout(60)
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    private Shell.Result curl(String ns, String... args) {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "-m";
        cmd[3] = "15";
        System.arraycopy(args, 0, cmd, 4, args.length);
        return lab.exec(ns, cmd);
    }

    @Test
    void forwardProxyFetchesFromTheIpv4OnlyServerByName() {
        Shell.Result r = curl(lab.client(), "-x", PROXY, "http://www.v4only.test/hello.txt");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertEquals("hello from the IPv4-only web server", r.out().strip());
    }

    @Test
    void theServerLearnsWhoAsked() {
        Shell.Result r = curl(lab.client(), "-x", PROXY, "http://www.v4only.test/headers");
        assertTrue(r.ok(), r.describe());
        assertTrue(r.out().contains("X-Forwarded-For: 2001:db8:6::2"), r.out());
        assertTrue(r.out().contains("Forwarded: for=\"[2001:db8:6::2]\";proto=http;host=\"www.v4only.test\""), r.out());
        assertTrue(r.out().contains("Via: 1.1 isthmus"), r.out());
    }

    @Test
    void largeBodiesStreamBothWays() {
        Shell.Result down = curl(lab.client(), "-x", PROXY, "-o", "/dev/null", "-w", "%{size_download}",
                "http://www.v4only.test/big.bin");
        assertTrue(down.ok(), down.describe());
        assertEquals(Integer.toString(BIG), down.out().strip());
        Shell.Result up = curl(lab.client(), "-x", PROXY, "--data-binary", "@" + lab.work.resolve("www/big.bin"),
                "http://www.v4only.test/upload");
        assertTrue(up.ok(), up.describe());
        assertEquals(Integer.toString(BIG), up.out().strip());
    }

    @Test
    void keepAliveReusesTheConnection() {
        Shell.Result r = curl(lab.client(), "-v", "-x", PROXY, "http://www.v4only.test/hello.txt",
                "http://www.v4only.test/hello.txt");
        assertTrue(r.ok(), r.describe());
        assertTrue(r.err().contains("Re-using existing connection"), r.err());
    }

    @Test
    void httpsGoesThroughConnect() {
        Shell.Result r = curl(lab.client(), "-k", "-x", PROXY, "https://www.v4only.test/");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertTrue(r.out().contains("s_server"), r.out());
    }

    @Test
    void reverseProxyPublishesTheIpv4SiteToIpv6Clients() {
        Shell.Result r = curl(lab.client(), "--resolve", "www.v4only.test:80:[2001:db8:6::1]",
                "http://www.v4only.test/headers");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertTrue(r.out().contains("X-Forwarded-For: 2001:db8:6::2"), r.out());
        Shell.Result unknown = curl(lab.client(), "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: other.test",
                "http://[2001:db8:6::1]/");
        assertEquals("404", unknown.out().strip());
    }

    @Test
    void reverseProxySpeaksHttp2WithPriorKnowledge() {
        Shell.Result r = curl(lab.client(), "--http2-prior-knowledge", "--resolve", "www.v4only.test:80:[2001:db8:6::1]",
                "-w", "\n%{http_version}", "http://www.v4only.test/hello.txt");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertEquals("hello from the IPv4-only web server\n\n2", r.out().strip());
    }

    @Test
    void connectToPort25IsRefused() {
        Shell.Result r = curl(lab.client(), "-k", "-x", PROXY, "-o", "/dev/null", "-w", "%{http_connect}",
                "https://www.v4only.test:25/");
        assertEquals("403", r.out().strip(), r.describe());
        assertTrue(lab.httpRefused("connect-port") >= 1);
        lab.awaitLog("refused 403 (connect-port)");
    }

    @Test
    void proxyToLoopbackIsRefused() {
        for (String url : new String[] {"http://127.0.0.1:3128/", "http://[::1]:8080/", "http://localhost:8080/"}) {
            Shell.Result r = curl(lab.client(), "-x", PROXY, "-o", "/dev/null", "-w", "%{http_code}", url);
            assertEquals("403", r.out().strip(), url + ": " + r.describe());
        }
        assertTrue(lab.httpRefused("destination-refused") >= 3, lab.statsJson());
        lab.awaitLog("refused 403 (destination-refused)");
    }

    @Test
    void aClientNotAllowedIsRefused() {
        // The IPv4-only server's namespace reaches the proxy's IPv4 address, but is not in allow.
        Shell.Result r = curl(lab.server(), "-x", "http://198.51.100.1:3128", "-o", "/dev/null", "-w", "%{http_code}",
                "http://www.v4only.test/hello.txt");
        assertEquals("403", r.out().strip(), r.describe());
        assertTrue(lab.httpRefused("client-not-allowed") >= 1, lab.statsJson());
        lab.awaitLog("refused 403 (client-not-allowed)");
    }
}
