package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.pcap.CaptureReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code isthmus translate} end to end over the shipped example capture (a real tcpdump -i any
 * capture of ping, TCP, UDP and traceroute through TAYGA, see examples/README.md).
 */
class TranslateCommandTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Path CONFIG = EXAMPLES.resolve("siit.toml");
    private static final Path CAPTURE = EXAMPLES.resolve("mixed.pcap");
    /** The tshark stage of CI checks every pcap here (see .ci/tshark-check). */
    private static final Path PCAP_DIR = Path.of(System.getProperty("isthmus.xlat.pcaps", "target/xlat-pcaps"));

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter err = new StringWriter();
        PrintStream saved = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int exit = cl.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    private static long count(Path pcap) throws IOException {
        long n = 0;
        try (CaptureReader r = CaptureReader.open(pcap)) {
            PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
            while (r.next(b)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void translatesTheExampleCaptureAndExplainsEveryPacket() throws IOException {
        Files.createDirectories(PCAP_DIR);
        Path out = PCAP_DIR.resolve("cli-example-mixed.pcap");
        Run r = run("translate", "--config", CONFIG.toString(), "--in", CAPTURE.toString(),
                "--out", out.toString(), "--explain");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(37, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("#1 IPv6 fe80::"), lines.get(0));
        assertTrue(lines.get(0).contains("dropped: multicast"), lines.get(0));
        assertTrue(lines.get(2).contains("src EAM #0 2001:db8:6::2/128 <-> 192.0.2.2/32, dst pool6 2001:db8:64::/96"),
                lines.get(2));
        assertTrue(lines.get(2).contains("translated -> IPv4 192.0.2.2 > 198.51.100.2 ICMP"), lines.get(2));
        // traceroute probe with hop limit 1: the translator is a router (RFC 7915 §5.1) and answers.
        assertTrue(lines.stream().anyMatch(l -> l.contains("dropped: ttl-expired") && l.contains("time-exceeded/0")));
        // ICMPv4 Time Exceeded from the IPv4 router becomes ICMPv6 3/0 (RFC 7915 §4.2).
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("#29 ") && l.contains("-> IPv6") && l.contains("time-exceeded/0")));
        // The 1428-byte DF=0 echo reply is fragmented to the 1280-byte IPv6 minimum (RFC 7915 §4.1).
        assertTrue(lines.stream().anyMatch(l -> l.contains("frag id=") && l.contains(" ; ")));
        assertEquals(36, count(out));
        assertTrue(r.err().contains("37 IP packets in"), r.err());
    }

    /**
     * examples/nat64.pcap was taken in front of isthmus running as a stateful NAT64 with the same
     * [nat64] section; pool4 ports are allocated deterministically, so the offline run rebuilds the
     * same BIB entries and every IPv4 reply finds its session (RFC 6146 §3.5).
     */
    @Test
    void explainsTheStatefulNat64StateBuiltFromTheCapture() {
        Path nat64 = EXAMPLES.resolve("nat64.toml");
        Path capture = EXAMPLES.resolve("nat64.pcap");
        Run r = run("translate", "-c", nat64.toString(), "-i", capture.toString(), "--explain");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(35, lines.size(), r.out());
        // The first echo request makes the client's ICMP BIB entry and its session.
        assertTrue(lines.get(2).matches(".*nat64 BIB icmp \\[2001:db8:6::2]:6250 <-> 192\\.0\\.2\\.2:6634 \\(new\\),"
                + " session with 198\\.51\\.100\\.2:0 \\(new\\).*translated -> IPv4 192\\.0\\.2\\.2 > 198\\.51\\.100\\.2 ICMP.*"),
                lines.get(2));
        assertTrue(lines.get(2).contains("src NAT64 BIB entry, dst pool6 2001:db8:64::/96"), lines.get(2));
        // Its reply, to the port the live translator chose, finds the same entry.
        assertTrue(lines.get(3).contains("nat64 BIB icmp [2001:db8:6::2]:6250 <-> 192.0.2.2:6634, session with")
                && lines.get(3).contains("translated -> IPv6"), lines.get(3));
        // A TCP SYN from the IPv6 side opens a session in V6 INIT; the SYN|ACK makes it ESTABLISHED
        // (RFC 6146 §3.5.2.2).
        assertTrue(lines.get(8).contains("nat64 BIB tcp") && lines.get(8).contains("V6 INIT"), lines.get(8));
        assertTrue(lines.get(9).contains("ESTABLISHED") && lines.get(9).contains("translated -> IPv6"), lines.get(9));
        // ICMPv4 errors are matched to the session through the packet they quote (RFC 6146 §3.5).
        assertTrue(lines.get(29).contains("dest-unreachable/3") && lines.get(29).contains("translated -> IPv6"),
                lines.get(29));
        // Only the server's own pings, to a (T,t) with no BIB entry, are refused (RFC 6146 §3.5.3).
        List<String> refused = lines.stream().filter(l -> l.contains("dropped: nat64-refused")).toList();
        assertEquals(2, refused.size(), r.out());
        assertTrue(refused.stream().allMatch(l -> l.contains("echo-request") && l.contains("no-bib")), r.out());
        Run json = run("translate", "-c", nat64.toString(), "-i", capture.toString(), "--explain=json", "--quiet");
        assertTrue(json.out().lines().skip(2).findFirst().orElseThrow().contains("\"nat64\":\"BIB icmp ["), json.out());
    }

    @Test
    void explainJsonIsOneObjectPerPacket() {
        Run r = run("translate", "-c", CONFIG.toString(), "-i", CAPTURE.toString(), "--explain=json", "--quiet");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(37, lines.size());
        for (String l : lines) {
            assertTrue(l.startsWith("{\"record\":") && l.endsWith("]}"), l);
        }
        assertTrue(lines.get(0).contains("\"verdict\":\"dropped\",\"reason\":\"multicast\""), lines.get(0));
        assertTrue(lines.get(2).contains("\"verdict\":\"translated\",\"reason\":null"), lines.get(2));
    }

    @Test
    void truncatedCaptureNamesTheRecordAndKeepsEverythingBefore() throws IOException {
        byte[] whole = Files.readAllBytes(CAPTURE);
        Path cut = tmp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 30));
        Path out = tmp.resolve("out.pcap");
        Run r = run("translate", "-c", CONFIG.toString(), "-i", cut.toString(), "-o", out.toString());
        assertEquals(ExitCodes.DATA_ERROR, r.exit(), r.err());
        assertTrue(r.err().contains("record 37"), r.err());
        assertEquals(35, count(out), "the 36 records before the cut give 35 outputs (2 drops, 1 fragmented)");
    }

    @Test
    void badConfigNamesLineAndKeyWithoutStackTrace() throws IOException {
        Path cfg = tmp.resolve("bad.toml");
        Files.writeString(cfg, """
                [siit]
                pool6 = "2001:db8:100::/41"
                """);
        Run r = run("translate", "-c", cfg.toString(), "-i", CAPTURE.toString(), "--explain");
        assertEquals(ExitCodes.CONFIG_ERROR, r.exit());
        assertTrue(r.err().contains("bad.toml:2: siit.pool6"), r.err());
        assertTrue(!r.err().contains("Exception"), r.err());
    }

    @Test
    void missingInputIsReported() {
        Run r = run("translate", "-c", CONFIG.toString(), "-i", tmp.resolve("nope.pcap").toString(), "--explain");
        assertEquals(ExitCodes.NO_INPUT, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }

    @Test
    void versionAndHelp() {
        assertEquals(0, run("--version").exit());
        Run h = run("translate", "--help");
        assertEquals(0, h.exit());
    }
}
