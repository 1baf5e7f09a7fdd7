package dev.isthmus.wire.pcap;

import static dev.isthmus.wire.pcap.CaptureBytes.IPV4_UDP;
import static dev.isthmus.wire.pcap.CaptureBytes.IPV6_UDP;
import static dev.isthmus.wire.pcap.CaptureBytes.concat;
import static dev.isthmus.wire.pcap.CaptureBytes.hex;
import static dev.isthmus.wire.pcap.CaptureBytes.hexOf;
import static dev.isthmus.wire.pcap.CaptureBytes.open;
import static dev.isthmus.wire.pcap.CaptureBytes.pcapLe;
import static dev.isthmus.wire.pcap.CaptureBytes.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.pcap.CaptureBytes.Read;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Classic pcap files (draft-ietf-opsawg-pcap §4, §5) and the link layers decoded from them. */
class CaptureReaderPcapTest {

    private static final String V4 = hexOf(hex(IPV4_UDP));
    private static final String V6 = hexOf(hex(IPV6_UDP));

    /** 2023-11-14T22:13:20Z, the timestamp of the hand-built records. */
    private static final long T0 = 1_700_000_000L * 1_000_000_000L;

    // ---------------------------------------------------------------- file framing

    @Test
    void littleEndianMicroseconds() throws IOException {
        byte[] file = hex("""
                d4 c3 b2 a1   # magic 0xa1b2c3d4 little-endian: microsecond timestamps
                02 00 04 00   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 00 04 00   # snap length 262144
                65 00 00 00   # link type 101 (RAW)
                00 f1 53 65   # record 1: seconds 1700000000
                40 e2 01 00   #   microseconds 123456
                20 00 00 00   #   captured length 32
                20 00 00 00   #   original length 32
                """ + IPV4_UDP + """
                00 f1 53 65   # record 2: seconds 1700000000
                41 e2 01 00   #   microseconds 123457
                34 00 00 00   #   captured length 52
                34 00 00 00   #   original length 52
                """ + IPV6_UDP);
        try (CaptureReader r = open(file)) {
            assertEquals(CaptureFormat.PCAP_MICROS, r.format());
            assertEquals(List.of(
                    new Read(1, T0 + 123_456_000L, LinkType.RAW, 0, 32, false, 4, V4),
                    new Read(2, T0 + 123_457_000L, LinkType.RAW, 0, 52, false, 6, V6)), readAll(r));
            assertEquals(0, r.skippedCount());
        }
    }

    @Test
    void bigEndianMicroseconds() throws IOException {
        byte[] file = hex("""
                a1 b2 c3 d4   # magic 0xa1b2c3d4 big-endian: microsecond timestamps
                00 02 00 04   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 00 ff ff   # snap length 65535
                00 00 00 65   # link type 101 (RAW)
                65 53 f1 00   # record 1: seconds 1700000000
                00 01 e2 40   #   microseconds 123456
                00 00 00 34   #   captured length 52
                00 00 00 34   #   original length 52
                """ + IPV6_UDP);
        try (CaptureReader r = open(file)) {
            assertEquals(CaptureFormat.PCAP_MICROS, r.format());
            assertEquals(List.of(new Read(1, T0 + 123_456_000L, LinkType.RAW, 0, 52, false, 6, V6)), readAll(r));
        }
    }

    @Test
    void littleEndianNanoseconds() throws IOException {
        byte[] file = hex("""
                4d 3c b2 a1   # magic 0xa1b23c4d little-endian: nanosecond timestamps
                02 00 04 00   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 00 04 00   # snap length 262144
                65 00 00 00   # link type 101 (RAW)
                00 f1 53 65   # record 1: seconds 1700000000
                15 cd 5b 07   #   nanoseconds 123456789
                20 00 00 00   #   captured length 32
                20 00 00 00   #   original length 32
                """ + IPV4_UDP);
        try (CaptureReader r = open(file)) {
            assertEquals(CaptureFormat.PCAP_NANOS, r.format());
            assertEquals(List.of(new Read(1, T0 + 123_456_789L, LinkType.RAW, 0, 32, false, 4, V4)), readAll(r));
        }
    }

    @Test
    void bigEndianNanoseconds() throws IOException {
        byte[] file = hex("""
                a1 b2 3c 4d   # magic 0xa1b23c4d big-endian: nanosecond timestamps
                00 02 00 04   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 04 00 00   # snap length 262144
                00 00 00 e5   # link type 229 (IPV6)
                65 53 f1 00   # record 1: seconds 1700000000
                07 5b cd 15   #   nanoseconds 123456789
                00 00 00 34   #   captured length 52
                00 00 05 dc   #   original length 1500: the capture kept 52 bytes
                """ + IPV6_UDP);
        try (CaptureReader r = open(file)) {
            assertEquals(CaptureFormat.PCAP_NANOS, r.format());
            assertEquals(List.of(new Read(1, T0 + 123_456_789L, LinkType.IPV6, 0, 1500, true, 6, V6)), readAll(r));
            assertEquals(52, r.capturedLength());
        }
    }

    /** draft-ietf-opsawg-pcap §4: the upper bits of the LinkType word carry the FCS length, not the type. */
    @Test
    void fcsBitsAboveTheLinkTypeAreIgnored() throws IOException {
        byte[] file = hex("""
                d4 c3 b2 a1   # magic, little-endian microseconds
                02 00 04 00   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 00 04 00   # snap length 262144
                01 00 00 34   # link type 1 (ETHERNET); f bit set, FCS length 2 words
                00 00 00 00   # record 1: seconds 0
                00 00 00 00   #   microseconds 0
                32 00 00 00   #   captured length 50
                32 00 00 00   #   original length 50
                02 00 00 00   # destination 02:00:00:00:00:02
                00 02 02 00   # source 02:00:00:00:00:01
                00 00 00 01
                08 00         # EtherType IPv4
                """ + IPV4_UDP + """
                de ad be ef   # FCS, cut off by the IPv4 total length
                """);
        try (CaptureReader r = open(file)) {
            assertEquals(List.of(new Read(1, 0, LinkType.ETHERNET, 0, 50, false, 4, V4)), readAll(r));
        }
    }

    @Test
    void openReadsAFileAndHeaderOnlyFileHasNoPackets(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("empty.pcap");
        Files.write(p, pcapLe(LinkType.RAW));
        try (CaptureReader r = CaptureReader.open(p)) {
            assertFalse(r.next(PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY)));
            assertFalse(r.next(PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY)));
            assertEquals(0, r.recordNumber());
        }
    }

    /**
     * A real {@code tcpdump -i any} capture (a copy of examples/mixed.pcap, made by
     * examples/make-capture.sh): Linux cooked v2 frames, IPv4 and IPv6 mixed.
     */
    @Test
    void readsRealTcpdumpAnyCapture() throws IOException, URISyntaxException {
        Path file = Path.of(getClass().getResource("/pcap/tcpdump-any-sll2.pcap").toURI());
        PacketBuffer pb = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        int[] versions = new int[7];
        long last = 0;
        try (CaptureReader r = CaptureReader.open(file)) {
            assertTrue(r.next(pb));
            assertEquals(1_795_588_588_661_195_000L, r.timestampNanos());
            assertEquals(LinkType.LINUX_SLL2, r.linkType());
            assertEquals(116, r.originalLength());
            assertEquals("6000000000380001", hexOf(pb.toArray()).substring(0, 16));
            do {
                byte[] p = pb.toArray();
                int version = (p[0] & 0xff) >>> 4;
                versions[version]++;
                assertEquals(version, r.ipVersion());
                // The whole IP packet and nothing more: RFC 791 Total Length / RFC 8200 Payload Length.
                int stated = version == 4
                        ? (p[2] & 0xff) << 8 | (p[3] & 0xff)
                        : 40 + ((p[4] & 0xff) << 8 | (p[5] & 0xff));
                assertEquals(stated, p.length, "record " + r.recordNumber());
                assertEquals(r.originalLength() - 20, p.length, "SLL2 header is 20 bytes");
                assertTrue(r.timestampNanos() >= last);
                last = r.timestampNanos();
            } while (r.next(pb));
            assertEquals(37, r.recordNumber());
            assertEquals(0, r.skippedCount());
        }
        assertEquals(15, versions[4]);
        assertEquals(22, versions[6]);
    }

    // ---------------------------------------------------------------- link layers

    private static final String ETH_V4 = """
            02 00 00 00   # destination 02:00:00:00:00:02
            00 02 02 00   # source 02:00:00:00:00:01
            00 00 00 01
            08 00         # EtherType IPv4
            """;

    /** Two tags, service (802.1ad) outside customer (802.1Q), as a QinQ access network sends. */
    private static final String ETH_QINQ_V6 = """
            02 00 00 00   # destination 02:00:00:00:00:02
            00 02 02 00   # source 02:00:00:00:00:01
            00 00 00 01
            88 a8 00 64   # TPID 0x88a8 (802.1ad S-tag), PCP 0, VID 100
            81 00 00 0a   # TPID 0x8100 (802.1Q C-tag), PCP 0, VID 10
            86 dd         # EtherType IPv6
            """;

    private static final String ETH_ARP = """
            ff ff ff ff   # destination broadcast
            ff ff 02 00   # source 02:00:00:00:00:01
            00 00 00 01
            08 06         # EtherType ARP
            00 01 08 00   # hardware type Ethernet, protocol type IPv4
            06 04 00 01   # hardware size 6, protocol size 4, opcode request
            02 00 00 00   # sender MAC 02:00:00:00:00:01
            00 01 c0 00   # sender IP 192.0.2.1
            02 01 00 00   # target MAC 00:00:00:00:00:00
            00 00 00 00
            c0 00 02 02   # target IP 192.0.2.2
            """;

    private static final String ETH_LLDP = """
            01 80 c2 00   # destination 01:80:c2:00:00:0e (nearest bridge)
            00 0e 02 00   # source 02:00:00:00:00:01
            00 00 00 01
            88 cc         # EtherType LLDP
            02 07 04 02   # TLV chassis ID, length 7, subtype MAC address
            00 00 00 00
            01 00 00      # ..., end of LLDPDU TLV
            """;

    private static final String SLL_V4 = """
            00 00 00 01   # packet type 0 (to us), ARPHRD_ETHER
            00 06 02 00   # address length 6, address 02:00:00:00:00:01
            00 00 00 01
            00 00 08 00   # (address padding), protocol IPv4
            """;

    private static final String SLL2_V6 = """
            86 dd 00 00   # protocol IPv6, reserved
            00 00 00 02   # interface index 2
            00 01 04 06   # ARPHRD_ETHER, packet type 4 (outgoing), address length 6
            02 00 00 00   # address 02:00:00:00:00:01
            00 01 00 00   # (address padding)
            """;

    static Stream<Arguments> ipFrames() {
        return Stream.of(
                Arguments.of("raw IPv4", LinkType.RAW, IPV4_UDP, 4, V4),
                Arguments.of("raw IPv6", LinkType.RAW, IPV6_UDP, 6, V6),
                Arguments.of("DLT_RAW 12", LinkType.DLT_RAW_12, IPV6_UDP, 6, V6),
                Arguments.of("DLT_RAW 14", LinkType.DLT_RAW_14, IPV4_UDP, 4, V4),
                Arguments.of("IPV4", LinkType.IPV4, IPV4_UDP, 4, V4),
                Arguments.of("IPV6", LinkType.IPV6, IPV6_UDP, 6, V6),
                Arguments.of("Ethernet IPv4 padded to the 60-byte minimum frame", LinkType.ETHERNET,
                        ETH_V4 + IPV4_UDP + "00 00 00 00 00 00 00 00 00 00 00 00 00 00  # padding", 4, V4),
                Arguments.of("Ethernet double VLAN IPv6", LinkType.ETHERNET, ETH_QINQ_V6 + IPV6_UDP, 6, V6),
                Arguments.of("Ethernet three tags, 0x9100 outermost", LinkType.ETHERNET, """
                        02 00 00 00   # destination 02:00:00:00:00:02
                        00 02 02 00   # source 02:00:00:00:00:01
                        00 00 00 01
                        91 00 00 05   # TPID 0x9100 (pre-standard QinQ), VID 5
                        88 a8 00 64   # TPID 0x88a8, VID 100
                        81 00 00 0a   # TPID 0x8100, VID 10
                        08 00         # EtherType IPv4
                        """ + IPV4_UDP, 4, V4),
                Arguments.of("Linux cooked v1 IPv4", LinkType.LINUX_SLL, SLL_V4 + IPV4_UDP, 4, V4),
                Arguments.of("Linux cooked v1 802.1Q IPv6", LinkType.LINUX_SLL, """
                        00 00 00 01   # packet type 0 (to us), ARPHRD_ETHER
                        00 06 02 00   # address length 6, address 02:00:00:00:00:01
                        00 00 00 01
                        00 00 81 00   # (address padding), protocol 802.1Q: a tag follows
                        00 0a 86 dd   # VID 10, EtherType IPv6
                        """ + IPV6_UDP, 6, V6),
                Arguments.of("Linux cooked v2 IPv6", LinkType.LINUX_SLL2, SLL2_V6 + IPV6_UDP, 6, V6),
                Arguments.of("NULL AF_INET little-endian host", LinkType.NULL,
                        "02 00 00 00  # family AF_INET (2), little-endian host\n" + IPV4_UDP, 4, V4),
                Arguments.of("NULL AF_INET6 macOS big-endian host", LinkType.NULL,
                        "00 00 00 1e  # family AF_INET6 on Darwin (30), big-endian host\n" + IPV6_UDP, 6, V6),
                Arguments.of("NULL AF_INET6 FreeBSD", LinkType.NULL,
                        "1c 00 00 00  # family AF_INET6 on FreeBSD (28), little-endian host\n" + IPV6_UDP, 6, V6),
                Arguments.of("NULL AF_INET6 Linux", LinkType.NULL,
                        "0a 00 00 00  # family AF_INET6 on Linux (10), little-endian host\n" + IPV6_UDP, 6, V6),
                Arguments.of("LOOP AF_INET6 OpenBSD", LinkType.LOOP,
                        "00 00 00 18  # family AF_INET6 on OpenBSD/NetBSD (24), network order\n" + IPV6_UDP, 6, V6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipFrames")
    void decodesFrameToIpPacket(String name, int linkType, String frame, int version, String ip) throws IOException {
        byte[] f = hex(frame);
        try (CaptureReader r = open(pcapLe(linkType, f))) {
            assertEquals(List.of(new Read(1, 1_000_000_000L, linkType, 0, f.length, false, version, ip)), readAll(r));
        }
    }

    static Stream<Arguments> skippedFrames() {
        return Stream.of(
                Arguments.of("Ethernet ARP", LinkType.ETHERNET, ETH_ARP, SkipReason.NOT_IP),
                Arguments.of("Ethernet LLDP", LinkType.ETHERNET, ETH_LLDP, SkipReason.NOT_IP),
                Arguments.of("Ethernet cut inside the header", LinkType.ETHERNET,
                        "02 00 00 00 00 02 02 00 00 00 00 01 08  # 13 bytes", SkipReason.LINK_HEADER_TRUNCATED),
                Arguments.of("Ethernet cut inside a VLAN tag", LinkType.ETHERNET, """
                        02 00 00 00   # destination 02:00:00:00:00:02
                        00 02 02 00   # source 02:00:00:00:00:01
                        00 00 00 01
                        81 00 00      # TPID 0x8100, tag cut short
                        """, SkipReason.LINK_HEADER_TRUNCATED),
                Arguments.of("raw, version nibble 5", LinkType.RAW, "50 00 00 14  # version 5", SkipReason.NOT_IP),
                Arguments.of("raw, empty record", LinkType.RAW, "", SkipReason.LINK_HEADER_TRUNCATED),
                Arguments.of("Linux cooked v1 ARP", LinkType.LINUX_SLL, """
                        00 01 00 01   # packet type 1 (broadcast), ARPHRD_ETHER
                        00 06 02 00   # address length 6, address 02:00:00:00:00:01
                        00 00 00 01
                        00 00 08 06   # (address padding), protocol ARP
                        """, SkipReason.NOT_IP),
                Arguments.of("Linux cooked v2 cut short", LinkType.LINUX_SLL2, "86 dd 00 00 00 00 00 02",
                        SkipReason.LINK_HEADER_TRUNCATED),
                Arguments.of("NULL AF_APPLETALK", LinkType.NULL, "10 00 00 00  # family 16\n" + IPV4_UDP,
                        SkipReason.NOT_IP),
                Arguments.of("IEEE 802.11 link type", 105, "08 00 00 00", SkipReason.UNSUPPORTED_LINK_TYPE));
    }

    /**
     * Non-IP frames are counted and passed over, not errors; the IP packet behind them still comes
     * out. The skip listener hears of each as it is passed over, with the accessors describing it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("skippedFrames")
    void skipsNonIpFrame(String name, int linkType, String frame, SkipReason reason) throws IOException {
        byte[] ipFrame = linkType == LinkType.ETHERNET ? hex(ETH_V4 + IPV4_UDP)
                : linkType == LinkType.LINUX_SLL ? hex(SLL_V4 + IPV4_UDP)
                : linkType == LinkType.LINUX_SLL2 ? hex(SLL2_V6 + IPV6_UDP)
                : linkType == LinkType.NULL ? hex("02 00 00 00\n" + IPV4_UDP)
                : hex(IPV4_UDP);
        List<String> heard = new ArrayList<>();
        try (CaptureReader r = open(pcapLe(linkType, hex(frame), ipFrame))) {
            r.onSkip(why -> heard.add(why + " #" + r.recordNumber() + " at " + r.timestampNanos() + " link "
                    + r.linkType() + " " + r.capturedLength() + " bytes"));
            List<Read> got = readAll(r);
            assertEquals(reason + " #1 at 1000000000 link " + linkType + " " + hex(frame).length + " bytes",
                    heard.getFirst());
            if (reason == SkipReason.UNSUPPORTED_LINK_TYPE) {
                // Every frame of the file is of that link type.
                assertEquals(List.of(), got);
                assertEquals(2, r.skipped(reason));
                assertEquals(2, r.skippedCount());
            } else {
                assertEquals(1, r.skipped(reason));
                assertEquals(1, r.skippedCount());
                assertEquals(1, got.size());
                assertEquals(2, got.get(0).recordNumber(), "record numbers count skipped frames");
            }
            assertEquals(r.skippedCount(), heard.size(), "one call per skipped record");
        }
    }

    @Test
    void packetLargerThanTheBufferIsSkipped() throws IOException {
        PacketBuffer small = PacketBuffer.heap(PacketBuffer.HEADROOM + 40);
        try (CaptureReader r = open(pcapLe(LinkType.RAW, hex(IPV6_UDP), hex(IPV4_UDP)))) {
            assertTrue(r.next(small));
            assertEquals(2, r.recordNumber());
            assertEquals(V4, hexOf(small.toArray()));
            assertEquals(PacketBuffer.HEADROOM, small.offset());
            assertEquals(1, r.skipped(SkipReason.TOO_LARGE_FOR_BUFFER));
        }
    }

    // ---------------------------------------------------------------- broken files

    static Stream<Arguments> brokenHeaders() {
        return Stream.of(
                Arguments.of("empty file", "", "record 0 (file offset 0): file is empty"),
                Arguments.of("garbage magic", "47 45 54 20 2f 20 48 54 54 50  # \"GET / HTTP\"",
                        "not a pcap or pcapng file: magic 0x47455420"),
                Arguments.of("gzip", "1f 8b 08 00 00 00 00 00", "gzip-compressed"),
                Arguments.of("three bytes", "d4 c3 b2", "3 bytes long"),
                Arguments.of("header cut short", "d4 c3 b2 a1 02 00 04 00 00 00 00 00",
                        "file ends inside the pcap file header (12 of 24 bytes)"),
                Arguments.of("modified pcap", "34 cd b2 a1 02 00 04 00", "modified (Kuznetzov) pcap"),
                Arguments.of("version 3.0", """
                        d4 c3 b2 a1   # magic, little-endian microseconds
                        03 00 00 00   # version 3.0
                        00 00 00 00   # reserved1
                        00 00 00 00   # reserved2
                        00 00 04 00   # snap length 262144
                        65 00 00 00   # link type 101
                        """, "unsupported pcap version 3.0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenHeaders")
    void rejectsBrokenHeader(String name, String file, String message) {
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> open(hex(file)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(0, e.recordNumber());
    }

    @Test
    void rejectsFileThatStartsWithPcapngMagicButBadByteOrderMagic() {
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> open(hex("""
                0a 0d 0d 0a   # block type SHB
                1c 00 00 00   # block total length 28
                01 02 03 04   # byte-order magic: wrong
                """)));
        assertTrue(e.getMessage().contains("byte-order magic is 0x01020304"), e.getMessage());
    }

    static Stream<Arguments> brokenRecords() {
        byte[] ok = pcapLe(LinkType.RAW, hex(IPV4_UDP), hex(IPV6_UDP));
        byte[] okBe = hex("""
                a1 b2 c3 d4   # magic, big-endian microseconds
                00 02 00 04   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 00 00 40   # snap length 64
                00 00 00 65   # link type 101 (RAW)
                00 00 00 01   # record 1: seconds 1
                00 00 00 00   #   microseconds 0
                00 00 00 20   #   captured length 32
                00 00 00 20   #   original length 32
                """ + IPV4_UDP);
        int firstTwo = 24 + 16 + 32 + 16 + 52;
        return Stream.of(
                Arguments.of("file ends inside record 3's header",
                        concat(ok, hex("03 00 00 00 00 00 00 00 20 00  # 10 of 16 header bytes")),
                        3, firstTwo, "file ends inside the record header (10 of 16 bytes)"),
                Arguments.of("file ends inside record 2's data", Arrays.copyOf(ok, ok.length - 1),
                        2, 24 + 16 + 32, "file ends inside the packet data (51 of 52 bytes)"),
                Arguments.of("captured length absurd", concat(ok, hex("""
                        03 00 00 00   # record 3: seconds 3
                        00 00 00 00   #   microseconds 0
                        01 00 04 00   #   captured length 262145
                        01 00 04 00   #   original length 262145
                        """)), 3, firstTwo, "captured length 262145 is larger than the maximum 262144"),
                Arguments.of("captured length negative as signed", concat(ok, hex("""
                        03 00 00 00   # record 3: seconds 3
                        00 00 00 00   #   microseconds 0
                        00 00 00 80   #   captured length 2^31
                        00 00 00 80   #   original length 2^31
                        """)), 3, firstTwo, "captured length 2147483648 is larger"),
                Arguments.of("captured length over the snap length", concat(okBe, hex("""
                        00 00 00 02   # record 2: seconds 2
                        00 00 00 00   #   microseconds 0
                        00 00 00 44   #   captured length 68
                        00 00 00 44   #   original length 68
                        """)), 2, 24 + 16 + 32, "captured length 68 is larger than the file's snapshot length 64"));
    }

    /** The error names the record; every record before it has been returned first. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRecords")
    void rejectsBrokenRecordAfterReturningEarlierOnes(String name, byte[] file, long record, long offset,
            String message) throws IOException {
        List<CaptureFormatException> failure = new ArrayList<>();
        List<Read> got = CaptureBytes.readUntilFailure(file, failure);
        assertEquals(record - 1, got.size());
        assertEquals(1, failure.size(), "no exception");
        CaptureFormatException e = failure.get(0);
        assertEquals(record, e.recordNumber());
        assertEquals(offset, e.fileOffset());
        assertTrue(e.getMessage().startsWith("record " + record + " (file offset " + offset + "): "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void keepsThrowingTheSameFailure() throws IOException {
        byte[] file = Arrays.copyOf(pcapLe(LinkType.RAW, hex(IPV4_UDP)), 24 + 8);
        PacketBuffer pb = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        try (CaptureReader r = open(file)) {
            CaptureFormatException first = assertThrows(CaptureFormatException.class, () -> r.next(pb));
            assertSame(first, assertThrows(CaptureFormatException.class, () -> r.next(pb)));
        }
    }

    @Test
    void closeClosesTheChannelAndIsIdempotent() throws IOException {
        CaptureBytes.TrickleChannel ch = new CaptureBytes.TrickleChannel(pcapLe(LinkType.RAW), 5);
        CaptureReader r = CaptureReader.open(ch);
        r.close();
        r.close();
        assertFalse(ch.isOpen());
        assertThrows(IllegalStateException.class, () -> r.next(PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY)));
    }

    @Test
    void rejectedHeaderClosesTheChannel() {
        CaptureBytes.TrickleChannel ch = new CaptureBytes.TrickleChannel(hex("00 00 00 00"), 5);
        assertThrows(CaptureFormatException.class, () -> CaptureReader.open(ch));
        assertFalse(ch.isOpen());
    }
}
