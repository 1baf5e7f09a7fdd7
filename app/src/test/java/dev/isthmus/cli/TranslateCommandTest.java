package dev.isthmus.cli;

import static dev.isthmus.wire.HexText.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.config.ConfigLoader;
import dev.isthmus.config.Nat64Config;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.pcap.CaptureReader;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.PacketTranslator;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
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

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
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
     * [nat64] section; pool4 ports are allocated deterministically (here the client's own, all
     * free: RFC 6146 §3.5.1.1), so the offline run rebuilds the same BIB entries and every IPv4
     * reply finds its session (RFC 6146 §3.5).
     */
    @Test
    void explainsTheStatefulNat64StateBuiltFromTheCapture() {
        Path nat64 = EXAMPLES.resolve("nat64.toml");
        Path capture = EXAMPLES.resolve("nat64.pcap");
        Run r = run("translate", "-c", nat64.toString(), "-i", capture.toString(), "--explain");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(34, lines.size(), r.out());
        // The first echo request makes the client's ICMP BIB entry, keeping its identifier, and its session.
        assertTrue(lines.get(1).matches(".*nat64 BIB icmp \\[2001:db8:6::2]:13952 <-> 192\\.0\\.2\\.2:13952 \\(new\\),"
                + " session with 198\\.51\\.100\\.2:0 \\(new\\).*translated -> IPv4 192\\.0\\.2\\.2 > 198\\.51\\.100\\.2 ICMP.*"),
                lines.get(1));
        assertTrue(lines.get(1).contains("src NAT64 BIB entry, dst pool6 2001:db8:64::/96"), lines.get(1));
        // Its reply, to the identifier the live translator chose, finds the same entry.
        assertTrue(lines.get(2).contains("nat64 BIB icmp [2001:db8:6::2]:13952 <-> 192.0.2.2:13952, session with")
                && lines.get(2).contains("translated -> IPv6"), lines.get(2));
        // A TCP SYN from the IPv6 side opens a session in V6 INIT; the SYN|ACK makes it ESTABLISHED
        // (RFC 6146 §3.5.2.2).
        assertTrue(lines.get(7).contains("nat64 BIB tcp") && lines.get(7).contains("V6 INIT"), lines.get(7));
        assertTrue(lines.get(8).contains("ESTABLISHED") && lines.get(8).contains("translated -> IPv6"), lines.get(8));
        // ICMPv4 errors are matched to the session through the packet they quote (RFC 6146 §3.5).
        assertTrue(lines.get(28).contains("dest-unreachable/3") && lines.get(28).contains("translated -> IPv6"),
                lines.get(28));
        // Only the server's own pings, to a (T,t) with no BIB entry, are refused (RFC 6146 §3.5.3).
        List<String> refused = lines.stream().filter(l -> l.contains("dropped: nat64-refused")).toList();
        assertEquals(2, refused.size(), r.out());
        assertTrue(refused.stream().allMatch(l -> l.contains("echo-request") && l.contains("no-bib")), r.out());
        Run json = run("translate", "-c", nat64.toString(), "-i", capture.toString(), "--explain=json", "--quiet");
        assertTrue(json.out().lines().skip(1).findFirst().orElseThrow().contains("\"nat64\":\"BIB icmp ["), json.out());
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

    // ---- captures built in the test ------------------------------------------------------

    /** One record: its time in µs since 1970, its bytes, and the frame's length on the wire. */
    record Frame(long micros, byte[] data, int originalLength) {
        Frame(long micros, byte[] data) {
            this(micros, data, data.length);
        }
    }

    /** A classic pcap file (little-endian, microseconds) of {@code linkType} holding {@code frames}. */
    private Path capture(String name, int linkType, Frame... frames) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + Arrays.stream(frames).mapToInt(f -> 16 + f.data().length).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144)
                .putInt(linkType);
        for (Frame f : frames) {
            b.putInt((int) (f.micros() / 1_000_000)).putInt((int) (f.micros() % 1_000_000)).putInt(f.data().length)
                    .putInt(f.originalLength()).put(f.data());
        }
        return Files.write(tmp.resolve(name), b.array());
    }

    private Path config(String toml) throws IOException {
        return Files.writeString(tmp.resolve("isthmus.toml"), toml);
    }

    /** The records of a pcap file: time in µs and bytes as hex. */
    private static List<String> records(Path pcap) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        try (CaptureReader r = CaptureReader.open(pcap)) {
            PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
            while (r.next(b)) {
                out.add(r.timestampNanos() / 1000 + " " + HexFormat.of().formatHex(b.toArray()));
            }
        }
        return out;
    }

    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;

    /** ARP who-has 192.0.2.2 tell 192.0.2.1, broadcast: no IP packet in it (RFC 826). */
    private static final byte[] ARP = hex("""
            ff ff ff ff   # Ethernet destination ff:ff:ff:ff:ff:ff
            ff ff 02 00   # source 02:00:00:00:00:01
            00 00 00 01
            08 06 00 01   # EtherType 0x0806 ARP; hardware type 1 (Ethernet)
            08 00 06 04   # protocol type IPv4, hardware length 6, protocol length 4
            00 01 02 00   # operation 1 (request), sender hardware address 02:00:00:00:00:01
            00 00 00 01
            c0 00 02 01   # sender protocol address 192.0.2.1
            00 00 00 00   # target hardware address (unknown)
            00 00 c0 00   # target protocol address 192.0.2.2
            02 02
            """);

    /** Ethernet, then IPv4 / UDP 198.51.100.2:53 → 192.0.2.2:1234 "pong", checksums valid. */
    private static final byte[] ETHERNET_IPV4_UDP = hex("""
            02 00 00 00   # Ethernet destination 02:00:00:00:00:01
            00 01 02 00   # source 02:00:00:00:00:02
            00 00 00 02
            08 00 45 00   # EtherType 0x0800 IPv4; version 4, IHL 5, TOS 0
            00 20 12 34   # total length 32, identification 0x1234
            00 00 40 11   # no flags, offset 0; TTL 64, protocol 17 (UDP)
            7c 61 c6 33   # header checksum; source 198.51.100.2
            64 02 c0 00   # destination 192.0.2.2
            02 02 00 35   # UDP source port 53
            04 d2 00 0c   # destination port 1234, length 12
            2f c0 70 6f   # checksum; payload "pong"
            6e 67
            """);

    /**
     * A record that is not an IP packet is counted and explained, not passed over in silence: an
     * ARP frame, a frame cut inside its Ethernet header, then a translated packet and another ARP
     * frame after the last IP packet.
     */
    @Test
    void everyRecordHasAnExplainLineSkippedOnesTheirReason() throws IOException {
        Path in = capture("skips.pcap", LINKTYPE_ETHERNET,
                new Frame(1_000_000, ARP),
                new Frame(2_000_000, Arrays.copyOf(ARP, 10), 42),
                new Frame(3_000_000, ETHERNET_IPV4_UDP),
                new Frame(4_000_000, ARP));
        Run r = run("translate", "-c", CONFIG.toString(), "-i", in.toString(), "--explain");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of(
                "#1 skipped: not-ip (the frame carries neither IPv4 nor IPv6, e.g. ARP or LLDP), LINKTYPE_ETHERNET, 42 bytes",
                "#2 skipped: link-header-truncated (the captured bytes end inside the link-layer header),"
                        + " LINKTYPE_ETHERNET, 10 bytes"),
                lines.subList(0, 2));
        assertTrue(lines.get(2).startsWith("#3 IPv4 198.51.100.2 > 192.0.2.2 UDP") && lines.get(2).contains("translated"),
                lines.get(2));
        assertTrue(lines.get(3).startsWith("#4 skipped: not-ip"), lines.get(3));
        assertEquals(4, lines.size(), r.out());
        assertTrue(r.err().contains("1 IP packets in (3 non-IP frames skipped)"), r.err());

        Run json = run("translate", "-c", CONFIG.toString(), "-i", in.toString(), "--explain=json", "--quiet");
        assertEquals("{\"record\":2,\"verdict\":\"skipped\",\"reason\":\"link-header-truncated\",\"description\":"
                + "\"the captured bytes end inside the link-layer header\",\"link_type\":\"LINKTYPE_ETHERNET\","
                + "\"captured_length\":10}", json.out().lines().skip(1).findFirst().orElseThrow());
    }

    /** Stateful NAT64 with a static BIB entry for the client's TCP port 40000 (RFC 6146 §3.1). */
    private static final String NAT64_CONFIG = """
            [nat64]
            pool6 = "2001:db8:64::/96"
            [[nat64.pool4]]
            prefix = "192.0.2.2/32"
            [[nat64.bib]]
            protocol = "tcp"
            ipv6 = "[2001:db8::1]:40000"
            ipv4 = "192.0.2.2:40000"
            """;

    /**
     * The NAT64's FTP ALG (RFC 6384, on by default for port 21) offline: the explain line of each
     * packet it rewrote says what it did.
     */
    @Test
    void explainsWhatTheFtpAlgRewrote() throws IOException {
        Frame synV6 = new Frame(100_000_000, hex("""
                60 00 00 00   # IPv6 SYN (X',40000) -> (Pref64::Z,21), seq 0x1000
                00 14 06 40
                20 01 0d b8
                00 00 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8
                00 64 00 00
                00 00 00 00
                c6 33 64 07
                9c 40 00 15   # TCP ports
                00 00 10 00
                00 00 00 00
                50 02 fa f0
                82 8a 00 00
                """));
        Frame synAck = new Frame(100_010_000, hex("""
                45 00 00 28   # IPv4 SYN ACK (Z,21) -> (T,40000), seq 0x5000
                00 01 40 00
                40 06 4e 92
                c6 33 64 07
                c0 00 02 02
                00 15 9c 40   # TCP ports
                00 00 50 00
                00 00 10 01
                50 12 fa f0
                cc 4d 00 00
                """));
        Frame greeting = new Frame(100_020_000, hex("""
                45 00 00 33   # IPv4 "220 ready\\r\\n", seq 0x5001
                00 02 40 00
                40 06 4e 86
                c6 33 64 07
                c0 00 02 02
                00 15 9c 40   # TCP ports
                00 00 50 01
                00 00 10 01
                50 18 fa f0
                13 12 00 00
                32 32 30 20   # payload
                72 65 61 64
                79 0d 0a
                """));
        Frame epsv = new Frame(100_030_000, hex("""
                60 00 00 00   # IPv6 "EPSV\\r\\n", seq 0x1001, ack 0x500c
                00 1a 06 40
                20 01 0d b8
                00 00 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8
                00 64 00 00
                00 00 00 00
                c6 33 64 07
                9c 40 00 15   # TCP ports
                00 00 10 01
                00 00 50 0c
                50 18 fa f0
                8c b0 00 00
                45 50 53 56   # payload
                0d 0a
                """));
        Frame reply227 = new Frame(100_040_000, hex("""
                45 00 00 5a   # IPv4 "227 Entering Passive Mode (198,51,100,7,19,137).\\r\\n", seq 0x500c
                00 03 40 00
                40 06 4e 5e
                c6 33 64 07
                c0 00 02 02
                00 15 9c 40   # TCP ports
                00 00 50 0c
                00 00 10 07
                50 18 fa f0
                49 7b 00 00
                32 32 37 20   # payload
                45 6e 74 65
                72 69 6e 67
                20 50 61 73
                73 69 76 65
                20 4d 6f 64
                65 20 28 31
                39 38 2c 35
                31 2c 31 30
                30 2c 37 2c
                31 39 2c 31
                33 37 29 2e
                0d 0a
                """));
        Path in = capture("ftp.pcap", LINKTYPE_RAW, synV6, synAck, greeting, epsv, reply227);
        Run r = run("translate", "-c", config(NAT64_CONFIG).toString(), "-i", in.toString(), "--explain");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(5, lines.size(), r.out());
        assertTrue(lines.get(3).contains("| ftp-alg: EPSV") && lines.get(3).contains("PASV"), lines.get(3));
        assertTrue(lines.get(4).contains("| ftp-alg: 227 -> 229 (port 5001)"), lines.get(4));
        assertFalse(lines.get(2).contains("ftp-alg"), lines.get(2));
        Run json = run("translate", "-c", config(NAT64_CONFIG).toString(), "-i", in.toString(), "--explain=json",
                "--quiet");
        assertTrue(json.out().lines().toList().get(4).contains("\"ftp_alg\":\"ftp-alg: 227 -> 229"), json.out());
    }

    /**
     * RFC 5382 REQ-4 and RFC 6146 §3.5.2.2 offline: the capture's timestamps are the clock, so the
     * ICMPv4 3/3 for an IPv4 SYN that no IPv6 SYN answered, and the probe of a session idle for
     * TCP_EST, are written out at the sweep that sends them (once a second of capture time, as
     * live), between the records they fall due between, each with an explain line.
     */
    @Test
    void timerPacketsAreWrittenWhenTheyFallDue() throws IOException {
        Frame synV6 = new Frame(100_000_000, hex("""
                60 00 00 00   # IPv6, traffic class 0, flow label 0
                00 14 06 40   # payload length 20, next header TCP, hop limit 64
                20 01 0d b8   # source 2001:db8::1 (X')
                00 00 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:64::c633:6407 (Y' = pool6 + 198.51.100.7)
                00 64 00 00
                00 00 00 00
                c6 33 64 07
                9c 40 00 50   # TCP source port 40000, destination port 80
                00 00 00 01   # sequence number 1
                00 00 00 00   # acknowledgment number 0
                50 02 ff ff   # data offset 5, flags SYN, window 65535
                8d 3f 00 00   # checksum, urgent pointer
                """));
        Frame synAck = new Frame(100_010_000, hex("""
                45 00 00 28   # IPv4, IHL 5, TOS 0, total length 40
                00 01 40 00   # identification 1, DF
                40 06 4e 92   # TTL 64, protocol TCP, header checksum
                c6 33 64 07   # source 198.51.100.7 (Z)
                c0 00 02 02   # destination 192.0.2.2 (T)
                00 50 9c 40   # TCP source port 80, destination port 40000
                00 00 03 e8   # sequence number 1000
                00 00 00 02   # acknowledgment number 2
                50 12 ff ff   # data offset 5, flags SYN|ACK, window 65535
                23 1b 00 00   # checksum, urgent pointer
                """));
        byte[] heldSyn = hex("""
                45 00 00 28   # IPv4, IHL 5, TOS 0, total length 40
                00 02 40 00   # identification 2, DF
                40 06 4e 91   # TTL 64, protocol TCP, header checksum
                c6 33 64 07   # source 198.51.100.7 (Z)
                c0 00 02 02   # destination 192.0.2.2 (T)
                00 50 9c 41   # TCP source port 80, destination port 40001: no BIB entry
                00 00 13 88   # sequence number 5000
                00 00 00 00   # acknowledgment number 0
                50 02 ff ff   # data offset 5, flags SYN, window 65535
                13 8c 00 00   # checksum, urgent pointer
                """);
        Frame laterUdp = new Frame(7_400_000_000L, hex("""
                60 00 00 00   # IPv6, traffic class 0, flow label 0
                00 0c 11 40   # payload length 12, next header UDP, hop limit 64
                20 01 0d b8   # source 2001:db8::1
                00 00 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:64::c633:6407
                00 64 00 00
                00 00 00 00
                c6 33 64 07
                9c 42 c3 50   # UDP source port 40002, destination port 50000 (not DNS: "ping" is no DNS message)
                00 0c 3b 60   # UDP length 12, checksum
                70 69 6e 67   # payload "ping"
                """));
        Path in = capture("timers.pcap", LINKTYPE_RAW, synV6, synAck, new Frame(101_000_000, heldSyn), laterUdp);
        Files.createDirectories(PCAP_DIR);
        Path out = PCAP_DIR.resolve("cli-nat64-timers.pcap");
        Run r = run("translate", "-c", config(NAT64_CONFIG).toString(), "-i", in.toString(), "-o", out.toString(),
                "--explain");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(6, lines.size(), r.out());
        assertTrue(lines.get(1).contains("ESTABLISHED"), lines.get(1));
        assertTrue(lines.get(2).startsWith("#3 ") && lines.get(2).contains("syn-stored"), lines.get(2));
        assertTrue(lines.get(3).startsWith("timer: ICMPv4 3/3 for the SYN held since #3 (RFC 5382 REQ-4) -> IPv4"
                + " 192.0.2.2 > 198.51.100.7 ICMP"), lines.get(3));
        assertTrue(lines.get(4).startsWith("timer: TCP probe of an idle ESTABLISHED session (RFC 6146 §3.5.2.2) -> IPv6"
                + " 2001:db8:64::c633:6407 > 2001:db8::1 TCP"), lines.get(4));
        assertTrue(lines.get(5).startsWith("#4 "), lines.get(5));
        assertTrue(r.err().contains("4 IP packets in (0 non-IP frames skipped), 5 packets out (2 sent by the NAT64"
                + " timers)"), r.err());

        List<String> written = records(out);
        assertEquals(5, written.size(), written::toString);
        // TCP_INCOMING_SYN (6 s) after the SYN at 101 s runs out at 107.02 s (the table counts
        // in ticks of 2^24 ns and never early); the sweep at 108 s sends the error.
        assertEquals("108000000 " + HexFormat.of().formatHex(concat(hex("""
                45 00 00 44   # IPv4, IHL 5, TOS 0, total length 68
                00 00 00 00   # identification 0, no flags
                40 01 8e 7c   # TTL 64, protocol ICMP, header checksum
                c0 00 02 02   # source 192.0.2.2 (T, where the SYN was sent)
                c6 33 64 07   # destination 198.51.100.7 (Z)
                03 03 e9 54   # ICMP Destination Unreachable, Port Unreachable, checksum
                00 00 00 00   # unused
                """), heldSyn)), written.get(2));
        // TCP_EST (2 h) after the SYN|ACK at 100.01 s: the sweep at 7301 s probes (RFC 6146 §3.5.2.2).
        assertEquals("7301000000 " + HexFormat.of().formatHex(hex("""
                60 00 00 00   # IPv6, traffic class 0, flow label 0
                00 14 06 40   # payload length 20, next header TCP, hop limit 64
                20 01 0d b8   # source 2001:db8:64::c633:6407 (Y')
                00 64 00 00
                00 00 00 00
                c6 33 64 07
                20 01 0d b8   # destination 2001:db8::1 (X')
                00 00 00 00
                00 00 00 00
                00 00 00 01
                00 50 9c 40   # TCP source port 80, destination port 40000
                00 00 00 00   # sequence number 0
                00 00 00 00   # acknowledgment number 0
                50 10 00 00   # data offset 5, flags ACK, window 0
                8d 32 00 00   # checksum, urgent pointer
                """)), written.get(3));
        assertTrue(written.get(4).startsWith("7400000000 45"), written.get(4));

        Run json = run("translate", "-c", config(NAT64_CONFIG).toString(), "-i", in.toString(), "--explain=json",
                "--quiet");
        assertTrue(json.out().lines().skip(3).findFirst().orElseThrow().startsWith(
                "{\"timer\":\"syn-unreachable\",\"held_since\":3,\"description\":\"ICMPv4 3/3 for the SYN held since #3"
                + " (RFC 5382 REQ-4)\",\"out\":[{\"family\":\"IPv4\""), json.out());
    }

    /**
     * 1340 bytes of IPv6 / UDP 2001:db8::1:40000 → 2001:db8:64::c633:6407:9: the headers, then 1292
     * zero bytes of payload (Arrays.copyOf pads with zeros). Translated it would be 1320 bytes of
     * IPv4 with DF set (RFC 7915 §5.1: above 1260 bytes).
     */
    private static final byte[] BIG_UDP = Arrays.copyOf(hex("""
            60 00 00 00   # IPv6, traffic class 0, flow label 0
            05 14 11 40   # payload length 1300, next header UDP, hop limit 64
            20 01 0d b8   # source 2001:db8::1
            00 00 00 00
            00 00 00 00
            00 00 00 01
            20 01 0d b8   # destination 2001:db8:64::c633:6407 (198.51.100.7 in pool6)
            00 64 00 00
            00 00 00 00
            c6 33 64 07
            9c 40 00 09   # UDP source port 40000, destination port 9
            05 14 d3 6a   # UDP length 1300, checksum (over the zero payload)
            """), 1340);

    /** What the translator answers BIG_UDP with when ipv4-mtu is 1300: its first 48 bytes. */
    private static final String PACKET_TOO_BIG_1320 = HexFormat.of().formatHex(hex("""
            60 00 00 00   # IPv6, traffic class 0, flow label 0
            04 d8 3a 40   # payload length 1240, next header ICMPv6, hop limit 64
            20 01 0d b8   # source 2001:db8:64::c000:202, the translator (pool6 + 192.0.2.2)
            00 64 00 00
            00 00 00 00
            c0 00 02 02
            20 01 0d b8   # destination 2001:db8::1, the sender
            00 00 00 00
            00 00 00 00
            00 00 00 01
            02 00 64 bc   # ICMPv6 Packet Too Big, code 0, checksum
            00 00 05 28   # MTU 1320 = ipv4-mtu + 20
            """));

    private static final String NAT64_MTU_CONFIG = """
            [nat64]
            pool6 = "2001:db8:64::/96"
            ipv4-mtu = 1300
            [[nat64.pool4]]
            prefix = "192.0.2.2/32"
            """;

    /**
     * RFC 7915 §5 ("MUST send a Packet Too Big error message ... when the packet size exceeds the
     * MTU of the next-hop interface") under [nat64], in both data planes. Live: the translator
     * {@code isthmus run} gives its workers (Nat64Service's factory, on the config's settings)
     * answers BIG_UDP with Packet Too Big 2/0 reporting ipv4-mtu + 20, quoting the packet up to
     * the IPv6 minimum MTU (RFC 4443 §2.4(c)).
     */
    @Test
    void ipv4MtuUnderNat64MakesPacketTooBigLive() throws Exception {
        Nat64Config n = ConfigLoader.parse(NAT64_MTU_CONFIG, "t.toml").nat64();
        try (Nat64Service live = Nat64Service.start(n.table(), n.statics(), n.toXlatSettings(), null)) {
            PacketTranslator t = live.translatorFactory().create(new XlatCounters());
            PacketBuffer pkt = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
            pkt.load(BIG_UDP);
            List<byte[]> out = new java.util.ArrayList<>();
            assertEquals(Verdict.ICMP_ERROR, t.translate(pkt, (seg, off, len) ->
                    out.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE))));
            assertEquals(DropReason.PACKET_TOO_BIG, t.trace().reason());
            assertEquals(1, out.size());
            byte[] ptb = out.getFirst();
            assertEquals(1280, ptb.length);
            assertEquals(PACKET_TOO_BIG_1320, HexFormat.of().formatHex(Arrays.copyOf(ptb, 48)));
            assertArrayEquals(Arrays.copyOf(BIG_UDP, 1280 - 48), Arrays.copyOfRange(ptb, 48, 1280));
        }
    }

    /** The same offline: {@code isthmus translate} writes the same Packet Too Big. */
    @Test
    void ipv4MtuUnderNat64MakesPacketTooBigOffline() throws IOException {
        Path in = capture("big.pcap", LINKTYPE_RAW, new Frame(1_000_000, BIG_UDP));
        Files.createDirectories(PCAP_DIR);
        Path out = PCAP_DIR.resolve("cli-nat64-ipv4-mtu.pcap");
        Run r = run("translate", "-c", config(NAT64_MTU_CONFIG).toString(), "-i", in.toString(), "-o", out.toString(),
                "--explain");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("dropped: packet-too-big"), r.out());
        List<String> written = records(out);
        assertEquals(1, written.size(), written::toString);
        assertTrue(written.getFirst().startsWith("1000000 " + PACKET_TOO_BIG_1320), written.getFirst());
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
