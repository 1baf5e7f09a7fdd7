package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
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
 * The RFC 6384 FTP ALG of the stateful NAT64 end to end, in namespaces of its own
 * ({@code ftp-XXXX-…}, {@link Topology}): an IPv6-only client with curl and lftp, {@code isthmus
 * run} with {@code [nat64] alg-ftp-ports = [21, 2121]}, and two IPv4-only servers on
 * {@value #SERVER4}:
 *
 * <ul>
 *   <li>vsftpd on port 21, anonymous with uploads into {@code up/}, passive and active, AUTH TLS
 *       allowed but not forced (a self-signed certificate made here). It supports EPSV and EPRT,
 *       and checks that a data connection comes from (passive) or goes to (active) the control
 *       connection's address ({@code pasv_promiscuous}, {@code port_promiscuous} off).
 *   <li>pyftpdlib on port 2121 with EPSV and EPRT taken out of its command table, as an old
 *       IPv4-only server: an IPv6 client can only use it through the ALG's EPSV → PASV (227 → 229)
 *       and EPRT → PORT rewriting. It logs each data connection's and control connection's peer.
 * </ul>
 *
 * <p>Over an IPv6 control connection curl and lftp always send EPSV and EPRT (PASV and PORT
 * cannot name an IPv6 address); so every transfer here goes through a rewrite, and the ones with
 * pyftpdlib fail without the ALG ("500 Command EPSV not understood").
 *
 * <p>pool4 is a /29 so that the server's address check means something: the data connections
 * must leave from the control connection's pool4 address (paired pooling, RFC 6384 §5).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class FtpAlgE2E {
    private static final String SERVER4 = Topology.SERVER4;
    private static final String SERVER6 = Topology.SERVER_AS6;
    private static final String POOL4 = "192.0.2.8/29";
    private static final Pattern POOL4_ADDRESS = Pattern.compile("192\\.0\\.2\\.(8|9|1[0-5])");
    private static final int VSFTPD = 21;
    private static final int PYFTPD = 2121;
    private static final int BIG = 50 << 20;
    private static final int MEDIUM = 1 << 20;
    private static final Duration LIMIT = Duration.ofSeconds(40);
    private static final String PYTHON = "/usr/bin/python3";

    Topology topology;
    /** The TUN device's name, and the tag of the namespaces and the work directory. */
    String device;
    Path work;
    Path socket;
    Launcher launcher;
    Process isthmus;
    Path vsRoot;
    Path pyRoot;
    Path client;
    String bigSha;
    String mediumSha;

    @BeforeAll
    @Timeout(90)
    void startLab() throws IOException {
        E2eLab.checkPreconditions();
        for (String[] tool : new String[][] {{"vsftpd", "vsftpd"}, {"lftp", "lftp"}, {"openssl", "openssl"},
                {PYTHON, "python3"}}) {
            assertTrue(Shell.run(Duration.ofSeconds(5), "sh", "-c", "command -v " + tool[0]).ok(),
                    "the FTP end-to-end tests need `" + tool[0] + "` (Debian package " + tool[1] + ")");
        }
        assertTrue(Shell.run(Duration.ofSeconds(10), PYTHON, "-c", "import pyftpdlib").ok(),
                "the FTP end-to-end tests need pyftpdlib (Debian package python3-pyftpdlib)");

        Path jar = Path.of(System.getProperty("isthmus.jar"));
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        launcher = Launcher.ofJar(java, jar);
        Topology.Names names = Topology.uniqueNames("ftp-");
        device = names.mid().substring(0, names.mid().length() - "-mid".length());
        work = jar.toAbsolutePath().getParent().resolve("e2e").resolve(device);
        socket = Path.of("/run/isthmus/" + device + ".sock");
        Files.createDirectories(work);
        writeFiles();
        topology = Topology.create(names);

        Path config = work.resolve("isthmus.toml");
        Files.writeString(config, """
                [nat64]
                pool6 = "%s"
                alg-ftp-ports = [%d, %d]

                [[nat64.pool4]]
                prefix = "%s"

                [dataplane]
                device = "%s"
                workers = 2
                manage-routes = true
                offload = true

                [control]
                socket = "%s"
                """.formatted(Topology.POOL6, VSFTPD, PYFTPD, POOL4, device, socket));
        Path log = work.resolve("isthmus.log");
        isthmus = topology.start(names.mid(), log, launcher.isthmus("run", "--config", config.toString()));
        startServers();
        awaitLog(log, "translating on " + device + " ");
        awaitLog(log, "control socket listening on " + socket);
        awaitTcp(VSFTPD);
        awaitTcp(PYFTPD);
    }

    @AfterAll
    @Timeout(60)
    void stopLab() {
        if (topology != null) {
            topology.close();
            // The logs stay for a post-mortem; the 50 MiB files (about 400 MiB in all) go.
            for (Path dir : List.of(client, vsRoot, pyRoot, vsRoot.resolve("up"), pyRoot.resolve("up"))) {
                deleteFiles(dir);
            }
            E2eLab.removeLocks(device);
        }
    }

    @Test
    @Order(1)
    void curlRetrievesAndStoresPassivelyFromAServerWithoutEpsv() throws IOException {
        Path got = client.resolve("curl-passive.bin");
        Shell.Result get = curl("-v", "-o", got.toString(), url(PYFTPD, "big.bin"));
        assertTrue(get.ok(), get.describe());
        assertEquals(bigSha, sha256(got), "RETR through EPSV → PASV");
        // The client asked EPSV and got 229; the server was asked PASV and said 227.
        assertTrue(get.err().contains("> EPSV") && get.err().contains("< 229 "), get.err());

        Shell.Result put = curl("-T", client.resolve("big.bin").toString(), url(PYFTPD, "up/curl-passive.bin"));
        assertTrue(put.ok(), put.describe());
        assertEquals(bigSha, sha256(pyRoot.resolve("up/curl-passive.bin")), "STOR through EPSV → PASV");
    }

    @Test
    @Order(2)
    void lftpRetrievesAndStoresPassivelyAndTheServerIsAskedPasv() throws IOException {
        Shell.Result r = lftp(VSFTPD, "get big.bin -o " + client.resolve("lftp-passive.bin")
                + "; put " + client.resolve("big.bin") + " -o up/lftp-passive.bin");
        assertTrue(r.ok(), r.describe());
        assertEquals(bigSha, sha256(client.resolve("lftp-passive.bin")));
        assertEquals(bigSha, sha256(vsRoot.resolve("up/lftp-passive.bin")));
        assertTrue((r.out() + r.err()).contains("---> EPSV"), "lftp sent EPSV: " + r.err());
        String server = vsftpdLog();
        assertTrue(server.contains("\"PASV\"") && server.contains("\"227 Entering Passive Mode"),
                "vsftpd was asked PASV, not EPSV:\n" + server);
    }

    @Test
    @Order(3)
    void curlRetrievesAndStoresActivelyThroughEprtToPort() throws IOException {
        Path got = client.resolve("curl-active.bin");
        Shell.Result get = curl("-v", "--ftp-port", "-", "-o", got.toString(), url(PYFTPD, "big.bin"));
        assertTrue(get.ok(), get.describe());
        assertTrue(get.err().contains("> EPRT |2|" + Topology.CLIENT6 + "|"), get.err());
        assertEquals(bigSha, sha256(got), "RETR through EPRT → PORT");

        Shell.Result put = curl("--ftp-port", "-", "-T", client.resolve("big.bin").toString(),
                url(PYFTPD, "up/curl-active.bin"));
        assertTrue(put.ok(), put.describe());
        assertEquals(bigSha, sha256(pyRoot.resolve("up/curl-active.bin")), "STOR through EPRT → PORT");
    }

    @Test
    @Order(4)
    void lftpRetrievesAndStoresActivelyAndTheServerIsAskedPortToPool4() throws IOException {
        Shell.Result r = lftp(VSFTPD, "set ftp:passive-mode off; get big.bin -o " + client.resolve("lftp-active.bin")
                + "; put " + client.resolve("big.bin") + " -o up/lftp-active.bin");
        assertTrue(r.ok(), r.describe());
        assertEquals(bigSha, sha256(client.resolve("lftp-active.bin")));
        assertEquals(bigSha, sha256(vsRoot.resolve("up/lftp-active.bin")));
        assertTrue((r.out() + r.err()).contains("---> EPRT |2|"), "lftp sent EPRT: " + r.err());
        // The PORT vsftpd got names the pool4 address its control connection came from (T).
        Matcher port = Pattern.compile("Client \"([0-9.]+)\", \"PORT (\\d+),(\\d+),(\\d+),(\\d+),\\d+,\\d+\"")
                .matcher(vsftpdLog());
        assertTrue(port.find(), "vsftpd was asked PORT:\n" + vsftpdLog());
        assertEquals(port.group(1), String.join(".", port.group(2), port.group(3), port.group(4), port.group(5)));
        assertTrue(POOL4_ADDRESS.matcher(port.group(1)).matches(), port.group());
    }

    /**
     * {@code curl --disable-epsv} and lftp's {@code ftp:prefer-epsv no} change nothing over an
     * IPv6 control connection: PASV cannot be answered with an IPv6 address, so both clients still
     * send EPSV (curl ignores the option for IPv6, lftp uses EPSV whenever the peer is IPv6), the
     * ALG rewrites it, and the transfer works as without the option.
     */
    @Test
    @Order(5)
    void withoutEpsvPreferredTheClientsStillSendEpsvOverIpv6() throws IOException {
        Path got = client.resolve("curl-no-epsv.bin");
        Shell.Result c = curl("-v", "--disable-epsv", "-o", got.toString(), url(PYFTPD, "medium.bin"));
        assertTrue(c.ok(), c.describe());
        assertTrue(c.err().contains("> EPSV") && !c.err().contains("> PASV"), c.err());
        assertEquals(mediumSha, sha256(got));

        Path got2 = client.resolve("lftp-no-epsv.bin");
        Shell.Result l = lftp(PYFTPD, "set ftp:prefer-epsv no; get medium.bin -o " + got2);
        assertTrue(l.ok(), l.describe());
        assertTrue((l.out() + l.err()).contains("---> EPSV") && !(l.out() + l.err()).contains("---> PASV"), l.describe());
        assertEquals(mediumSha, sha256(got2));
    }

    @Test
    @Order(6)
    void curlResumesADownloadWithRest() throws IOException {
        Path got = client.resolve("resumed.bin");
        int have = 20 << 20;
        try (InputStream in = Files.newInputStream(client.resolve("big.bin"));
                OutputStream out = Files.newOutputStream(got)) {
            out.write(in.readNBytes(have));
        }
        Shell.Result r = curl("-v", "-C", "-", "-o", got.toString(), url(PYFTPD, "big.bin"));
        assertTrue(r.ok(), r.describe());
        assertTrue(r.err().contains("> REST " + have), r.err());
        assertEquals(bigSha, sha256(got), "the resumed file is whole");
    }

    @Test
    @Order(7)
    void directoryListingsCrossTheAlg() {
        for (int port : new int[] {VSFTPD, PYFTPD}) {
            Shell.Result list = curl(url(port, ""));
            assertTrue(list.ok() && list.out().contains("big.bin") && list.out().contains("up"), list.describe());
            Shell.Result names = curl("--list-only", "--ftp-port", "-", url(port, ""));
            assertTrue(names.ok() && names.out().lines().anyMatch("medium.bin"::equals), names.describe());
        }
        Shell.Result l = lftp(PYFTPD, "cls -1");
        assertTrue(l.ok() && l.out().contains("medium.bin"), l.describe());
    }

    @Test
    @Order(8)
    void twentyTransfersInParallel() throws IOException {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            // Half passive, half active, alternating between the two servers.
            script.append("curl -sS -g --max-time 20 ").append(i % 2 == 0 ? "" : "--ftp-port - ")
                    .append("-o ").append(client.resolve("parallel-" + i + ".bin")).append(' ')
                    .append(url(i % 4 < 2 ? PYFTPD : VSFTPD, "medium.bin")).append(" &\n");
        }
        script.append("fail=0; for j in $(jobs -p); do wait $j || fail=1; done; exit $fail\n");
        Shell.Result r = topology.exec(topology.names().client(), LIMIT, "bash", "-c", script.toString());
        assertTrue(r.ok(), r.describe());
        for (int i = 0; i < 20; i++) {
            assertEquals(mediumSha, sha256(client.resolve("parallel-" + i + ".bin")), "transfer " + i);
        }
    }

    /** RFC 6384 §6: a command that arrives in two TCP segments is reassembled before it is rewritten. */
    @Test
    @Order(9)
    void aCommandSplitAcrossTwoSegmentsIsRewritten() {
        Shell.Result r = raw(PYFTPD, "split:EP|SV", "retr-split:medium.bin");
        assertTrue(r.ok(), r.describe());
        assertTrue(Pattern.compile("> EPSV\n< 229 .*\\(\\|\\|\\|\\d+\\|\\)").matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("data sha256=" + mediumSha + " bytes=" + MEDIUM), r.out());
    }

    /**
     * RFC 6384 §11: the ALG answers ALGS itself. With DISABLE64 it stops rewriting, so the old
     * server answers EPSV itself (500); ENABLE64 turns it back on.
     */
    @Test
    @Order(10)
    void algsCommandsAreAnsweredByTheAlg() {
        Shell.Result r = raw(PYFTPD, "ALGS STATUS64", "ALGS DISABLE64", "ALGS STATUS64", "EPSV", "ALGS ENABLE64",
                "ALGS STATUS64", "retr:medium.bin");
        assertTrue(r.ok(), r.describe());
        List<String> replies = replies(r.out());
        assertTrue(replies.get(0).startsWith("216 EPSVEPRT"), "STATUS64 at the start: " + r.out());
        assertTrue(replies.get(1).startsWith("216 "), "DISABLE64: " + r.out());
        assertTrue(replies.get(2).startsWith("216 NONE"), "STATUS64 when disabled: " + r.out());
        assertTrue(replies.get(3).startsWith("500 "), "EPSV with the ALG disabled reaches the server: " + r.out());
        assertTrue(replies.get(4).startsWith("216 "), "ENABLE64: " + r.out());
        assertTrue(replies.get(5).startsWith("216 EPSVEPRT"), "STATUS64 after ENABLE64: " + r.out());
        assertTrue(r.out().contains("data sha256=" + mediumSha), r.out());
    }

    /** RFC 2577 §3: a PORT or EPRT naming a host other than the client is refused by the ALG. */
    @Test
    @Order(11)
    void aBounceAttemptIsRefused() {
        Shell.Result r = raw(VSFTPD, "EPRT |2|2001:db8:6::99|40000|", "EPRT |1|198.51.100.1|40000|",
                "PORT 198,51,100,1,156,64");
        assertTrue(r.ok(), r.describe());
        List<String> replies = replies(r.out());
        for (int i = 0; i < 3; i++) {
            assertTrue(replies.get(i).startsWith("5"), "refused: " + r.out());
        }
        String server = vsftpdLog();
        assertFalse(server.contains("2001:db8:6::99") || server.contains("198.51.100.1|")
                || server.contains("198,51,100,1,"), "a bounce command reached the server:\n" + server);
    }

    /**
     * RFC 6384 §9, RFC 4217: once the client has started TLS the ALG cannot read the control
     * connection and stops rewriting; with a server that supports EPSV the transfer still works,
     * the EPSV reaching the server as the client sent it.
     */
    @Test
    @Order(12)
    void afterAuthTlsTheAlgStepsAsideAndTransfersStillWork() throws IOException {
        Path got = client.resolve("tls.bin");
        Shell.Result r = lftp(VSFTPD, "set ftp:ssl-force true; set ftp:ssl-allow-anonymous true;"
                + " set ftp:ssl-protect-data true; set ssl:verify-certificate no; get big.bin -o " + got);
        assertTrue(r.ok(), r.describe());
        assertEquals(bigSha, sha256(got));
        String server = vsftpdLog();
        assertTrue(server.contains("\"AUTH TLS\"") && server.contains("\"PROT P\""), server);
        String afterTls = server.substring(server.lastIndexOf("\"AUTH TLS\""));
        assertTrue(afterTls.contains("\"EPSV\"") && afterTls.contains("\"229 Entering Extended Passive Mode"),
                "after AUTH TLS the server gets EPSV unrewritten:\n" + afterTls);
        assertTrue(counter("transparent") >= 1, stats());
    }

    /**
     * Both servers check it themselves (a transfer from elsewhere fails); this checks their logs
     * besides: every data connection was with the control connection's pool4 address.
     */
    @Test
    @Order(13)
    void theServersSawEachDataConnectionFromTheControlConnectionsAddress() {
        List<String> lines = pyftpdLog().lines().filter(l -> l.startsWith("data-connection ")).toList();
        assertTrue(lines.size() >= 20, "pyftpdlib logged " + lines.size() + " data connections");
        Pattern same = Pattern.compile("data-connection data=(\\S+) control=\\1");
        for (String l : lines) {
            Matcher m = same.matcher(l);
            assertTrue(m.matches() && POOL4_ADDRESS.matcher(m.group(1)).matches(), l);
        }
        String server = vsftpdLog();
        assertFalse(server.contains("Bad IP connecting") || server.contains("Illegal PORT"), server);
        assertTrue(counter("rewritten") >= 20 && counter("refused") >= 3, stats());
    }

    // ------------------------------------------------------------------ the lab

    private void writeFiles() throws IOException {
        byte[] big = new byte[BIG];
        new Random(6384).nextBytes(big);
        byte[] medium = new byte[MEDIUM];
        System.arraycopy(big, 0, medium, 0, MEDIUM);
        bigSha = sha256(big);
        mediumSha = sha256(medium);
        client = work.resolve("client");
        vsRoot = work.resolve("vsftpd-root");
        pyRoot = work.resolve("pyftpd-root");
        for (Path root : List.of(vsRoot, pyRoot)) {
            // vsftpd refuses an anonymous root its user could write to; uploads go to up/.
            Files.createDirectories(root.resolve("up"));
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(root.resolve("up"), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.write(root.resolve("big.bin"), big);
            Files.write(root.resolve("medium.bin"), medium);
        }
        Files.createDirectories(client);
        Files.write(client.resolve("big.bin"), big);
        for (String script : List.of("ftp_server.py", "ftp_raw.py")) {
            try (InputStream in = FtpAlgE2E.class.getResourceAsStream(script)) {
                Files.write(work.resolve(script), in.readAllBytes());
            }
        }
        Shell.Result cert = Shell.run(LIMIT, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=ftp-e2e", "-keyout", work.resolve("key.pem").toString(), "-out",
                work.resolve("cert.pem").toString());
        assertTrue(cert.ok(), cert.describe());
        Files.writeString(work.resolve("vsftpd.conf"), """
                listen=YES
                listen_ipv6=NO
                listen_address=%s
                listen_port=%d
                background=NO
                seccomp_sandbox=NO
                secure_chroot_dir=/var/run/vsftpd/empty
                anonymous_enable=YES
                local_enable=NO
                no_anon_password=YES
                anon_root=%s
                write_enable=YES
                anon_upload_enable=YES
                anon_other_write_enable=YES
                anon_umask=022
                pasv_enable=YES
                pasv_min_port=30000
                pasv_max_port=30199
                port_enable=YES
                connect_from_port_20=YES
                xferlog_enable=YES
                xferlog_std_format=NO
                log_ftp_protocol=YES
                vsftpd_log_file=%s
                ssl_enable=YES
                allow_anon_ssl=YES
                force_anon_logins_ssl=NO
                force_anon_data_ssl=NO
                require_ssl_reuse=NO
                rsa_cert_file=%s
                rsa_private_key_file=%s
                """.formatted(SERVER4, VSFTPD, vsRoot, work.resolve("vsftpd.log"), work.resolve("cert.pem"),
                work.resolve("key.pem")));
    }

    private void startServers() {
        String server = topology.names().server();
        topology.start(server, work.resolve("vsftpd.out"), List.of("vsftpd", work.resolve("vsftpd.conf").toString()));
        topology.start(server, work.resolve("pyftpd.log"), List.of(PYTHON, work.resolve("ftp_server.py").toString(),
                SERVER4, Integer.toString(PYFTPD), pyRoot.toString(), "--no-extended"));
    }

    private void awaitLog(Path log, String text) throws IOException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text))) {
            assertTrue(isthmus.isAlive(), () -> "isthmus run exited: " + read(log));
            assertTrue(System.nanoTime() < end, () -> "isthmus did not log \"" + text + "\" within 60 s:\n" + read(log));
            SocketLab.sleep(100);
        }
    }

    private void awaitTcp(int port) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!topology.exec(topology.names().server(), Duration.ofSeconds(2), "bash", "-c",
                "exec 3<>/dev/tcp/" + SERVER4 + "/" + port).ok()) {
            assertTrue(System.nanoTime() < end, () -> "no FTP server on port " + port + ":\n" + read(work.resolve(
                    "vsftpd.out")) + read(work.resolve("pyftpd.log")));
            SocketLab.sleep(100);
        }
    }

    private static void deleteFiles(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            // a post-mortem may find it; the next build's clean removes it
        }
    }

    // ------------------------------------------------------------------ clients

    private static String url(int port, String path) {
        return "ftp://[" + SERVER6 + "]:" + port + "/" + path;
    }

    /** curl in the client namespace; {@code -v} puts the control dialogue in err(). */
    private Shell.Result curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-g", "--max-time", "20"));
        cmd.addAll(List.of(args));
        return topology.exec(topology.names().client(), LIMIT, cmd);
    }

    /** lftp in the client namespace, {@code debug 5} putting the control dialogue in err(). */
    private Shell.Result lftp(int port, String script) {
        String settings = "set net:max-retries 1; set net:timeout 10; set xfer:clobber on; set cmd:fail-exit yes;"
                + " debug 5; ";
        return topology.exec(topology.names().client(), LIMIT, "lftp", "-e", settings + script + "; bye",
                "ftp://[" + SERVER6 + "]:" + port);
    }

    /** ftp_raw.py in the client namespace: "> sent" and "< reply" lines in out(). */
    private Shell.Result raw(int port, String... steps) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, work.resolve("ftp_raw.py").toString(), SERVER6,
                Integer.toString(port)));
        cmd.addAll(List.of(steps));
        return topology.exec(topology.names().client(), LIMIT, cmd);
    }

    /** The last line of each reply ftp_raw.py printed after the login's 230, in order. */
    private static List<String> replies(String out) {
        List<String> replies = new ArrayList<>();
        boolean in = false;
        for (String l : out.lines().toList()) {
            if (in && (l.matches("< \\d{3} .*") || l.equals("< (connection closed)"))) {
                replies.add(l.substring(2));
            }
            in |= l.startsWith("< 230 ");
        }
        return replies;
    }

    private String stats() {
        List<String> cmd = new ArrayList<>(launcher.isthmus("show", "stats", "--socket", socket.toString()));
        Shell.Result r = topology.exec(topology.names().mid(), LIMIT, cmd);
        assertTrue(r.ok(), r.describe());
        return r.out();
    }

    /** An ALG counter from {@code show stats} (the {@code ftp-alg} block). */
    private long counter(String name) {
        String stats = stats();
        Matcher m = Pattern.compile("\n  ftp-alg-" + name + " +(\\d+)\n").matcher(stats);
        assertTrue(m.find(), name + " not in\n" + stats);
        return Long.parseLong(m.group(1));
    }

    private String vsftpdLog() {
        return read(work.resolve("vsftpd.log"));
    }

    private String pyftpdLog() {
        return read(work.resolve("pyftpd.log"));
    }

    private static String read(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    private static String sha256(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " was not written");
        return sha256(Files.readAllBytes(file));
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
