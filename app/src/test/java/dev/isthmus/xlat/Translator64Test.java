package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.FIRST_ID;
import static dev.isthmus.xlat.Xlat64Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat64Fixtures.assertIpv6Valid;
import static dev.isthmus.xlat.Xlat64Fixtures.harness;
import static dev.isthmus.xlat.Xlat64Fixtures.hex;
import static dev.isthmus.xlat.Xlat64Fixtures.rows;
import static dev.isthmus.xlat.Xlat64Fixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.xlat.Xlat64Fixtures.Harness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * RFC 7915 §5.1 (IPv6 header → IPv4 header), §5.1.1 (Fragment Header) and §5.5 (transport
 * checksums), one test per rule, over literal packets: input and expected output as hex, checksums
 * valid in both (computed outside the code under test). The addresses are those of
 * {@link Xlat64Fixtures}; every translated packet also lands in {@code target/xlat-pcaps/}.
 */
class Translator64Test {

    /**
     * UDP 2001:db8:6::5 port 40000 → 2001:db8:64::c000:221 port 9, traffic class 0xb8, flow label
     * 0x12345, Hop Limit 64, payload "isthmus!"; checksums valid.
     */
    static final String UDP_IN = """
            6b 81 23 45   # version 6, traffic class 0xb8, flow label 0x12345
            00 10 11 40   # payload length 16, next header 17, hop limit 64
            20 01 0d b8   # source 2001:db8:6::5
            00 06 00 00
            00 00 00 00
            00 00 00 05
            20 01 0d b8   # destination 2001:db8:64::c000:221
            00 64 00 00
            00 00 00 00
            c0 00 02 21
            9c 40 00 09   # UDP source port 40000, destination port 9
            00 10 87 0f   # UDP length 16, checksum
            69 73 74 68   # payload "isthmus!"
            6d 75 73 21
            """;

    /** {@link #UDP_IN} translated (RFC 7915 §5.1, §5.5): 198.51.100.5 → 192.0.2.33, TTL 63, TOS 0xb8. */
    static final String UDP_OUT = """
            45 b8 00 24   # version 4, IHL 5, TOS 0xb8, total length 36
            12 34 00 00   # identification 0x1234, no flags, fragment offset 0
            3f 11 7c 83   # TTL 63, protocol 17, header checksum
            c6 33 64 05   # source 198.51.100.5
            c0 00 02 21   # destination 192.0.2.33
            9c 40 00 09   # UDP source port 40000, destination port 9
            00 10 b8 b7   # UDP length 16, checksum
            69 73 74 68   # payload "isthmus!"
            6d 75 73 21
            """;

    /** Runs {@code in}, expects exactly {@code expected} on the sink, valid, and records the pcap. */
    static Harness translates(Harness h, String in, String expected, TestInfo info) {
        assertEquals(Verdict.TRANSLATED, h.run(hex(in)), () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertEquals(rows(hex(expected)), rows(out));
        assertIpv4Valid(out);
        h.pcap(info.getTestMethod().orElseThrow().getName());
        return h;
    }

    /** §5.1: every header field of a plain UDP datagram; §5.5: the UDP checksum follows the pseudo-header. */
    @Test
    void udp(TestInfo info) {
        Harness h = translates(harness(), UDP_IN, UDP_OUT, info);
        assertEquals(1, h.counters.paths(Path.UDP_64));
        assertEquals(MappingKind.EAM, h.trace().sourceMapping());
        assertEquals(0, h.trace().sourceEam());
        assertEquals(MappingKind.POOL6, h.trace().destinationMapping());
        assertEquals(1, h.trace().outputs());
    }

    /** §5.1 Type of Service: "SHOULD provide the ability to ... always set the IPv4 TOS Octet to a specified value". */
    @Test
    void tosOverride(TestInfo info) {
        translates(settings().tos(0).harness(), UDP_IN, """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3f 11 7d 3b   # TTL 63, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, info);
    }

    /** §5.5: TCP checksum adjusted; §5.1: TTL = Hop Limit - 1 (255 → 254). */
    @Test
    void tcp(TestInfo info) {
        Harness h = translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 14 06 ff   # payload length 20, next header 6, hop limit 255
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 41 00 50   # TCP source port 40001, destination port 80
                00 00 00 01   # sequence number 1
                00 00 00 00   # acknowledgment number 0
                50 02 ff ff   # data offset 5, flags 0x02, window 65535
                f5 4d 00 00   # TCP checksum, urgent pointer 0
                """, """
                45 00 00 28   # version 4, IHL 5, TOS 0x00, total length 40
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                fe 06 be 41   # TTL 254, protocol 6, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 41 00 50   # TCP source port 40001, destination port 80
                00 00 00 01   # sequence number 1
                00 00 00 00   # acknowledgment number 0
                50 02 ff ff   # data offset 5, flags 0x02, window 65535
                26 f6 00 00   # TCP checksum, urgent pointer 0
                """, info);
        assertEquals(1, h.counters.paths(Path.TCP_64));
    }

    /** §5.2: Echo Request 128 → 8, checksum without the ICMPv6 pseudo-header; Protocol 58 → 1. */
    @Test
    void echoRequest(TestInfo info) {
        Harness h = translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 3a 40   # payload length 16, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                80 00 c5 10   # ICMPv6 type 128, code 0, checksum
                0b 0b 00 01   # identifier 0x0b0b, sequence 1
                61 62 63 64   # payload
                65 66 67 68
                """, """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3f 01 7d 4b   # TTL 63, protocol 1, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                08 00 5b 5e   # ICMPv4 type 8, code 0, checksum
                0b 0b 00 01   # identifier 0x0b0b, sequence 1
                61 62 63 64   # payload
                65 66 67 68
                """, info);
        assertEquals(1, h.counters.paths(Path.ICMP_INFO_64));
    }

    /** §5.2: Echo Reply 129 → 0. */
    @Test
    void echoReply(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 3a 40   # payload length 16, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                81 00 c4 10   # ICMPv6 type 129, code 0, checksum
                0b 0b 00 01   # identifier 0x0b0b, sequence 1
                61 62 63 64   # payload
                65 66 67 68
                """, """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3f 01 7d 4b   # TTL 63, protocol 1, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                00 00 63 5e   # ICMPv4 type 0, code 0, checksum
                0b 0b 00 01   # identifier 0x0b0b, sequence 1
                61 62 63 64   # payload
                65 66 67 68
                """, info);
    }

    /** §5.1 Protocol: Hop-by-Hop, Destination Options and a Routing header with Segments Left 0 are skipped. */
    @Test
    void extensionHeadersSkipped(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 38 00 40   # payload length 56, next header 0, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                3c 00 01 04   # Hop-by-Hop: next header 60, length 8 bytes, PadN
                00 00 00 00
                2b 00 01 04   # Destination Options: next header 43, length 8 bytes, PadN
                00 00 00 00
                11 02 fd 00   # Routing: next header 17, length 2, type 253, segments left 0
                00 00 00 00   # reserved
                20 01 0d b8   # address 2001:db8:6::6
                00 06 00 00
                00 00 00 00
                00 00 00 06
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """, """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3f 11 7d 3b   # TTL 63, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """, info);
    }

    /** §5.1 Protocol: "all transport protocols are translated"; one without known checksum passes unchanged (§5.5). */
    @Test
    void otherProtocolUnchanged(TestInfo info) {
        Harness h = translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 08 fd 40   # payload length 8, next header 253, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                01 23 45 67   # protocol 253 (RFC 3692 experiment) data, opaque
                89 ab cd ef
                """, """
                45 00 00 1c   # version 4, IHL 5, TOS 0x00, total length 28
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3f fd 7c 57   # TTL 63, protocol 253, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                01 23 45 67   # protocol 253 (RFC 3692 experiment) data, opaque
                89 ab cd ef
                """, info);
        assertEquals(1, h.counters.paths(Path.OTHER_64));
    }

    /**
     * §5.1.1: a first fragment: ID = low 16 bits of the Fragment Header's, MF = M, DF = 0, offset
     * copied, Total Length without the Fragment Header; the UDP checksum (of the whole datagram)
     * still follows the pseudo-header change.
     */
    @Test
    void firstFragment(TestInfo info) {
        Harness h = translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 20 2c 40   # payload length 32, next header 44, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                11 00 00 01   # Fragment: next header 17, offset 0, M 1
                de ad be ef   # identification 0xdeadbeef
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 28 50 4d   # UDP length 40, checksum
                40 41 42 43   # first 16 payload bytes
                44 45 46 47
                48 49 4a 4b
                4c 4d 4e 4f
                """, """
                45 00 00 2c   # version 4, IHL 5, TOS 0x00, total length 44
                be ef 20 00   # identification 0xbeef, MF, fragment offset 0
                3f 11 b0 77   # TTL 63, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 28 81 f5   # UDP length 40, checksum
                40 41 42 43   # first 16 payload bytes
                44 45 46 47
                48 49 4a 4b
                4c 4d 4e 4f
                """, info);
        assertEquals(1, h.counters.paths(Path.FRAGMENT_64));
    }

    /** §5.1.1: a later fragment: offset copied, no transport header to touch. */
    @Test
    void laterFragment(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 18 2c 40   # payload length 24, next header 44, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                11 00 00 18   # Fragment: next header 17, offset 3, M 0
                de ad be ef   # identification 0xdeadbeef
                50 51 52 53   # last 16 bytes of the datagram (untouched)
                54 55 56 57
                58 59 5a 5b
                5c 5d 5e 5f
                """, """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                be ef 00 03   # identification 0xbeef, no flags, fragment offset 3
                3f 11 d0 7c   # TTL 63, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                50 51 52 53   # last 16 bytes of the datagram (untouched)
                54 55 56 57
                58 59 5a 5b
                5c 5d 5e 5f
                """, info);
    }

    /** Ethernet padding behind the packet: the Payload Length decides where it ends. */
    @Test
    void trailingPaddingTrimmed() {
        Harness h = harness();
        byte[] in = hex(UDP_IN);
        byte[] padded = Arrays.copyOf(in, in.length + 6);
        assertEquals(Verdict.TRANSLATED, h.run(padded));
        assertEquals(rows(hex(UDP_OUT)), rows(h.only()));
    }

    /** A Payload Length beyond the bytes at hand. */
    @Test
    void truncated() {
        Harness h = harness();
        byte[] in = hex(UDP_IN);
        assertEquals(Verdict.DROPPED, h.run(Arrays.copyOf(in, in.length - 1)));
        assertEquals(DropReason.TRUNCATED, h.trace().reason());
        assertEquals(Verdict.DROPPED, h.run(Arrays.copyOf(in, 39)));
        assertEquals(2, h.counters.drops(DropReason.TRUNCATED));
        assertTrue(h.out.isEmpty());
    }

    /** §5.1 Time to Live: Hop Limit 1 cannot be forwarded; ICMPv6 Time Exceeded 3/0 goes back. */
    @Test
    void hopLimitExpired(TestInfo info) {
        Harness h = harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 11 01   # payload length 16, next header 17, hop limit 1
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """)));
        assertEquals(DropReason.TTL_EXPIRED, h.trace().reason());
        assertEquals(1, h.counters.drops(DropReason.TTL_EXPIRED));
        assertEquals(1, h.counters.paths(Path.ORIGINATED_ICMPV6));
        assertEquals(rows(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 40   # payload length 64, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:ffff::1
                ff ff 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 30 17   # ICMPv6 type 3, code 0, checksum
                00 00 00 00   # unused
                60 00 00 00   # the packet as it arrived
                00 10 11 01
                20 01 0d b8
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09
                00 10 87 0f
                69 73 74 68
                6d 75 73 21
                """)), rows(h.only()));
        assertIpv6Valid(h.only());
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /**
     * §5.1: a Routing header with Segments Left ≠ 0 "MUST NOT be translated"; Parameter Problem 4/0
     * with the pointer on Segments Left (40 + 3) goes back.
     */
    @Test
    void routingHeaderWithSegmentsLeft(TestInfo info) {
        Harness h = harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 38 2b 40   # payload length 56, next header 43, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                11 04 04 01   # Routing: next header 17, length 4, type 4 (SRH), segments left 1
                01 00 00 00   # last entry 1, flags 0, tag 0
                20 01 0d b8   # segment 0: 2001:db8:6::6
                00 06 00 00
                00 00 00 00
                00 00 00 06
                20 01 0d b8   # segment 1: 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 49 89   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """)));
        assertEquals(DropReason.ROUTING_HEADER, h.trace().reason());
        assertEquals(rows(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 68 3a 40   # payload length 104, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:ffff::1
                ff ff 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                04 00 1d da   # ICMPv6 type 4, code 0, checksum
                00 00 00 2b   # pointer 43 (Segments Left of the Routing header)
                60 00 00 00   # the packet as it arrived
                00 38 2b 40
                20 01 0d b8
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                11 04 04 01
                01 00 00 00
                20 01 0d b8
                00 06 00 00
                00 00 00 00
                00 00 00 06
                20 01 0d b8
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09
                00 10 49 89
                69 73 74 68
                6d 75 73 21
                """)), rows(h.only()));
        assertIpv6Valid(h.only());
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /**
     * §5.1 Source Address: a stateless translator "SHOULD drop the packet and respond with an ICMPv6
     * 'Destination Unreachable, Source address failed ingress/egress policy' (Type 1, Code 5)".
     */
    @Test
    void untranslatableSource(TestInfo info) {
        Harness h = harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 11 40   # payload length 16, next header 17, hop limit 64
                20 01 0d b8   # source 2001:db8:5::5
                00 05 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 87 10   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """)));
        assertEquals(DropReason.UNTRANSLATABLE_SOURCE, h.trace().reason());
        assertEquals(rows(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 40   # payload length 64, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:ffff::1
                ff ff 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:5::5
                00 05 00 00
                00 00 00 00
                00 00 00 05
                01 05 31 d4   # ICMPv6 type 1, code 5, checksum
                00 00 00 00   # unused
                60 00 00 00   # the packet as it arrived
                00 10 11 40
                20 01 0d b8
                00 05 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09
                00 10 87 10
                69 73 74 68
                6d 75 73 21
                """)), rows(h.only()));
        assertIpv6Valid(h.only());
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /** With originated errors switched off (§5.4 makes them configurable) the drop is silent. */
    @Test
    void untranslatableSourceWithoutErrors() {
        Harness h = settings().icmpErrors(false).harness();
        assertEquals(Verdict.DROPPED, h.run(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 11 40   # payload length 16, next header 17, hop limit 64
                20 01 0d b8   # source 2001:db8:5::5
                00 05 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 87 10   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """)));
        assertEquals(DropReason.UNTRANSLATABLE_SOURCE, h.trace().reason());
        assertTrue(h.out.isEmpty());
    }

    /**
     * A destination neither pool6 nor an EAM covers. §5.4: "If the IPv6 packet is discarded, then
     * the translator SHOULD send back an ICMPv6 error message ... Type 1 (Destination Unreachable)
     * and Code 1 (Communication with destination administratively prohibited)".
     */
    @Test
    void untranslatableDestination(TestInfo info) {
        Harness h = harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 11 40   # payload length 16, next header 17, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:65::1
                00 65 00 00
                00 00 00 00
                00 00 00 01
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 49 2f   # UDP length 16, checksum
                69 73 74 68   # payload
                6d 75 73 21
                """)));
        assertEquals(DropReason.UNTRANSLATABLE_DESTINATION, h.trace().reason());
        assertEquals(rows(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 40   # payload length 64, next header 58, hop limit 64
                20 01 0d b8   # source 2001:db8:ffff::1
                ff ff 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 01 31 d7   # ICMPv6 type 1, code 1, checksum
                00 00 00 00   # unused
                60 00 00 00   # the packet as it arrived
                00 10 11 40
                20 01 0d b8
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8
                00 65 00 00
                00 00 00 00
                00 00 00 01
                9c 40 00 09
                00 10 49 2f
                69 73 74 68
                6d 75 73 21
                """)), rows(h.only()));
        assertIpv6Valid(h.only());
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /** §5.4: "unless the discarded packet is itself an ICMPv6 message": no error about an Echo Request. */
    @Test
    void untranslatableDestinationIcmp() {
        Harness h = harness();
        byte[] in = Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, "2001:db8:65::1", 58, 64, 0,
                Xlat64Fixtures.icmp(128, 0, 1, new byte[8]));
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.UNTRANSLATABLE_DESTINATION, h.trace().reason());
        assertTrue(h.out.isEmpty());
    }

    /** RFC 6052 §3.1: the Well-Known Prefix never stands for a non-global IPv4 address (192.0.2.33). */
    @Test
    void wellKnownPrefixNonGlobal() {
        Harness h = settings().pool6("64:ff9b::/96").harness();
        byte[] in = Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, "64:ff9b::c000:221", 17, 64, 0,
                Xlat64Fixtures.udp(1, 2, new byte[4]));
        assertEquals(Verdict.ICMP_ERROR, h.run(in));
        assertEquals(DropReason.WKP_NON_GLOBAL, h.trace().reason());
        assertEquals(1, Xlat64Fixtures.u8(h.only(), 40), "§5.4: Destination Unreachable");
        assertEquals(1, Xlat64Fixtures.u8(h.only(), 41), "§5.4: administratively prohibited");
    }

    /** The Well-Known Prefix with a global address (8.8.8.8) translates. */
    @Test
    void wellKnownPrefixGlobal() {
        Harness h = settings().pool6("64:ff9b::/96").harness();
        byte[] in = Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, "64:ff9b::808:808", 17, 64, 0,
                Xlat64Fixtures.udp(1, 2, new byte[4]));
        assertEquals(Verdict.TRANSLATED, h.run(in));
        assertEquals("08080808", Xlat64Fixtures.hexOf(Arrays.copyOfRange(h.only(), 16, 20)));
        assertIpv4Valid(h.only());
    }

    /** RFC 7915 §1.2: multicast is not translated (ff0e::1, and pool6 around 224.0.0.1). */
    @Test
    void multicast() {
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, "ff0e::1", 17, 64, 0,
                Xlat64Fixtures.udp(1, 2, new byte[4]))));
        assertEquals(DropReason.MULTICAST, h.trace().reason());
        assertEquals(Verdict.DROPPED, h.run(Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, "2001:db8:64::e000:1", 17, 64, 0,
                Xlat64Fixtures.udp(1, 2, new byte[4]))));
        assertEquals(DropReason.MULTICAST, h.trace().reason());
    }

    /** §5.1: "if the translator gets an illegal source address ... SHOULD silently drop" (pool6::127.0.0.1). */
    @Test
    void illegalSource() {
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(Xlat64Fixtures.ipv6("2001:db8:64::7f00:1", Xlat64Fixtures.S6, 17, 64, 0,
                Xlat64Fixtures.udp(1, 2, new byte[4]))));
        assertEquals(DropReason.ILLEGAL_SOURCE, h.trace().reason());
        assertTrue(h.out.isEmpty());
    }

    /** RFC 8200 §8.1: a zero UDP checksum is invalid in IPv6; such a datagram is not translated. */
    @Test
    void udpZeroChecksum() {
        Harness h = harness();
        byte[] in = hex(UDP_IN);
        in[46] = 0;
        in[47] = 0;
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.BAD_L4_HEADER, h.trace().reason());
    }

    /** A first fragment too short for its transport header. */
    @Test
    void truncatedTransportHeader() {
        Harness h = harness();
        byte[] in = hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 14 06 ff   # payload length 20, next header 6, hop limit 255
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 41 00 50   # TCP source port 40001, destination port 80
                00 00 00 01   # sequence number 1
                00 00 00 00   # acknowledgment number 0
                50 02 ff ff   # data offset 5, flags 0x02, window 65535
                f5 4d 00 00   # TCP checksum, urgent pointer 0
                """);
        byte[] shortTcp = Arrays.copyOf(in, 40 + 12);
        Xlat64Fixtures.put16(shortTcp, 4, 12);
        assertEquals(Verdict.DROPPED, h.run(shortTcp));
        assertEquals(DropReason.BAD_L4_HEADER, h.trace().reason());
    }

    /**
     * §5.1.1: "If the Next Header field of the Fragment Header is an extension header (except ESP,
     * but including the Authentication Header (AH)), then the packet SHOULD be dropped and
     * logged" — here Destination Options; §5.4 answers it with 1/1.
     */
    @Test
    void extensionAfterFragment() {
        Harness h = harness();
        byte[] in = hex("60000000 0018 2c 40" + addresses()
                + "3c000000 00000001" // Fragment: next header 60, offset 0, M 0
                + "11000104 00000000" // Destination Options: next header 17, PadN
                + "00010002 00080000"); // UDP header
        assertEquals(Verdict.ICMP_ERROR, h.run(in));
        assertEquals(DropReason.EXTENSION_AFTER_FRAGMENT, h.trace().reason());
        assertEquals(1, Xlat64Fixtures.u8(h.only(), 40));
        assertEquals(1, Xlat64Fixtures.u8(h.only(), 41));
    }

    /** RFC 7915 §1.2 / checklist: fragmented ICMPv6 is not translated. */
    @Test
    void fragmentedIcmp() {
        Harness h = harness();
        byte[] in = hex("60000000 0018 2c 40" + addresses()
                + "3a000001 00000001" // Fragment: next header 58, offset 0, M 1
                + "80000000 00000000 00000000 00000000"); // Echo Request (first 16 bytes)
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.FRAGMENTED_ICMP, h.trace().reason());
    }

    /** RFC 8200 §4.3: Hop-by-Hop must come first; elsewhere the chain is malformed. */
    @Test
    void hopByHopNotFirst() {
        Harness h = harness();
        byte[] in = hex("60000000 0018 3c 40" + addresses()
                + "00000104 00000000" // Destination Options: next header 0 (Hop-by-Hop)
                + "11000104 00000000" // Hop-by-Hop: next header 17
                + "00010002 00080000");
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.BAD_EXTENSION_HEADER, h.trace().reason());
    }

    /** An extension header that claims more bytes than the packet has. */
    @Test
    void extensionHeaderBeyondPacket() {
        Harness h = harness();
        byte[] in = hex("60000000 0010 00 40" + addresses()
                + "11020104 00000000" // Hop-by-Hop: length (2 + 1) * 8 = 24, only 16 bytes follow
                + "00010002 00080000");
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.BAD_EXTENSION_HEADER, h.trace().reason());
    }

    /** Not IPv6 at all. */
    @Test
    void badVersion() {
        Harness h = harness();
        byte[] in = hex(UDP_IN);
        in[0] = 0x45;
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.BAD_VERSION, h.trace().reason());
    }

    /** Source 2001:db8:6::5, destination 2001:db8:64::c000:221, as hex. */
    private static String addresses() {
        return "20010db8 00060000 00000000 00000005 20010db8 00640000 00000000 c0000221";
    }

    /** The counter gives consecutive packets of one flow different Identifications (RFC 6864 §4.1). */
    @Test
    void identificationChangesPerPacket() {
        Harness h = harness();
        byte[] in = hex(UDP_IN);
        h.run(in);
        int first = Xlat64Fixtures.u16(h.only(), 4);
        h.run(in);
        int second = Xlat64Fixtures.u16(h.only(), 4);
        assertEquals(FIRST_ID, first);
        assertEquals(FIRST_ID + 1, second);
        assertFalse(h.trace().hairpinned());
    }
}
