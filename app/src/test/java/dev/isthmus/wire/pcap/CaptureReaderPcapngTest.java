package dev.isthmus.wire.pcap;

import static dev.isthmus.wire.pcap.CaptureBytes.IPV4_UDP;
import static dev.isthmus.wire.pcap.CaptureBytes.IPV6_UDP;
import static dev.isthmus.wire.pcap.CaptureBytes.concat;
import static dev.isthmus.wire.pcap.CaptureBytes.hex;
import static dev.isthmus.wire.pcap.CaptureBytes.hexOf;
import static dev.isthmus.wire.pcap.CaptureBytes.open;
import static dev.isthmus.wire.pcap.CaptureBytes.readAll;
import static dev.isthmus.wire.pcap.CaptureBytes.readUntilFailure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.pcap.CaptureBytes.Read;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** pcapng files (draft-ietf-opsawg-pcapng §3, §4 and Appendix A). */
class CaptureReaderPcapngTest {

    private static final String V4 = hexOf(hex(IPV4_UDP));
    private static final String V6 = hexOf(hex(IPV6_UDP));

    private static final String ETH_V4 = """
            02 00 00 00   # destination 02:00:00:00:00:02
            00 02 02 00   # source 02:00:00:00:00:01
            00 00 00 01
            08 00         # EtherType IPv4
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

    /** Little-endian section header (28 bytes, no options) and an Ethernet interface 0 (20 bytes). */
    private static final String LE_SHB_IDB_ETHERNET = """
            0a 0d 0d 0a   # block type: Section Header Block
            1c 00 00 00   # block total length 28
            4d 3c 2b 1a   # byte-order magic 0x1a2b3c4d, little-endian
            01 00 00 00   # version 1.0
            ff ff ff ff   # section length -1 (not given)
            ff ff ff ff
            1c 00 00 00   # block total length 28
            01 00 00 00   # block type: Interface Description Block (interface 0)
            14 00 00 00   # block total length 20
            01 00 00 00   # link type 1 (ETHERNET), reserved
            00 00 04 00   # snap length 262144
            14 00 00 00   # block total length 20
            """;

    /**
     * Every block kind in one little-endian section: two interfaces of different link types and
     * timestamp resolutions, the three packet blocks, and four blocks to skip.
     */
    static final String LE_FILE = """
            0a 0d 0d 0a   # block type: Section Header Block
            2c 00 00 00   # block total length 44
            4d 3c 2b 1a   # byte-order magic 0x1a2b3c4d, little-endian
            01 00 00 00   # version 1.0
            ff ff ff ff   # section length -1 (not given)
            ff ff ff ff
            04 00 07 00   # option shb_userappl, length 7
            69 73 74 68   # "isthmus", 1 byte padding
            6d 75 73 00
            00 00 00 00   # opt_endofopt
            2c 00 00 00   # block total length 44

            01 00 00 00   # block type: Interface Description Block (interface 0)
            14 00 00 00   # block total length 20
            01 00 00 00   # link type 1 (ETHERNET), reserved; no if_tsresol: microseconds
            00 00 04 00   # snap length 262144
            14 00 00 00   # block total length 20

            01 00 00 00   # block type: Interface Description Block (interface 1)
            20 00 00 00   # block total length 32
            65 00 00 00   # link type 101 (RAW), reserved
            00 00 00 00   # snap length 0: no limit
            09 00 01 00   # option if_tsresol, length 1
            09 00 00 00   # 10^-9 s (nanoseconds), 3 bytes padding
            00 00 00 00   # opt_endofopt
            20 00 00 00   # block total length 32

            04 00 00 00   # block type: Name Resolution Block, skipped
            10 00 00 00   # block total length 16
            00 00 00 00   # nrb_record_end
            10 00 00 00   # block total length 16

            06 00 00 00   # block type: Enhanced Packet Block (record 1)
            54 00 00 00   # block total length 84
            01 00 00 00   # interface 1
            fe 9c 97 17   # timestamp, high 32 bits: 1700000000123456789 ns
            15 cd 85 3d   # timestamp, low 32 bits
            34 00 00 00   # captured length 52
            34 00 00 00   # original length 52
            """ + IPV6_UDP + """
            54 00 00 00   # block total length 84

            06 00 00 00   # block type: Enhanced Packet Block (record 2)
            50 00 00 00   # block total length 80
            00 00 00 00   # interface 0
            24 0a 06 00   # timestamp, high 32 bits: 1700000000123456 us
            40 22 20 18   # timestamp, low 32 bits
            2e 00 00 00   # captured length 46
            2e 00 00 00   # original length 46
            """ + ETH_V4 + IPV4_UDP + """
            00 00         # padding to 32 bits
            50 00 00 00   # block total length 80

            05 00 00 00   # block type: Interface Statistics Block, skipped
            18 00 00 00   # block total length 24
            00 00 00 00   # interface 0
            24 0a 06 00   # timestamp, high 32 bits
            40 22 20 18   # timestamp, low 32 bits
            18 00 00 00   # block total length 24

            03 00 00 00   # block type: Simple Packet Block (record 3): interface 0, no timestamp
            40 00 00 00   # block total length 64
            2e 00 00 00   # original length 46
            """ + ETH_V4 + IPV4_UDP + """
            00 00         # padding to 32 bits
            40 00 00 00   # block total length 64

            ad 0b 00 00   # block type: Custom Block 0x00000bad, skipped
            14 00 00 00   # block total length 20
            7b 00 00 00   # private enterprise number 123
            01 02 03 04   # custom data
            14 00 00 00   # block total length 20

            02 00 00 00   # block type: Packet Block, obsolete (record 4)
            40 00 00 00   # block total length 64
            01 00 00 00   # interface 1 (16 bits), drops count 0 (16 bits)
            fe 9c 97 17   # timestamp, high 32 bits: 1700000001000000000 ns
            00 ca c4 71   # timestamp, low 32 bits
            20 00 00 00   # captured length 32
            20 00 00 00   # original length 32
            """ + IPV4_UDP + """
            40 00 00 00   # block total length 64

            06 00 00 00   # block type: Enhanced Packet Block (record 5): ARP, skipped
            4c 00 00 00   # block total length 76
            00 00 00 00   # interface 0
            24 0a 06 00   # timestamp, high 32 bits
            40 22 20 18   # timestamp, low 32 bits
            2a 00 00 00   # captured length 42
            2a 00 00 00   # original length 42
            """ + ETH_ARP + """
            00 00         # padding to 32 bits
            4c 00 00 00   # block total length 76
            """;

    private static final List<Read> LE_FILE_PACKETS = List.of(
            new Read(1, 1_700_000_000_123_456_789L, LinkType.RAW, 1, 52, false, 6, V6),
            new Read(2, 1_700_000_000_123_456_000L, LinkType.ETHERNET, 0, 46, false, 4, V4),
            new Read(3, 0, LinkType.ETHERNET, 0, 46, false, 4, V4),
            new Read(4, 1_700_000_001_000_000_000L, LinkType.RAW, 1, 32, false, 4, V4));

    @Test
    void readsEveryBlockKindAcrossTwoInterfaces() throws IOException {
        try (CaptureReader r = open(hex(LE_FILE))) {
            assertEquals(CaptureFormat.PCAPNG, r.format());
            assertEquals(LE_FILE_PACKETS, readAll(r));
            assertEquals(5, r.recordNumber());
            assertEquals(1, r.skipped(SkipReason.NOT_IP));
            assertEquals(1, r.skippedCount());
        }
    }

    /** A binary if_tsresol (2^-10 s) and an if_tsoffset, in a big-endian section. */
    @Test
    void bigEndianSectionWithBinaryResolutionAndOffset() throws IOException {
        byte[] file = hex("""
                0a 0d 0d 0a   # block type: Section Header Block
                00 00 00 1c   # block total length 28
                1a 2b 3c 4d   # byte-order magic 0x1a2b3c4d, big-endian
                00 01 00 00   # version 1.0
                ff ff ff ff   # section length -1 (not given)
                ff ff ff ff
                00 00 00 1c   # block total length 28

                00 00 00 01   # block type: Interface Description Block (interface 0)
                00 00 00 28   # block total length 40
                00 e4 00 00   # link type 228 (IPV4), reserved
                00 00 ff ff   # snap length 65535
                00 09 00 01   # option if_tsresol, length 1
                8a 00 00 00   # 2^-10 s, 3 bytes padding
                00 0e 00 08   # option if_tsoffset, length 8
                00 00 00 00   # +100 s
                00 00 00 64
                00 00 00 28   # block total length 40 (no opt_endofopt: the block ends the list)

                00 00 00 06   # block type: Enhanced Packet Block (record 1)
                00 00 00 40   # block total length 64
                00 00 00 00   # interface 0
                00 00 01 95   # timestamp, high 32 bits: 1700000000.5 s in 1/1024 s
                4f c4 02 00   # timestamp, low 32 bits
                00 00 00 20   # captured length 32
                00 00 00 40   # original length 64
                """ + IPV4_UDP + """
                00 00 00 40   # block total length 64
                """);
        try (CaptureReader r = open(file)) {
            assertEquals(List.of(new Read(1, 1_700_000_100_500_000_000L, LinkType.IPV4, 0, 64, true, 4, V4)),
                    readAll(r));
        }
    }

    /** §3.4: a new section header starts afresh, in its own byte order, with its own interfaces. */
    @Test
    void secondSectionHasItsOwnByteOrderAndInterfaces() throws IOException {
        byte[] file = hex("""
                0a 0d 0d 0a   # block type: Section Header Block
                1c 00 00 00   # block total length 28
                4d 3c 2b 1a   # byte-order magic, little-endian
                01 00 00 00   # version 1.0
                ff ff ff ff   # section length -1 (not given)
                ff ff ff ff
                1c 00 00 00   # block total length 28
                01 00 00 00   # block type: Interface Description Block (interface 0)
                14 00 00 00   # block total length 20
                65 00 00 00   # link type 101 (RAW)
                00 00 00 00   # snap length 0
                14 00 00 00   # block total length 20
                01 00 00 00   # block type: Interface Description Block (interface 1)
                14 00 00 00   # block total length 20
                65 00 00 00   # link type 101 (RAW)
                00 00 00 00   # snap length 0
                14 00 00 00   # block total length 20
                06 00 00 00   # block type: Enhanced Packet Block (record 1)
                40 00 00 00   # block total length 64
                01 00 00 00   # interface 1
                00 00 00 00   # timestamp, high 32 bits
                01 00 00 00   # timestamp, low 32 bits: 1 us
                20 00 00 00   # captured length 32
                20 00 00 00   # original length 32
                """ + IPV4_UDP + """
                40 00 00 00   # block total length 64

                0a 0d 0d 0a   # block type: Section Header Block
                00 00 00 1c   # block total length 28
                1a 2b 3c 4d   # byte-order magic, big-endian
                00 01 00 00   # version 1.0
                ff ff ff ff   # section length -1 (not given)
                ff ff ff ff
                00 00 00 1c   # block total length 28
                00 00 00 01   # block type: Interface Description Block (interface 0)
                00 00 00 14   # block total length 20
                00 01 00 00   # link type 1 (ETHERNET)
                00 04 00 00   # snap length 262144
                00 00 00 14   # block total length 20
                00 00 00 06   # block type: Enhanced Packet Block (record 2)
                00 00 00 50   # block total length 80
                00 00 00 00   # interface 0
                00 00 00 00   # timestamp, high 32 bits
                00 00 00 02   # timestamp, low 32 bits: 2 us
                00 00 00 2e   # captured length 46
                00 00 00 2e   # original length 46
                """ + ETH_V4 + IPV4_UDP + """
                00 00         # padding to 32 bits
                00 00 00 50   # block total length 80
                00 00 00 06   # block type: Enhanced Packet Block (record 3)
                00 00 00 40   # block total length 64
                00 00 00 01   # interface 1: defined only in the first section
                00 00 00 00   # timestamp, high 32 bits
                00 00 00 03   # timestamp, low 32 bits
                00 00 00 20   # captured length 32
                00 00 00 20   # original length 32
                """ + IPV4_UDP + """
                00 00 00 40   # block total length 64
                """);
        List<CaptureFormatException> failure = new ArrayList<>();
        assertEquals(List.of(
                new Read(1, 1_000, LinkType.RAW, 1, 32, false, 4, V4),
                new Read(2, 2_000, LinkType.ETHERNET, 0, 46, false, 4, V4)), readUntilFailure(file, failure));
        assertEquals(1, failure.size());
        assertTrue(failure.get(0).getMessage().contains(
                "record 3 (file offset 260): Enhanced Packet Block names interface 1 but the section has 1"),
                failure.get(0).getMessage());
    }

    /** A skipped block much larger than the read buffer is streamed past, not loaded. */
    @Test
    void skipsBlockLargerThanTheBuffer() throws IOException {
        int body = 3 * CaptureReader.BUFFER_SIZE + 12;
        ByteBuffer big = ByteBuffer.allocate(12 + body).order(ByteOrder.LITTLE_ENDIAN);
        big.putInt(0x40000BAD).putInt(12 + body).position(8 + body);
        big.putInt(12 + body);
        byte[] epb = hex("""
                06 00 00 00   # block type: Enhanced Packet Block (record 1)
                50 00 00 00   # block total length 80
                00 00 00 00   # interface 0
                00 00 00 00   # timestamp, high 32 bits
                07 00 00 00   # timestamp, low 32 bits: 7 us
                2e 00 00 00   # captured length 46
                2e 00 00 00   # original length 46
                """ + ETH_V4 + IPV4_UDP + """
                00 00         # padding to 32 bits
                50 00 00 00   # block total length 80
                """);
        byte[] file = concat(hex(LE_SHB_IDB_ETHERNET), big.array(), epb);
        try (CaptureReader r = CaptureReader.open(new CaptureBytes.TrickleChannel(file, 100_000))) {
            assertEquals(List.of(new Read(1, 7_000, LinkType.ETHERNET, 0, 46, false, 4, V4)), readAll(r));
        }
    }

    // ---------------------------------------------------------------- broken files

    static Stream<Arguments> brokenBlocks() {
        int at = 48; // after the section header and interface 0
        return Stream.of(
                Arguments.of("block length not a multiple of 4", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        51 00 00 00   # block total length 81
                        """, 1, at, "Enhanced Packet Block total length 81 is not a multiple of 4"),
                Arguments.of("block length below 12", """
                        04 00 00 00   # block type: Name Resolution Block
                        08 00 00 00   # block total length 8
                        """, 1, at, "Name Resolution Block total length 8 is below the 12-byte minimum"),
                Arguments.of("trailing length differs", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        40 00 00 00   # block total length 64
                        00 00 00 00   # interface 0
                        00 00 00 00   # timestamp, high 32 bits
                        00 00 00 00   # timestamp, low 32 bits
                        20 00 00 00   # captured length 32
                        20 00 00 00   # original length 32
                        """ + IPV4_UDP + """
                        44 00 00 00   # block total length 68: wrong
                        """, 1, at, "Enhanced Packet Block total length 64 does not match its trailing copy 68"),
                Arguments.of("skipped block's trailing length differs", """
                        04 00 00 00   # block type: Name Resolution Block
                        10 00 00 00   # block total length 16
                        00 00 00 00   # nrb_record_end
                        14 00 00 00   # block total length 20: wrong
                        """, 1, at, "Name Resolution Block total length 16 does not match its trailing copy 20"),
                Arguments.of("file ends inside a packet block", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        40 00 00 00   # block total length 64
                        00 00 00 00   # interface 0
                        """, 1, at, "file ends inside the Enhanced Packet Block (12 of 64 bytes)"),
                Arguments.of("file ends inside a skipped block", """
                        05 00 00 00   # block type: Interface Statistics Block
                        18 00 00 00   # block total length 24
                        00 00 00 00   # interface 0
                        """, 1, at, "file ends inside the Interface Statistics Block (12 of 24 bytes)"),
                Arguments.of("file ends inside a block header", "06 00 00 00  # block type only",
                        1, at, "file ends inside a block header (4 of 8 bytes)"),
                Arguments.of("packet for an undeclared interface", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        40 00 00 00   # block total length 64
                        02 00 00 00   # interface 2: never declared
                        00 00 00 00   # timestamp, high 32 bits
                        00 00 00 00   # timestamp, low 32 bits
                        20 00 00 00   # captured length 32
                        20 00 00 00   # original length 32
                        """ + IPV4_UDP + """
                        40 00 00 00   # block total length 64
                        """, 1, at, "Enhanced Packet Block names interface 2 but the section has 1"),
                Arguments.of("captured length beyond the block", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        40 00 00 00   # block total length 64
                        00 00 00 00   # interface 0
                        00 00 00 00   # timestamp, high 32 bits
                        00 00 00 00   # timestamp, low 32 bits
                        24 00 00 00   # captured length 36: the block holds 32
                        24 00 00 00   # original length 36
                        """ + IPV4_UDP + """
                        40 00 00 00   # block total length 64
                        """, 1, at, "captured length 36 does not fit in the Enhanced Packet Block of 64 bytes"),
                Arguments.of("captured length absurd", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        40 00 00 00   # block total length 64
                        00 00 00 00   # interface 0
                        00 00 00 00   # timestamp, high 32 bits
                        00 00 00 00   # timestamp, low 32 bits
                        ff ff ff ff   # captured length 4294967295
                        20 00 00 00   # original length 32
                        """ + IPV4_UDP + """
                        40 00 00 00   # block total length 64
                        """, 1, at, "captured length 4294967295 is larger than the maximum 262144"),
                Arguments.of("packet block larger than the reader takes", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        00 00 20 00   # block total length 2 MiB
                        """, 1, at, "Enhanced Packet Block of 2097152 bytes is larger than this reader's limit"),
                Arguments.of("packet block shorter than its fixed part", """
                        06 00 00 00   # block type: Enhanced Packet Block
                        10 00 00 00   # block total length 16
                        00 00 00 00
                        10 00 00 00   # block total length 16
                        """, 1, at, "Enhanced Packet Block of 16 bytes is shorter than its 32-byte minimum"),
                Arguments.of("interface option runs past the block", """
                        01 00 00 00   # block type: Interface Description Block
                        18 00 00 00   # block total length 24
                        01 00 00 00   # link type 1 (ETHERNET)
                        00 00 04 00   # snap length 262144
                        02 00 08 00   # option if_name, length 8: only 0 bytes left
                        18 00 00 00   # block total length 24
                        """, 1, at, "Interface Description Block option 2 of 8 bytes runs past the end"),
                Arguments.of("if_tsresol of the wrong size", """
                        01 00 00 00   # block type: Interface Description Block
                        20 00 00 00   # block total length 32
                        01 00 00 00   # link type 1 (ETHERNET)
                        00 00 04 00   # snap length 262144
                        09 00 02 00   # option if_tsresol, length 2
                        09 09 00 00
                        00 00 00 00   # opt_endofopt
                        20 00 00 00   # block total length 32
                        """, 1, at, "if_tsresol option has length 2, not 1"),
                Arguments.of("second section of version 2", """
                        0a 0d 0d 0a   # block type: Section Header Block
                        1c 00 00 00   # block total length 28
                        4d 3c 2b 1a   # byte-order magic, little-endian
                        02 00 00 00   # version 2.0
                        ff ff ff ff   # section length -1 (not given)
                        ff ff ff ff
                        1c 00 00 00   # block total length 28
                        """, 1, at, "unsupported pcapng version 2.0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenBlocks")
    void rejectsBrokenBlock(String name, String tail, long record, long offset, String message) throws IOException {
        List<CaptureFormatException> failure = new ArrayList<>();
        List<Read> got = readUntilFailure(hex(LE_SHB_IDB_ETHERNET + tail), failure);
        assertEquals(List.of(), got);
        assertEquals(1, failure.size(), "no exception");
        CaptureFormatException e = failure.get(0);
        assertEquals(record, e.recordNumber());
        assertEquals(offset, e.fileOffset());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void simplePacketBlockBeforeAnyInterfaceIsRejected() throws IOException {
        List<CaptureFormatException> failure = new ArrayList<>();
        readUntilFailure(hex("""
                0a 0d 0d 0a   # block type: Section Header Block
                1c 00 00 00   # block total length 28
                4d 3c 2b 1a   # byte-order magic, little-endian
                01 00 00 00   # version 1.0
                ff ff ff ff   # section length -1 (not given)
                ff ff ff ff
                1c 00 00 00   # block total length 28
                03 00 00 00   # block type: Simple Packet Block
                30 00 00 00   # block total length 48
                20 00 00 00   # original length 32
                """ + IPV4_UDP + """
                30 00 00 00   # block total length 48
                """), failure);
        assertEquals("record 1 (file offset 28): Simple Packet Block before any Interface Description Block",
                failure.get(0).getMessage());
    }

    /** Every prefix of a valid file either ends cleanly at a block boundary or fails with a format error. */
    @Test
    void everyPrefixFailsCleanlyAfterTheWholePacketsItHolds() throws IOException {
        byte[] file = hex(LE_FILE);
        for (int n = 0; n <= file.length; n++) {
            List<CaptureFormatException> failure = new ArrayList<>();
            List<Read> got = readUntilFailure(Arrays.copyOf(file, n), failure);
            assertEquals(LE_FILE_PACKETS.subList(0, got.size()), got, "prefix " + n);
            if (n == file.length) {
                assertEquals(List.of(), failure);
            }
        }
    }
}
