package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The FTP proxy ({@code [[ftp.proxy]]}) against real programs: lftp and curl on the IPv6-only
 * client, vsftpd and pyftpdlib on the IPv4-only server, isthmus in the middle. Passive and active
 * on the client's side (EPSV and EPRT: over IPv6, curl and lftp use those even when told not to
 * prefer them) and on the server's (EPSV against vsftpd; PASV and PORT against a pyftpdlib whose
 * command table has no EPSV and EPRT, which the proxy learns from its 500), 50 MiB both ways
 * byte-exact, REST, a listing, 20 transfers at once, the transparent mode (the server is the
 * IPv4 address in the pool6 address the client reached, made local in the middle as in
 * RelayE2E), and the refusals: a bounce, AUTH TLS in both modes, a client not in allow, a
 * destination the transparent mode must not reach.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class FtpProxyE2E {
    static final String PY = "/usr/bin/python3";
    static final String CONFIG = """
            [[ftp.proxy]]
            name = "vsftpd"
            listen = "[2001:db8:6::1]:21"
            connect = "198.51.100.2:21"
            allow = ["2001:db8:6::/64"]
            data-ports = "50000-50499"

            [[ftp.proxy]]
            name = "old"
            listen = "[2001:db8:6::1]:2124"
            connect = "198.51.100.2:2122"
            allow = ["2001:db8:6::/64"]

            [[ftp.proxy]]
            name = "transparent"
            listen = "[::]:2122"
            pool6 = "2001:db8:64::/96"
            connect-ports = [2122]
            allow = ["2001:db8:6::/64"]

            [[ftp.proxy]]
            name = "old-active"
            listen = "[2001:db8:6::1]:2123"
            connect = "198.51.100.2:2122"
            allow = ["2001:db8:6::/64"]
            server-mode = "active"

            [[ftp.proxy]]
            name = "tls"
            listen = "[2001:db8:6::1]:2990"
            connect = "198.51.100.2:2990"
            allow = ["2001:db8:6::/64"]
            tls = "passthrough"

            [[ftp.proxy]]
            name = "impatient"
            listen = "[2001:db8:6::1]:2125"
            connect = "198.51.100.2:21"
            allow = ["2001:db8:6::/64"]
            first-command-timeout = 1

            [[ftp.proxy]]
            name = "closed"
            listen = "[2001:db8:6::1]:2121"
            connect = "198.51.100.2:21"
            allow = ["2001:db8:99::/64"]
            """;

    /** pyftpdlib, anonymous with every permission, EPSV and EPRT taken out of its command table. */
    static final String OLD_SERVER = """
            import logging, sys
            from pyftpdlib.authorizers import DummyAuthorizer
            from pyftpdlib.handlers import FTPHandler
            from pyftpdlib.servers import FTPServer
            class Old(FTPHandler):
                proto_cmds = {k: v for k, v in FTPHandler.proto_cmds.items() if k not in ('EPSV', 'EPRT')}
            a = DummyAuthorizer()
            a.add_anonymous(sys.argv[1], perm='elradfmwMT')
            Old.authorizer = a
            Old.banner = 'pyftpdlib without EPSV and EPRT'
            logging.basicConfig(level=logging.DEBUG)
            FTPServer(('198.51.100.2', 2122), Old).serve_forever()
            """;

    /** A raw control connection: prints every reply, sends each argument as a command ("-": only reads a reply). */
    static final String RAW_CLIENT = """
            import socket, sys
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
            f = s.makefile('rwb')
            def reply():
                line = f.readline().decode('latin-1')
                out = line
                if line[3:4] == '-':
                    while True:
                        l = f.readline().decode('latin-1')
                        out += l
                        if l[:3] == line[:3] and l[3:4] == ' ':
                            break
                return out
            print(reply(), end='')
            for c in sys.argv[3:]:
                if c != '-':
                    f.write((c + '\\r\\n').encode('latin-1'))
                    f.flush()
                print('> ' + c)
                print(reply(), end='')
            """;

    static final String VSFTPD = """
            listen=YES
            listen_ipv6=NO
            listen_address=198.51.100.2
            listen_port=%d
            background=NO
            anonymous_enable=YES
            local_enable=NO
            no_anon_password=YES
            write_enable=YES
            anon_upload_enable=YES
            anon_other_write_enable=YES
            anon_root=%s
            secure_chroot_dir=/var/run/vsftpd/empty
            seccomp_sandbox=NO
            isolate_network=NO
            isolate=NO
            max_per_ip=0
            max_clients=0
            pasv_min_port=40000
            pasv_max_port=40999
            xferlog_enable=NO
            """;

    static final String TLS = """
            ssl_enable=YES
            allow_anon_ssl=YES
            force_anon_logins_ssl=NO
            force_anon_data_ssl=NO
            rsa_cert_file=%s
            rsa_private_key_file=%s
            """;

    SocketLab lab;
    Path root;
    Path down;
    String bigSha;

    @BeforeAll
    @Timeout(60)
    void start() throws IOException {
        lab = SocketLab.start(CONFIG, "", new String[] {"curl", "curl"}, new String[] {"lftp", "lftp"},
                new String[] {"vsftpd", "vsftpd"}, new String[] {"openssl", "openssl"},
                new String[] {PY, "python3"}, new String[] {"sha256sum", "coreutils"});
        assertTrue(Shell.run(SocketLab.LIMIT, PY, "-c", "import pyftpdlib").ok(),
                "the end-to-end tests need pyftpdlib (Debian package python3-pyftpdlib)");
        root = lab.work.resolve("ftproot");
        down = lab.work.resolve("client");
        Files.createDirectories(root.resolve("pub"));
        Files.createDirectories(root.resolve("up"));
        Files.createDirectories(down);
        sh("head -c 52428800 /dev/urandom > " + root.resolve("pub/big.bin") + " && head -c 1048576 /dev/urandom > "
                + root.resolve("pub/small.bin") + " && chmod 755 " + root + " " + root.resolve("pub") + " && chmod 644 "
                + root.resolve("pub") + "/*.bin && chown ftp " + root.resolve("up") + " && chmod 777 " + root.resolve("up")
                + " && head -c 52428800 /dev/urandom > " + down.resolve("upload.bin"));
        bigSha = sha(root.resolve("pub/big.bin"));
        Path key = lab.work.resolve("ftp.key");
        Path cert = lab.work.resolve("ftp.pem");
        sh("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ftp.example.test -keyout " + key + " -out " + cert
                + " 2>/dev/null");
        Path plain = lab.work.resolve("vsftpd.conf");
        Files.writeString(plain, VSFTPD.formatted(21, root));
        Path tls = lab.work.resolve("vsftpd-tls.conf");
        Files.writeString(tls, VSFTPD.formatted(2990, root) + TLS.formatted(cert, key));
        Path old = lab.work.resolve("old.py");
        Files.writeString(old, OLD_SERVER);
        Files.writeString(lab.work.resolve("raw.py"), RAW_CLIENT);
        // The transparent mode's routing, AnyIP form (docs/RELAY.md): every pool6 address is local.
        Shell.Result route = lab.exec(lab.mid(), "ip", "-6", "route", "add", "local", "2001:db8:64::/96", "dev", "lo");
        assertTrue(route.ok(), route.describe());
        lab.peer(lab.server(), "vsftpd", "vsftpd", plain.toString());
        lab.peer(lab.server(), "vsftpd-tls", "vsftpd", tls.toString());
        lab.peer(lab.server(), "pyftpdlib", PY, old.toString(), root.toString());
        lab.awaitTcp(lab.server(), "198.51.100.2", 21);
        lab.awaitTcp(lab.server(), "198.51.100.2", 2990);
        lab.awaitTcp(lab.server(), "198.51.100.2", 2122);
    }

    @AfterAll
    @Timeout(30)
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void passiveRetrAndStorOf50MiBAreByteExact() {
        Path out = down.resolve("passive.bin");
        curl("-o", out.toString(), "ftp://[2001:db8:6::1]/pub/big.bin");
        assertEquals(bigSha, sha(out));
        curl("-T", down.resolve("upload.bin").toString(), "ftp://[2001:db8:6::1]/up/passive-up.bin");
        assertEquals(sha(down.resolve("upload.bin")), sha(root.resolve("up/passive-up.bin")));
    }

    @Test
    void activeRetrAndStorOf50MiBAreByteExact() {
        Path out = down.resolve("active.bin");
        curl("--ftp-port", "-", "--disable-eprt", "-o", out.toString(), "ftp://[2001:db8:6::1]/pub/big.bin");
        assertEquals(bigSha, sha(out));
        curl("--ftp-port", "-", "-T", down.resolve("upload.bin").toString(), "ftp://[2001:db8:6::1]/up/active-up.bin");
        assertEquals(sha(down.resolve("upload.bin")), sha(root.resolve("up/active-up.bin")));
    }

    /** The server has no EPSV: the proxy falls back to PASV towards it, the client still uses EPSV. */
    @Test
    void lftpPassiveThroughPasvTowardsTheServer() {
        Path out = down.resolve("lftp-passive.bin");
        lftp(2124, "set ftp:prefer-epsv no; get pub/big.bin -o " + out);
        assertEquals(bigSha, sha(out));
        assertTrue(lab.peerLog("pyftpdlib").contains("<- PASV"), lab.peerLog("pyftpdlib"));
    }

    /** Active on both sides: EPRT from the client, and (no EPRT in the server) PORT to the server. */
    @Test
    void lftpActiveBothSides() {
        lftp(2123, "set ftp:passive-mode off; put " + down.resolve("upload.bin") + " -o up/lftp-active.bin");
        assertEquals(sha(down.resolve("upload.bin")), sha(root.resolve("up/lftp-active.bin")));
        Path out = down.resolve("lftp-active.bin");
        lftp(2123, "set ftp:passive-mode off; get pub/big.bin -o " + out);
        assertEquals(bigSha, sha(out));
        assertTrue(lab.peerLog("pyftpdlib").contains("<- PORT 198,51,100,1,"), lab.peerLog("pyftpdlib"));
    }

    @Test
    void directoryListing() {
        Shell.Result r = lftp(2124, "cls -1 pub");
        assertTrue(r.out().contains("big.bin") && r.out().contains("small.bin"), r.out());
        Shell.Result c = curl("--disable-epsv", "ftp://[2001:db8:6::1]/pub/");
        assertTrue(c.out().contains("big.bin"), c.out());
    }

    @Test
    void restResumesADownload() {
        Path out = down.resolve("resumed.bin");
        sh("head -c 10485760 " + root.resolve("pub/big.bin") + " > " + out);
        curl("-C", "-", "-o", out.toString(), "ftp://[2001:db8:6::1]/pub/big.bin");
        assertEquals(bigSha, sha(out));
    }

    /** APPE (RFC 959 §4.1.3): the second upload lands after the first. */
    @Test
    void appendUploads() {
        Path small = root.resolve("pub/small.bin");
        curl("-T", small.toString(), "ftp://[2001:db8:6::1]/up/appended.bin");
        curl("-T", small.toString(), "--append", "ftp://[2001:db8:6::1]/up/appended.bin");
        Path twice = down.resolve("twice.bin");
        sh("cat " + small + " " + small + " > " + twice);
        assertEquals(sha(twice), sha(root.resolve("up/appended.bin")));
    }

    /** A client that says nothing after the greeting is told 421 when first-command-timeout (here 1 s) runs out. */
    @Test
    void aSilentClientIsClosedAtTheFirstCommandDeadline() {
        Shell.Result r = raw(2125, "-");
        assertTrue(r.out().contains("> -\n421 No command within 1 s"), r.out());
        assertTrue(proxyCounter("impatient", "first-command-timeout") >= 1, lab.statsJson());
    }

    @Test
    void twentyTransfersInParallel() {
        StringBuilder cmd = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            cmd.append("curl -sS -m 20 -o ").append(down.resolve("par-" + i + ".bin"))
                    .append(" ftp://[2001:db8:6::1]/pub/small.bin & ");
        }
        cmd.append("wait");
        Shell.Result r = lab.exec(lab.client(), "bash", "-c", cmd.toString());
        assertTrue(r.ok(), r.describe());
        String want = sha(root.resolve("pub/small.bin"));
        for (int i = 0; i < 20; i++) {
            assertEquals(want, sha(down.resolve("par-" + i + ".bin")), "transfer " + i);
        }
    }

    /** RFC 2577 §3: PORT and EPRT naming another host, or a privileged port, are refused. */
    @Test
    void aBounceIsRefused() {
        Shell.Result r = raw(21, "USER anonymous", "PASS x", "EPRT |2|2001:db8:6::99|5000|", "EPRT |2|2001:db8:6::2|25|",
                "EPRT |1|198.51.100.2|5000|", "QUIT");
        assertTrue(r.out().contains("> EPRT |2|2001:db8:6::99|5000|\n504 "), r.out());
        assertTrue(r.out().contains("> EPRT |2|2001:db8:6::2|25|\n504 "), r.out());
        assertTrue(r.out().contains("> EPRT |1|198.51.100.2|5000|\n522 "), r.out());
        assertTrue(proxyCounter("vsftpd", "bounce") >= 2, lab.statsJson());
    }

    @Test
    void authTlsIsRefusedByDefault() {
        Shell.Result r = raw(21, "AUTH TLS", "USER anonymous", "QUIT");
        assertTrue(r.out().contains("> AUTH TLS\n534 The FTP proxy refuses TLS"), r.out());
        assertTrue(r.out().contains("> USER anonymous\n230 "), r.out()); // the session goes on without TLS
        assertTrue(proxyCounter("vsftpd", "tls-refused") >= 1, lab.statsJson());
    }

    /** The server's 234 passes with the proxy's note, and the TLS session after it is the server's. */
    @Test
    void authTlsPassesThroughOpaquely() {
        Shell.Result r = lab.exec(lab.client(), "curl", "-sS", "-v", "-m", "8", "--ssl-reqd", "-k", "-l",
                "ftp://[2001:db8:6::1]:2990/pub/");
        String all = r.out() + r.err();
        assertTrue(all.contains("234 ") && all.contains("relayed opaquely"), all);
        // Login happened inside TLS, through the proxy; the listing's data connection cannot.
        assertTrue(all.contains("230 "), all);
        assertFalse(r.ok(), all);
        assertTrue(lab.statsJson().contains("\"tls-passthrough\":1"), lab.statsJson());
    }

    @Test
    void aClientNotInAllowIsRefused() {
        Shell.Result r = lab.exec(lab.client(), "curl", "-sS", "-m", "5", "ftp://[2001:db8:6::1]:2121/pub/");
        assertFalse(r.ok(), r.out());
        lab.awaitLog("ftp proxy closed: refused (client-not-allowed)");
        assertTrue(proxyCounter("closed", "client-not-allowed") >= 1, lab.statsJson());
    }

    /** 2001:db8:64::c633:6402 is pool6 + 198.51.100.2 (RFC 6052 §2.2); the passive port listens on that address. */
    @Test
    void transparentModeReachesTheEmbeddedServer() {
        Path out = down.resolve("transparent.bin");
        curl("-o", out.toString(), "ftp://[2001:db8:64::c633:6402]:2122/pub/small.bin");
        assertEquals(sha(root.resolve("pub/small.bin")), sha(out));
    }

    /** pool6 + 127.0.0.1: RFC 3142 §7, the proxy must not reach its own loopback. */
    @Test
    void transparentModeRefusesLoopback() {
        Shell.Result r = lab.exec(lab.client(), "curl", "-sS", "-m", "5", "ftp://[2001:db8:64::7f00:1]:2122/");
        assertFalse(r.ok(), r.out());
        lab.awaitLog("ftp proxy transparent: refused (destination-refused)");
        assertTrue(proxyCounter("transparent", "destination-refused") >= 1, lab.statsJson());
    }

    @Test
    void showStatsCountsTheProxies() {
        curl("-o", "/dev/null", "ftp://[2001:db8:6::1]/pub/small.bin");
        String text = lab.stats();
        assertTrue(text.contains("ftp proxy vsftpd"), text);
        String json = proxy(lab.statsJson(), "vsftpd");
        assertTrue(number(json, "transfers") >= 1 && number(json, "translated") >= 1
                && number(json, "bytes-to-client") >= 1048576, json);
    }

    // ------------------------------------------------------------------ helpers

    private Shell.Result curl(String... args) {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "-m";
        cmd[3] = "15";
        System.arraycopy(args, 0, cmd, 4, args.length);
        Shell.Result r = lab.exec(lab.client(), cmd);
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        return r;
    }

    private Shell.Result lftp(int port, String commands) {
        Shell.Result r = lab.exec(lab.client(), "lftp", "-c", "set net:max-retries 1; set net:timeout 10; "
                + "set cmd:fail-exit yes; open -u anonymous,x ftp://[2001:db8:6::1]:" + port + "; " + commands);
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        return r;
    }

    private Shell.Result raw(int port, String... commands) {
        String[] cmd = new String[commands.length + 4];
        cmd[0] = PY;
        cmd[1] = lab.work.resolve("raw.py").toString();
        cmd[2] = "2001:db8:6::1";
        cmd[3] = Integer.toString(port);
        System.arraycopy(commands, 0, cmd, 4, commands.length);
        Shell.Result r = lab.exec(lab.client(), cmd);
        assertTrue(r.ok(), r.describe());
        return r;
    }

    private void sh(String script) {
        Shell.Result r = Shell.run(SocketLab.LIMIT, "bash", "-c", script);
        assertTrue(r.ok(), r.describe());
    }

    private static String sha(Path file) {
        Shell.Result r = Shell.run(SocketLab.LIMIT, "sha256sum", file.toString());
        assertTrue(r.ok(), r.describe());
        return r.out().substring(0, 64);
    }

    private long proxyCounter(String name, String reason) {
        String p = proxy(lab.statsJson(), name);
        return number(p.substring(p.indexOf("\"refused\"")), reason);
    }

    /** The JSON object of one FTP proxy in {@code show stats --json}. */
    private static String proxy(String json, String name) {
        int list = json.indexOf("\"ftp-proxies\"");
        assertTrue(list >= 0, "no ftp-proxies in " + json);
        int at = json.indexOf("{\"name\":\"" + name + "\"", list);
        assertTrue(at >= 0, "no ftp proxy " + name + " in " + json);
        return json.substring(at, json.indexOf("}}", at) + 2);
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), key + " not in " + json);
        return Long.parseLong(m.group(1));
    }
}
