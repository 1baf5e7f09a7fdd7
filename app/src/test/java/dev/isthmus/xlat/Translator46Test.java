package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat46Fixtures.C4;
import static dev.isthmus.xlat.Xlat46Fixtures.S4;
import static dev.isthmus.xlat.Xlat46Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat46Fixtures.assertIpv6Valid;
import static dev.isthmus.xlat.Xlat46Fixtures.concat;
import static dev.isthmus.xlat.Xlat46Fixtures.harness;
import static dev.isthmus.xlat.Xlat46Fixtures.hex;
import static dev.isthmus.xlat.Xlat46Fixtures.ipv4;
import static dev.isthmus.xlat.Xlat46Fixtures.refreshHeaderChecksum;
import static dev.isthmus.xlat.Xlat46Fixtures.rows;
import static dev.isthmus.xlat.Xlat46Fixtures.settings;
import static dev.isthmus.xlat.Xlat46Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.xlat.Xlat46Fixtures.Harness;
import dev.isthmus.xlat.XlatSettings.HairpinMode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7915 §4.1 (IPv4 header → IPv6 header) and §4.5 (transport checksums), one test per rule,
 * over literal packets: input and expected output as hex, checksums valid in both (computed
 * outside the code under test). The addresses are those of {@link Xlat46Fixtures}; every
 * translated packet also lands in the xlat-pcaps directory.
 */
class Translator46Test {

    /**
     * UDP 192.0.2.33 port 9 → 198.51.100.5 port 40000, TOS 0xb8, TTL 64, DF, payload "isthmus!";
     * checksums valid.
     */
    static final String UDP_IN = """
            45 b8 00 24   # version 4, IHL 5, TOS 0xb8, total length 36
            12 34 40 00   # identification 0x1234, DF, fragment offset 0
            40 11 3b 83   # TTL 64, protocol 17, header checksum
            c0 00 02 21   # source 192.0.2.33
            c6 33 64 05   # destination 198.51.100.5
            00 09 9c 40   # UDP source port 9, destination port 40000
            00 10 b8 b7   # UDP length 16, checksum
            69 73 74 68   # payload "isthmus!"
            6d 75 73 21
            """;

    /**
     * {@link #UDP_IN} translated (RFC 7915 §4.1, §4.5): 2001:db8:64::c000:221 (pool6) →
     * 2001:db8:6::5 (EAM), traffic class 0xb8, flow label 0, Hop Limit 63, no Fragment Header.
     */
    static final String UDP_OUT = """
            6b 80 00 00   # version 6, traffic class 0xb8, flow label 0x0
            00 10 11 3f   # payload length 16, next header 17, hop limit 63
            20 01 0d b8   # source 2001:db8:64::c000:221
            00 64 00 00
            00 00 00 00
            c0 00 02 21
            20 01 0d b8   # destination 2001:db8:6::5
            00 06 00 00
            00 00 00 00
            00 00 00 05
            00 09 9c 40   # UDP source port 9, destination port 40000
            00 10 87 0f   # UDP length 16, checksum
            69 73 74 68   # payload "isthmus!"
            6d 75 73 21
            """;

    /** The same datagram with traffic class 0, as most other tests produce. */
    static final String UDP_OUT_TC0 = """
            60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
            00 10 11 3f   # payload length 16, next header 17, hop limit 63
            20 01 0d b8   # source 2001:db8:64::c000:221
            00 64 00 00
            00 00 00 00
            c0 00 02 21
            20 01 0d b8   # destination 2001:db8:6::5
            00 06 00 00
            00 00 00 00
            00 00 00 05
            00 09 9c 40   # UDP source port 9, destination port 40000
            00 10 87 0f   # UDP length 16, checksum
            69 73 74 68   # payload "isthmus!"
            6d 75 73 21
            """;

    /** Runs {@code in}, expects exactly {@code expected} on the sink, valid, and records the pcap. */
    static Harness translates(Harness h, String in, String expected, TestInfo info) {
        return translates(h, hex(in), expected, info);
    }

    static Harness translates(Harness h, byte[] in, String expected, TestInfo info) {
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertEquals(rows(hex(expected)), rows(out));
        assertIpv6Valid(out);
        assertEquals(DropReason.NONE, h.trace().reason());
        h.pcap(info.getTestMethod().orElseThrow().getName());
        return h;
    }

    /**
     * Runs {@code in}, expects it dropped for {@code reason} with the ICMPv4 error {@code error}
     * (RFC 7915 §4.4) as the only output, and records the pcap.
     */
    static Harness answers(Harness h, String in, DropReason reason, String error, TestInfo info) {
        assertEquals(Verdict.ICMP_ERROR, h.run(hex(in)), () -> "reason: " + h.trace().reason());
        assertEquals(reason, h.trace().reason());
        assertEquals(1, h.counters.drops(reason));
        assertEquals(1, h.counters.paths(Path.ORIGINATED_ICMPV4));
        byte[] out = h.only();
        assertEquals(rows(hex(error)), rows(out));
        assertIpv4Valid(out);
        h.pcap(info.getTestMethod().orElseThrow().getName());
        return h;
    }

    /** Expects a silent drop for {@code reason}. */
    static void drops(Harness h, byte[] in, DropReason reason) {
        assertEquals(Verdict.DROPPED, h.run(in), () -> "not dropped: " + h.trace().reason());
        assertEquals(reason, h.trace().reason());
        assertEquals(1, h.counters.drops(reason));
        assertEquals(0, h.out.size(), "no output");
    }

    /**
     * §4.1: Version 6, Traffic Class = TOS, Flow Label 0, Payload Length = Total Length − header,
     * Next Header = Protocol, Hop Limit = TTL − 1, addresses mapped (§6: pool6 for the server, the
     * EAM for the client); §4.5: the UDP checksum follows the pseudo-header.
     */
    @Test
    void udpHeaderFields(TestInfo info) {
        Harness h = translates(harness(), UDP_IN, UDP_OUT, info);
        assertEquals(1, h.counters.paths(Path.UDP_46));
        assertEquals(MappingKind.POOL6, h.trace().sourceMapping());
        assertEquals(MappingKind.EAM, h.trace().destinationMapping());
        assertEquals(0, h.trace().destinationEam());
        assertEquals(1, h.trace().outputs());
        assertEquals(0, h.counters.totalDrops());
    }

    /** The translated packet is left in the buffer's window (the caller may reuse it). */
    @Test
    void bufferWindowHoldsTheTranslation() {
        Harness h = harness();
        h.run(hex(UDP_IN));
        assertEquals(PacketBuffer.HEADROOM + 20 - 40, h.buffer.offset());
        assertEquals(rows(hex(UDP_OUT)), rows(h.buffer.toArray()));
    }

    /** §4.1 Traffic Class: "SHOULD provide the ability to ignore the IPv4 'TOS' and always set ... to zero". */
    @Test
    void trafficClassOverride(TestInfo info) {
        translates(settings().trafficClass(0).harness(), UDP_IN, UDP_OUT_TC0, info);
    }

    /**
     * §4.5: TCP checksum adjusted; §4.1: Hop Limit = TTL − 1 (255 → 254); DF clear and not a
     * fragment: no Fragment Header ("MUST NOT include the Fragment Header for the non-fragmented
     * IPv6 packets", RFC 8021).
     */
    @Test
    void tcpWithoutDontFragment(TestInfo info) {
        Harness h = translates(harness(), """
                45 00 00 28   # version 4, IHL 5, TOS 0x00, total length 40
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                ff 06 bd 41   # TTL 255, protocol 6, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 50 9c 41   # TCP source port 80, destination port 40001
                00 00 00 01   # sequence number 1
                00 00 00 02   # acknowledgment number 2
                50 12 ff ff   # data offset 5, flags 0x12, window 65535
                26 e4 00 00   # TCP checksum, urgent pointer 0
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 14 06 fe   # payload length 20, next header 6, hop limit 254
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                00 50 9c 41   # TCP source port 80, destination port 40001
                00 00 00 01   # sequence number 1
                00 00 00 02   # acknowledgment number 2
                50 12 ff ff   # data offset 5, flags 0x12, window 65535
                f5 3b 00 00   # TCP checksum, urgent pointer 0
                """, info);
        assertEquals(1, h.counters.paths(Path.TCP_46));
    }

    /**
     * §4.2 Echo: "Adjust the Type values to 128 and 129 ... and adjust the ICMP checksum both to take
     * the type change into account and to include the ICMPv6 pseudo-header"; §4.1: Protocol 1
     * becomes Next Header 58.
     */
    @Test
    void echoRequest(TestInfo info) {
        Harness h = translates(harness(), """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 01 3c 4b   # TTL 64, protocol 1, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                08 00 27 58   # ICMPv4 type 8, code 0, checksum
                12 34 00 01   # identifier 0x1234, sequence 1
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 3a 3f   # payload length 16, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                80 00 91 0a   # ICMPv6 type 128, code 0, checksum
                12 34 00 01   # identifier 0x1234, sequence 1
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, info);
        assertEquals(1, h.counters.paths(Path.ICMP_INFO_46));
    }

    /** §4.2 Echo Reply 0 → 129. */
    @Test
    void echoReply(TestInfo info) {
        translates(harness(), """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 01 3c 4b   # TTL 64, protocol 1, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 00 2f 58   # ICMPv4 type 0, code 0, checksum
                12 34 00 01   # identifier 0x1234, sequence 1
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 3a 3f   # payload length 16, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                81 00 90 0a   # ICMPv6 type 129, code 0, checksum
                12 34 00 01   # identifier 0x1234, sequence 1
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, info);
    }

    /** RFC 5508 REQ-3: an Echo whose checksum is wrong is dropped, not given a valid ICMPv6 one. */
    @Test
    void echoWithBadChecksum() {
        byte[] in = hex("""
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 01 3c 4b   # TTL 64, protocol 1, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                08 00 27 59   # ICMPv4 type 8, code 0, checksum (off by one)
                12 34 00 01   # identifier 0x1234, sequence 1
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """);
        drops(harness(), in, DropReason.BAD_ICMP_CHECKSUM);
    }

    /**
     * §4.1: "If IPv4 options are present in the IPv4 packet, they MUST be ignored": a Record Route
     * option (IHL 7) disappears and the Payload Length counts from after it.
     */
    @Test
    void optionsIgnored(TestInfo info) {
        translates(harness(), """
                47 00 00 2c   # version 4, IHL 7, TOS 0x00, total length 44
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 11 2f 2c   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                07 07 04 00   # option record route, length 7, pointer 4, empty slot
                00 00 00 00   #   slot, end of option list
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, UDP_OUT_TC0, info);
    }

    /** The loose source route of {@link #sourceRoute}: pointer 4 ≤ length 7, one hop still to go. */
    static final String LSRR_IN = """
            47 00 00 2c   # version 4, IHL 7, TOS 0x00, total length 44
            12 34 40 00   # identification 0x1234, DF, fragment offset 0
            40 11 07 6f   # TTL 64, protocol 17, header checksum
            c0 00 02 21   # source 192.0.2.33
            c6 33 64 05   # destination 198.51.100.5
            01 83 07 04   # options: no-op; loose source route, length 7, pointer 4
            c6 33 64 09   #   route data 198.51.100.9
            00 09 9c 40   # UDP source port 9, destination port 40000
            00 10 b8 b3   # UDP length 16, checksum (pseudo-header: the final destination 198.51.100.9)
            69 73 74 68   # payload "isthmus!"
            6d 75 73 21
            """;

    /**
     * §4.1: "if an unexpired source route option is present, then the packet MUST instead be
     * discarded, and an ICMPv4 'Destination Unreachable, Source Route Failed' (Type 3, Code 5)
     * error message SHOULD be returned to the sender."
     */
    @Test
    void sourceRoute(TestInfo info) {
        answers(harness(), LSRR_IN, DropReason.SOURCE_ROUTE, """
                45 00 00 48   # version 4, IHL 5, TOS 0x00, total length 72
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                40 01 f6 92   # TTL 64, protocol 1, header checksum
                c0 00 02 01   # source 192.0.2.1 (the translator)
                c0 00 02 21   # destination 192.0.2.33
                03 05 e9 7a   # ICMPv4 type 3, code 5, checksum
                00 00 00 00   # unused
                47 00 00 2c   # quoted: version 4, IHL 7, TOS 0x00, total length 44
                12 34 40 00   # quoted: identification 0x1234, DF, fragment offset 0
                40 11 07 6f   # quoted: TTL 64, protocol 17, header checksum
                c0 00 02 21   # quoted: source 192.0.2.33
                c6 33 64 05   # quoted: destination 198.51.100.5
                01 83 07 04   # quoted: options
                c6 33 64 09
                00 09 9c 40   # quoted: UDP source port 9, destination port 40000
                00 10 b8 b3   # quoted: UDP length 16, checksum
                69 73 74 68   # quoted: payload
                6d 75 73 21
                """, info);
    }

    /** §4.1 / RFC 791: a source route whose pointer is past its length is spent, hence ignored. */
    @Test
    void expiredSourceRoute(TestInfo info) {
        translates(harness(), """
                47 00 00 2c   # version 4, IHL 7, TOS 0x00, total length 44
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 11 07 6b   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                01 83 07 08   # options: no-op; loose source route, length 7, pointer 8
                c6 33 64 09   #   route data 198.51.100.9
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, UDP_OUT_TC0, info);
    }

    /** RFC 791 §3.1: an option whose length runs past the header is malformed; silently dropped. */
    @Test
    void malformedOptions() {
        byte[] in = ipv4(S4, C4, 17, 64, 0, 0x1234, 0x4000, new byte[] {7, 9, 4, 0, 0, 0, 0, 0},
                udp(9, 40000, new byte[8]));
        drops(harness(), in, DropReason.BAD_IPV4_OPTIONS);
    }

    /**
     * §4.1 Hop Limit: the translator "MUST check for zero and send the ICMPv4 'TTL Exceeded'"; a
     * TTL of 1 would leave as Hop Limit 0.
     */
    @Test
    void ttlExpired(TestInfo info) {
        answers(harness(), """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                01 11 7b 3b   # TTL 1, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, DropReason.TTL_EXPIRED, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                40 01 f6 9a   # TTL 64, protocol 1, header checksum
                c0 00 02 01   # source 192.0.2.1 (the translator)
                c0 00 02 21   # destination 192.0.2.33
                0b 00 e1 7b   # ICMPv4 type 11, code 0, checksum
                00 00 00 00   # unused
                45 00 00 24   # quoted: version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # quoted: identification 0x1234, DF, fragment offset 0
                01 11 7b 3b   # quoted: TTL 1, protocol 17, header checksum
                c0 00 02 21   # quoted: source 192.0.2.33
                c6 33 64 05   # quoted: destination 198.51.100.5
                00 09 9c 40   # quoted: UDP source port 9, destination port 40000
                00 10 b8 b7   # quoted: UDP length 16, checksum
                69 73 74 68   # quoted: payload
                6d 75 73 21
                """, info);
    }

    /** §4.1: TTL 0 never arrives from a router, but is expired all the same. */
    @Test
    void ttlZero() {
        Harness h = harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(ipv4(S4, C4, 17, 0, 0, udp(9, 40000, new byte[8]))));
        assertEquals(DropReason.TTL_EXPIRED, h.trace().reason());
    }

    /** §4.4: the translator "SHOULD allow an administrator to configure whether the ICMPv4 error messages are sent". */
    @Test
    void ttlExpiredWithErrorsOff() {
        Harness h = settings().icmpErrors(false).harness();
        drops(h, ipv4(S4, C4, 17, 1, 0, udp(9, 40000, new byte[8])), DropReason.TTL_EXPIRED);
    }

    /** RFC 1812 §5.2.2: a router verifies the IPv4 header checksum and silently drops on failure. */
    @Test
    void badHeaderChecksum() {
        byte[] in = hex(UDP_IN);
        in[10] ^= 1;
        drops(harness(), in, DropReason.BAD_IPV4_HEADER);
    }

    /**
     * §4.1 Source Address: "If the translator gets an illegal source address (e.g., 0.0.0.0,
     * 127.0.0.1, etc.), the translator SHOULD silently drop the packet (as discussed in Section 5.3.7
     * of [RFC1812])".
     */
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255"})
    void illegalSource(String source) {
        drops(harness(), ipv4(source, C4, 17, 64, 0, udp(9, 40000, new byte[8])), DropReason.ILLEGAL_SOURCE);
    }

    /** §1.2: multicast is not translated; the limited broadcast never leaves its link. */
    @ParameterizedTest
    @ValueSource(strings = {"224.0.0.251", "239.1.2.3", "255.255.255.255"})
    void multicastDestination(String destination) {
        drops(harness(), ipv4(S4, destination, 17, 64, 0, udp(9, 40000, new byte[8])), DropReason.MULTICAST);
    }

    /**
     * §6 / RFC 7757 §3.3: no EAM and no pool6 for the destination → untranslatable; §4.4: "the
     * translator SHOULD be able to send back an ICMPv4 error message ... Type of 3 (Destination
     * Unreachable) and a Code of 13 (Communication Administratively Prohibited)".
     */
    @Test
    void untranslatableDestination(TestInfo info) {
        Harness h = answers(settings().pool6(null).harness(), """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 11 3c 0f   # TTL 64, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 4d   # destination 192.0.2.77 (no EAM, no pool6)
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 b8 8b   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, DropReason.UNTRANSLATABLE_DESTINATION, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                40 01 8e 83   # TTL 64, protocol 1, header checksum
                c0 00 02 01   # source 192.0.2.1 (the translator)
                c6 33 64 05   # destination 198.51.100.5
                03 0d e9 9a   # ICMPv4 type 3, code 13, checksum
                00 00 00 00   # unused
                45 00 00 24   # quoted: version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # quoted: identification 0x1234, DF, fragment offset 0
                40 11 3c 0f   # quoted: TTL 64, protocol 17, header checksum
                c6 33 64 05   # quoted: source 198.51.100.5
                c0 00 02 4d   # quoted: destination 192.0.2.77
                9c 40 00 09   # quoted: UDP source port 40000, destination port 9
                00 10 b8 8b   # quoted: UDP length 16, checksum
                69 73 74 68   # quoted: payload
                6d 75 73 21
                """, info);
        assertEquals(MappingKind.EAM, h.trace().sourceMapping());
    }

    /** §6: a source without EAM or pool6 representation is untranslatable; §4.4 answers 3/13. */
    @Test
    void untranslatableSource(TestInfo info) {
        answers(settings().pool6(null).harness(), """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 11 3c 3b   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33 (no EAM, no pool6)
                c6 33 64 05   # destination 198.51.100.5
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, DropReason.UNTRANSLATABLE_SOURCE, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                40 01 f6 9a   # TTL 64, protocol 1, header checksum
                c0 00 02 01   # source 192.0.2.1 (the translator)
                c0 00 02 21   # destination 192.0.2.33
                03 0d e9 6e   # ICMPv4 type 3, code 13, checksum
                00 00 00 00   # unused
                45 00 00 24   # quoted: version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # quoted: identification 0x1234, DF, fragment offset 0
                40 11 3c 3b   # quoted: TTL 64, protocol 17, header checksum
                c0 00 02 21   # quoted: source 192.0.2.33
                c6 33 64 05   # quoted: destination 198.51.100.5
                00 09 9c 40   # quoted: UDP source port 9, destination port 40000
                00 10 b8 b7   # quoted: UDP length 16, checksum
                69 73 74 68   # quoted: payload
                6d 75 73 21
                """, info);
    }

    /**
     * RFC 6052 §3.1: the well-known prefix 64:ff9b::/96 must not represent non-global IPv4
     * addresses (192.0.2.33 is documentation space); the packet is refused (§4.4: 3/13).
     */
    @Test
    void wellKnownPrefixRefusesNonGlobal() {
        Harness h = settings().pool6("64:ff9b::/96").harness();
        assertEquals(Verdict.ICMP_ERROR, h.run(hex(UDP_IN)));
        assertEquals(DropReason.WKP_NON_GLOBAL, h.trace().reason());
        assertEquals(1, h.counters.drops(DropReason.WKP_NON_GLOBAL));
    }

    /**
     * §4.5: an unfragmented UDP datagram with checksum 0 is dropped by default ("drop and log"),
     * and, as §4.4 says of every packet the translator discards, answered with 3/13
     * (Communication Administratively Prohibited), so that the sender learns why.
     */
    @Test
    void udpZeroChecksumRefused(TestInfo info) {
        answers(harness(), """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 11 3c 3b   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 10 00 00   # UDP length 16, checksum 0 (none)
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, DropReason.UDP_ZERO_CHECKSUM, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                40 01 f6 9a   # TTL 64, protocol 1, header checksum
                c0 00 02 01   # source 192.0.2.1 (the translator)
                c0 00 02 21   # destination 192.0.2.33
                03 0d a2 26   # ICMPv4 type 3, code 13, checksum
                00 00 00 00   # unused
                45 00 00 24   # quoted: version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # quoted: identification 0x1234, DF, fragment offset 0
                40 11 3c 3b   # quoted: TTL 64, protocol 17, header checksum
                c0 00 02 21   # quoted: source 192.0.2.33
                c6 33 64 05   # quoted: destination 198.51.100.5
                00 09 9c 40   # quoted: UDP source port 9, destination port 40000
                00 10 00 00   # quoted: UDP length 16, checksum 0
                69 73 74 68   # quoted: payload
                6d 75 73 21
                """, info);
    }

    /**
     * The answer is rate limited like every error the translator originates (§4.4): at one per
     * second, of two refusals in the same instant only the first is answered; both are counted.
     */
    @Test
    void udpZeroChecksumAnswersAreRateLimited() {
        Harness h = settings().icmpErrorsPerSecond(1).harness();
        byte[] in = ipv4(S4, C4, 17, 64, 0, Xlat46Fixtures.udpNoChecksum(9, 40000, "isthmus!".getBytes()));
        assertEquals(Verdict.ICMP_ERROR, h.run(in));
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.UDP_ZERO_CHECKSUM, h.trace().reason());
        assertEquals(2, h.counters.drops(DropReason.UDP_ZERO_CHECKSUM));
        assertEquals(1, h.counters.paths(Path.ORIGINATED_ICMPV4));
        assertEquals(1, h.counters.paths(Path.ICMP_ERROR_RATE_LIMITED));
    }

    /**
     * §4.5 option 2: "Calculating an IPv6 checksum and forwarding the packet" — IPv6 forbids a zero
     * UDP checksum (RFC 8200 §8.1).
     */
    @Test
    void udpZeroChecksumComputed(TestInfo info) {
        translates(settings().udpZeroChecksumCompute(true).harness(), """
                45 00 00 24   # version 4, IHL 5, TOS 0x00, total length 36
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 11 3c 3b   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 10 00 00   # UDP length 16, checksum 0 (none)
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """, UDP_OUT_TC0, info);
    }

    /**
     * §4.5: "when a stateless translator receives the first fragment of a fragmented UDP IPv4 packet
     * and the checksum field is zero, the translator SHOULD drop the packet" — even when it would
     * compute the checksum of an unfragmented one; answered with 3/13 (§4.4) like the
     * unfragmented refusal (the first fragment may be answered, RFC 1812 §4.3.2.7).
     */
    @Test
    void udpZeroChecksumFragment(TestInfo info) {
        answers(settings().udpZeroChecksumCompute(true).harness(), """
                45 00 00 34   # version 4, IHL 5, TOS 0x00, total length 52
                12 34 20 00   # identification 0x1234, MF, fragment offset 0
                40 11 5c 2b   # TTL 64, protocol 17, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                00 09 9c 40   # UDP source port 9, destination port 40000
                00 20 00 00   # UDP length 32 (more in later fragments), checksum 0 (none)
                00 00 00 00   # payload
                00 00 00 00
                00 00 00 00
                00 00 00 00
                00 00 00 00
                00 00 00 00
                """, DropReason.UDP_ZERO_CHECKSUM_FRAGMENT, """
                45 00 00 50   # version 4, IHL 5, TOS 0x00, total length 80
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                40 01 f6 8a   # TTL 64, protocol 1, header checksum
                c0 00 02 01   # source 192.0.2.1 (the translator)
                c0 00 02 21   # destination 192.0.2.33
                03 0d 60 89   # ICMPv4 type 3, code 13, checksum
                00 00 00 00   # unused
                45 00 00 34   # quoted: version 4, IHL 5, TOS 0x00, total length 52
                12 34 20 00   # quoted: identification 0x1234, MF, fragment offset 0
                40 11 5c 2b   # quoted: TTL 64, protocol 17, header checksum
                c0 00 02 21   # quoted: source 192.0.2.33
                c6 33 64 05   # quoted: destination 198.51.100.5
                00 09 9c 40   # quoted: UDP source port 9, destination port 40000
                00 20 00 00   # quoted: UDP length 32, checksum 0
                00 00 00 00   # quoted: payload
                00 00 00 00
                00 00 00 00
                00 00 00 00
                00 00 00 00
                00 00 00 00
                """, info);
    }

    /**
     * §4.5: "translators MUST forward all transport protocols as described in the 'Next Header' step
     * of Section 4.1": protocol 253 (RFC 3692 experimentation, standing for any protocol this
     * translator does not know) keeps its bytes, only the IP header is translated.
     */
    @Test
    void otherProtocolForwarded(TestInfo info) {
        Harness h = translates(harness(), """
                45 00 00 20   # version 4, IHL 5, TOS 0x00, total length 32
                12 34 40 00   # identification 0x1234, DF, fragment offset 0
                40 fd 3b 53   # TTL 64, protocol 253, header checksum
                c0 00 02 21   # source 192.0.2.33
                c6 33 64 05   # destination 198.51.100.5
                01 02 03 04   # payload
                05 06 07 08
                09 0a 0b 0c
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 0c fd 3f   # payload length 12, next header 253, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 02 03 04   # payload
                05 06 07 08
                09 0a 0b 0c
                """, info);
        assertEquals(1, h.counters.paths(Path.OTHER_46));
    }

    /** §4.2 IGMP: "SHOULD be silently dropped by the translator". */
    @Test
    void igmpDropped() {
        byte[] igmp = hex("11 64 ee 9b 00 00 00 00"); // membership query
        drops(harness(), ipv4(S4, C4, 2, 1, 0, igmp), DropReason.PROTOCOL_UNSUPPORTED);
    }

    /** Ethernet padding after the packet: the Total Length says where it ends. */
    @Test
    void trailingPaddingTrimmed(TestInfo info) {
        translates(harness(), concat(hex(UDP_IN), new byte[10]), UDP_OUT, info);
    }

    /** A packet shorter than its Total Length, or than a header, is truncated. */
    @Test
    void truncated() {
        byte[] in = hex(UDP_IN);
        for (int n = 0; n < in.length; n++) {
            Harness h = harness();
            assertEquals(Verdict.DROPPED, h.run(Arrays.copyOf(in, n)));
            assertEquals(DropReason.TRUNCATED, h.trace().reason(), "length " + n);
        }
    }

    /** RFC 791 §3.1: IHL below 5, or a Total Length shorter than the header, is a bad header. */
    @Test
    void badHeaderLengths() {
        byte[] ihl4 = hex(UDP_IN);
        ihl4[0] = 0x44;
        drops(harness(), refreshHeaderChecksum(ihl4), DropReason.BAD_IPV4_HEADER);
        byte[] shortTotal = hex(UDP_IN);
        shortTotal[3] = 16;
        drops(harness(), refreshHeaderChecksum(shortTotal), DropReason.BAD_IPV4_HEADER);
    }

    /** A version other than 4 handed to this direction. */
    @Test
    void badVersion() {
        byte[] in = hex(UDP_IN);
        in[0] = 0x55;
        drops(harness(), in, DropReason.BAD_VERSION);
    }

    /** A first fragment or whole packet whose transport header is cut short cannot be translated. */
    @Test
    void transportHeaderTruncated() {
        drops(harness(), ipv4(S4, C4, 17, 64, 0, new byte[] {0, 9, (byte) 0x9c, 0x40}), DropReason.BAD_L4_HEADER);
        drops(harness(), ipv4(S4, C4, 6, 64, 0, new byte[12]), DropReason.BAD_L4_HEADER);
        drops(harness(), ipv4(S4, C4, 1, 64, 0, new byte[4]), DropReason.BAD_L4_HEADER);
    }

    /** {@link Translator} hands version-4 packets to this direction. */
    @Test
    void dispatchedByTranslator() {
        Translator t = new Translator(settings().build(), new XlatCounters(), () -> 0L);
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        b.load(hex(UDP_IN));
        List<byte[]> out = new ArrayList<>();
        assertEquals(Verdict.TRANSLATED, t.translate(b, (s, o, l) ->
                out.add(s.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE))));
        assertEquals(rows(hex(UDP_OUT)), rows(out.get(0)));
        assertEquals(Verdict.TRANSLATED, t.trace().verdict());
    }

    /**
     * RFC 7757 §4.2 hairpinning: 2001:db8:6::5 sends to 2001:db8:64::cb00:7107, the pool6 form of
     * 203.0.113.7, which the EAM gives to the IPv6 node 2001:db8:7::7. The 6→4 translation comes
     * straight back through this direction: the destination by the EAM, the source by pool6 (the
     * peer sees the sender through pool6, as the sender sees the peer, so replies hairpin too), and
     * the Hop Limit decremented once for the one router the translator is.
     */
    @Test
    void hairpinned(TestInfo info) {
        Translator t = new Translator(settings().hairpin(HairpinMode.INTRINSIC).build(), new XlatCounters(), () -> 0L);
        byte[] in = hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 11 40   # payload length 16, next header 17, hop limit 64
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::cb00:7107
                00 64 00 00
                00 00 00 00
                cb 00 71 07
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 0d 29   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """);
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        b.load(in);
        List<byte[]> out = new ArrayList<>();
        t.translate(b, (s, o, l) -> out.add(s.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE)));
        assertTrue(t.trace().hairpinned());
        assertEquals(1, out.size(), () -> "reason " + t.trace().reason());
        assertEquals(rows(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # payload length 16, next header 17, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c633:6405 (pool6 form of 198.51.100.5)
                00 64 00 00
                00 00 00 00
                c6 33 64 05
                20 01 0d b8   # destination 2001:db8:7::7 (EAM)
                00 07 00 00
                00 00 00 00
                00 00 00 07
                9c 40 00 09   # UDP source port 40000, destination port 9
                00 10 1e f5   # UDP length 16, checksum
                69 73 74 68   # payload "isthmus!"
                6d 75 73 21
                """)), rows(out.get(0)));
        assertIpv6Valid(out.get(0));
        Xlat46Fixtures.writePcap("46-" + info.getTestMethod().orElseThrow().getName(), in, out);
    }

    /** Translation writes only in front of the payload: the bytes after the packet stay untouched. */
    @Test
    void writesNothingBehindThePacket() {
        Harness h = harness();
        byte[] in = hex(UDP_IN);
        h.buffer.segment().fill((byte) 0x5a);
        h.run(in);
        MemorySegment s = h.buffer.segment();
        for (int i = PacketBuffer.HEADROOM + in.length; i < PacketBuffer.HEADROOM + in.length + 64; i++) {
            assertEquals(0x5a, s.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
    }
}
