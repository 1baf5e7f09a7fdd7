package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat46Fixtures.C4;
import static dev.isthmus.xlat.Xlat46Fixtures.R4;
import static dev.isthmus.xlat.Xlat46Fixtures.S4;
import static dev.isthmus.xlat.Xlat46Fixtures.assertIpv6Valid;
import static dev.isthmus.xlat.Xlat46Fixtures.concat;
import static dev.isthmus.xlat.Xlat46Fixtures.harness;
import static dev.isthmus.xlat.Xlat46Fixtures.hex;
import static dev.isthmus.xlat.Xlat46Fixtures.icmp;
import static dev.isthmus.xlat.Xlat46Fixtures.ipv4;
import static dev.isthmus.xlat.Xlat46Fixtures.pattern;
import static dev.isthmus.xlat.Xlat46Fixtures.rows;
import static dev.isthmus.xlat.Xlat46Fixtures.settings;
import static dev.isthmus.xlat.Xlat46Fixtures.u16;
import static dev.isthmus.xlat.Xlat46Fixtures.u32;
import static dev.isthmus.xlat.Xlat46Fixtures.u8;
import static dev.isthmus.xlat.Xlat46Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.xlat.Xlat46Fixtures.Harness;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 7915 §4.2 (ICMPv4 → ICMPv6) and §4.3 (the packet inside an ICMP error), over literal
 * packets. The errors come from the IPv4 router 192.0.2.99 (pool6 2001:db8:64::c000:263) and
 * concern packets the IPv6 client 2001:db8:6::5 (EAM 198.51.100.5) sent to the server 192.0.2.33,
 * as they looked once translated to IPv4.
 */
class Translator46IcmpTest {

    static Harness translates(Harness h, String in, String expected, TestInfo info) {
        return Translator46Test.translates(h, in, expected, info);
    }

    /**
     * The packet in error of most tests, as the IPv4 side saw it: UDP 198.51.100.5 port 40000 →
     * 192.0.2.33 port 9, TTL 63, "isthmus!". Used with {@link #error4}.
     */
    static byte[] innerUdp() {
        return ipv4(C4, S4, 17, 63, 0, 0xabcd, 0, new byte[0], udp(40000, 9, "isthmus!".getBytes()));
    }

    /** An ICMPv4 error from the router about {@code inner} (checksums valid). */
    static byte[] error4(int type, int code, int rest, byte[] inner) {
        return ipv4(R4, C4, 1, 64, 0, 0x4321, 0, new byte[0], icmp(type, code, rest, inner));
    }

    /**
     * §4.2 Destination Unreachable code 3 (port unreachable) → 1/4; §4.3: the inner IPv4 header
     * becomes IPv6 (TTL kept as the Hop Limit), its addresses mapped back (EAM, pool6), the inner
     * UDP checksum adjusted; the outer Payload Length follows the growth; the outer Hop Limit is
     * decremented as for any packet.
     */
    @Test
    void destinationUnreachable(TestInfo info) {
        Harness h = translates(harness(), """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                03 03 e9 78   # ICMPv4 type 3, code 3, checksum
                00 00 00 00   # unused / length / next-hop MTU
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 e3 a1   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # inner UDP length 16, checksum
                69 73 74 68   # inner payload "isthmus!"
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 04 6f 0e   # ICMPv6 type 1, code 4, checksum
                00 00 00 00   # length / unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload "isthmus!" length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
        assertEquals(1, h.counters.paths(Path.ICMP_ERROR_46));
        assertEquals(MappingKind.POOL6, h.trace().sourceMapping());
        assertEquals(MappingKind.EAM, h.trace().destinationMapping());
    }

    /** §4.2 Destination Unreachable code 2 (protocol unreachable) → Parameter Problem 4/1, pointer 6. */
    @Test
    void protocolUnreachable(TestInfo info) {
        translates(harness(), """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                03 02 e9 79   # ICMPv4 type 3, code 2, checksum
                00 00 00 00   # unused / length / next-hop MTU
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 e3 a1   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                04 01 6c 0b   # ICMPv6 type 4, code 1, checksum
                00 00 00 06   # pointer 6 (Next Header)
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /**
     * §4.2 Destination Unreachable code 4 → Packet Too Big 2/0, MTU = minimum(advertised MTU + 20,
     * MTU of the IPv6 next hop, MTU of the IPv4 next hop + 20) = min(1420, 1500, 1520).
     */
    @Test
    void fragmentationNeeded(TestInfo info) {
        translates(harness(), """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                03 04 e3 ff   # ICMPv4 type 3, code 4, checksum
                00 00 05 78   # unused, next-hop MTU 1400
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 e3 a1   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                02 00 68 86   # ICMPv6 type 2, code 0, checksum
                00 00 05 8c   # MTU 1420
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /** §4.2 Time Exceeded 11 → 3, "The Code is unchanged"; §4.3: inner TCP checksum adjusted. */
    @Test
    void timeExceeded(TestInfo info) {
        translates(harness(), """
                45 00 00 44   # version 4, IHL 5, TOS 0x00, total length 68
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4a fc   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                0b 00 e1 74   # ICMPv4 type 11, code 0, checksum
                00 00 00 00   # unused / length
                45 00 00 28   # inner version 4, IHL 5, TOS 0x00, total length 40
                ab ce 00 00   # inner identification 0xabce, no flags, fragment offset 0
                01 06 21 a8   # inner TTL 1, protocol 6, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 41 00 50   # inner TCP source port 40001, destination port 80
                00 00 00 01   # inner sequence number 1
                00 00 00 00   # inner acknowledgment number 0
                50 02 ff ff   # inner data offset 5, flags 0x02, window 65535
                26 f6 00 00   # inner TCP checksum, urgent pointer 0
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 44 3a 3f   # payload length 68, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 78 41   # ICMPv6 type 3, code 0, checksum
                00 00 00 00   # length / unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 14 06 01   # inner payload length 20, next header 6, hop limit 1
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 41 00 50   # inner TCP source port 40001, destination port 80
                00 00 00 01   # inner sequence number 1
                00 00 00 00   # inner acknowledgment number 0
                50 02 ff ff   # inner data offset 5, flags 0x02, window 65535
                f5 4d 00 00   # inner TCP checksum, urgent pointer 0
                """, info);
    }

    /** §4.2 Parameter Problem 12/0 → 4/0 with the pointer of Figure 3: 9 (Protocol) → 6 (Next Header). */
    @Test
    void parameterProblem(TestInfo info) {
        translates(harness(), """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                0c 00 d7 7b   # ICMPv4 type 12, code 0, checksum
                09 00 00 00   # pointer 9 (Protocol)
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 e3 a1   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                04 00 6c 0c   # ICMPv6 type 4, code 0, checksum
                00 00 00 06   # pointer 6 (Next Header)
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /**
     * §4.3: an error about an Echo Request: the inner ICMPv4 becomes ICMPv6 (type 8 → 128, Protocol 1
     * → Next Header 58) and its checksum takes the pseudo-header; 3/1 (host unreachable) → 1/0.
     */
    @Test
    void errorAboutEcho(TestInfo info) {
        translates(harness(), """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                03 01 fc fe   # ICMPv4 type 3, code 1, checksum
                00 00 00 00   # unused / length / next-hop MTU
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cf 00 00   # inner identification 0xabcf, no flags, fragment offset 0
                3f 01 e3 af   # inner TTL 63, protocol 1, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                08 00 27 58   # inner ICMPv4 type 8, code 0, checksum
                12 34 00 01   # inner identifier 0x1234, sequence 1
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 00 46 3b   # ICMPv6 type 1, code 0, checksum
                00 00 00 00   # length / unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 3a 3f   # inner payload length 16, next header 58, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                80 00 91 0a   # inner ICMPv6 type 128, code 0, checksum
                12 34 00 01   # inner identifier 0x1234, sequence 1
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /**
     * §4.1 Source Address and RFC 6791: an ICMPv4 error from a router with no IPv6 representation
     * (here no pool6, and no EAM for 192.0.2.99) still reaches the IPv6 host, from the RFC 6791
     * address; the inner addresses are both EAM-mapped.
     */
    @Test
    void untranslatableRouterUsesRfc6791(TestInfo info) {
        Harness h = translates(settings().pool6(null).harness(), """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99 (no EAM, no pool6)
                c6 33 64 05   # destination 198.51.100.5
                0b 00 5b 62   # ICMPv4 type 11, code 0, checksum
                00 00 00 00   # unused / length
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 69 bb   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                cb 00 71 07   # inner destination 203.0.113.7
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 3e d1   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:6791::1 (RFC 6791)
                67 91 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 c8 47   # ICMPv6 type 3, code 0, checksum
                00 00 00 00   # length / unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:7::7
                00 07 00 00
                00 00 00 00
                00 00 00 07
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 49 87   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
        assertEquals(MappingKind.RFC6791, h.trace().sourceMapping());
    }

    /** Without an RFC 6791 address the translator's own IPv6 address stands in. */
    @Test
    void untranslatableRouterUsesOwnAddress(TestInfo info) {
        translates(settings().pool6(null).rfc6791(null).harness(), """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99 (no EAM, no pool6)
                c6 33 64 05   # destination 198.51.100.5
                0b 00 5b 62   # ICMPv4 type 11, code 0, checksum
                00 00 00 00   # unused / length
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 69 bb   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                cb 00 71 07   # inner destination 203.0.113.7
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 3e d1   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:ffff::1 (the translator)
                ff ff 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 2f d9   # ICMPv6 type 3, code 0, checksum
                00 00 00 00   # length / unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:7::7
                00 07 00 00
                00 00 00 00
                00 00 00 07
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 49 87   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /** And with neither, the error cannot be translated. */
    @Test
    void untranslatableRouterWithoutAddress() {
        Harness h = settings().pool6(null).rfc6791(null).own6(null).harness();
        assertEquals(Verdict.DROPPED, h.run(hex("""
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4b 00   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99 (no EAM, no pool6)
                c6 33 64 05   # destination 198.51.100.5
                0b 00 5b 62   # ICMPv4 type 11, code 0, checksum
                00 00 00 00   # unused / length
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 69 bb   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                cb 00 71 07   # inner destination 203.0.113.7
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 3e d1   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """)));
        assertEquals(DropReason.UNTRANSLATABLE_SOURCE, h.trace().reason());
    }

    /**
     * §4.1 Source Address: "when translating ICMPv4 Error Messages into ICMPv6, the 'illegal' source
     * address will be translated for the purpose of trouble shooting": an error from 127.0.0.1.
     */
    @Test
    void illegalSourceOfAnErrorIsTranslated() {
        Harness h = harness();
        byte[] in = ipv4("127.0.0.1", C4, 1, 64, 0, 0x4321, 0, new byte[0], icmp(3, 3, 0, innerUdp()));
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertIpv6Valid(out);
        assertArrayEquals(hex("2001 0db8 0064 0000 0000 0000 7f00 0001"), Arrays.copyOfRange(out, 8, 24));
    }

    /**
     * §4.3 with §4.1 Fragment Header: the packet in error was a first fragment (MF set), so its IPv6
     * form carries a Fragment Header (offset and M copied, Identification in the low 16 bits); its UDP
     * checksum, which covers the whole datagram, is adjusted all the same.
     */
    @Test
    void packetInErrorIsAFragment(TestInfo info) {
        translates(harness(), """
                45 00 00 50   # version 4, IHL 5, TOS 0x00, total length 80
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4a f0   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                03 03 49 24   # ICMPv4 type 3, code 3, checksum
                00 00 00 00   # unused / length / next-hop MTU
                45 00 00 34   # inner version 4, IHL 5, TOS 0x00, total length 52
                ab cd 20 00   # inner identification 0xabcd, MF, fragment offset 0
                3f 11 c3 91   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 48 92 b6   # inner UDP length 72, checksum (of the whole datagram)
                00 01 02 03   # inner payload
                04 05 06 07
                08 09 0a 0b
                0c 0d 0e 0f
                10 11 12 13
                14 15 16 17
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 58 3a 3f   # payload length 88, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 04 f6 ba   # ICMPv6 type 1, code 4, checksum
                00 00 00 00   # length / unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 28 2c 3f   # inner payload length 40, next header 44, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                11 00 00 01   # inner fragment header: next header 17, offset 0, M 1
                00 00 ab cd   # inner identification 0xabcd
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 48 61 0e   # inner UDP length 72, checksum (of the whole datagram)
                00 01 02 03   # inner payload
                04 05 06 07
                08 09 0a 0b
                0c 0d 0e 0f
                10 11 12 13
                14 15 16 17
                """, info);
    }

    /**
     * RFC 4884 / §4.2 "ICMP Error Payload": a Time Exceeded with a length attribute (32 words of
     * original datagram) and an extension structure. The original datagram grows to 148 bytes, is
     * padded to 152 (a multiple of 8), the length attribute says 19 64-bit words, and the extension
     * follows unchanged.
     */
    @Test
    void icmpExtension(TestInfo info) {
        translates(harness(), """
                45 00 00 a8   # version 4, IHL 5, TOS 0x00, total length 168
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4a 98   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                0b 00 e1 b7   # ICMPv4 type 11, code 0, checksum
                00 20 00 00   # length 32 (32-bit words: 128 bytes of original datagram)
                45 00 00 80   # inner version 4, IHL 5, TOS 0x00, total length 128
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 e3 45   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 6c 60 ff   # inner UDP length 108, checksum
                00 07 0e 15   # inner payload
                1c 23 2a 31
                38 3f 46 4d
                54 5b 62 69
                70 77 7e 85
                8c 93 9a a1
                a8 af b6 bd
                c4 cb d2 d9
                e0 e7 ee f5
                fc 03 0a 11
                18 1f 26 2d
                34 3b 42 49
                50 57 5e 65
                6c 73 7a 81
                88 8f 96 9d
                a4 ab b2 b9
                c0 c7 ce d5
                dc e3 ea f1
                f8 ff 06 0d
                14 1b 22 29
                30 37 3e 45
                4c 53 5a 61
                68 6f 76 7d
                84 8b 92 99
                a0 a7 ae b5
                20 00 de cc   # extension: version 2, checksum
                00 08 01 01   # object: length 8, class 1, c-type 1
                00 00 00 2a
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 ac 3a 3f   # payload length 172, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 59 a6   # ICMPv6 type 3, code 0, checksum
                13 00 00 00   # length 19 (64-bit words: 152 bytes of original datagram)
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 6c 11 3f   # inner payload length 108, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 6c 2f 57   # inner UDP length 108, checksum
                00 07 0e 15   # inner payload
                1c 23 2a 31
                38 3f 46 4d
                54 5b 62 69
                70 77 7e 85
                8c 93 9a a1
                a8 af b6 bd
                c4 cb d2 d9
                e0 e7 ee f5
                fc 03 0a 11
                18 1f 26 2d
                34 3b 42 49
                50 57 5e 65
                6c 73 7a 81
                88 8f 96 9d
                a4 ab b2 b9
                c0 c7 ce d5
                dc e3 ea f1
                f8 ff 06 0d
                14 1b 22 29
                30 37 3e 45
                4c 53 5a 61
                68 6f 76 7d
                84 8b 92 99
                a0 a7 ae b5
                00 00 00 00   # padding to a multiple of 8 (RFC 4884 §4)
                20 00 de cc   # extension: version 2, checksum
                00 08 01 01   # object: length 8, class 1, c-type 1
                00 00 00 2a
                """, info);
    }

    /**
     * RFC 4884 §4.5 with RFC 4443 §2.4(c) and RFC 7915 §4.2 ("SHOULD be simply truncated"): 1020
     * bytes of IPv4 original datagram (255 words, the most the attribute can say; the first 1020
     * of a 1400-byte packet) and a 240-byte extension. Translated, 1040 bytes of original
     * datagram and the extension would make a 1328-byte ICMPv6 error; the extension is kept and
     * the original datagram trimmed to the 992 bytes (124 64-bit words) that fit beside it in
     * 1280.
     */
    @Test
    void icmpExtensionKeptDatagramTrimmed(TestInfo info) {
        byte[] inner = Arrays.copyOf(
                ipv4(C4, S4, 17, 63, 0, 0xabcd, 0, new byte[0], udp(40000, 9, pattern(1372, 3))), 1020);
        byte[] ext = IcmpExtensionTest.structure(240, 9);
        byte[] in = error4(11, 0, (inner.length / 4) << 16, concat(inner, ext));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertIpv6Valid(out);
        assertEquals(1280, out.length);
        assertEquals(3, u8(out, 40), "Time Exceeded");
        assertEquals(rows(hex("""
                7c 00 00 00   # length 124 (992 bytes of original datagram)
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                05 64 11 3f   # inner payload length 1380 (the original's), next header 17, hop limit 63
                """)), rows(Arrays.copyOfRange(out, 44, 56)));
        assertArrayEquals(Arrays.copyOfRange(inner, 28, 28 + 944), Arrays.copyOfRange(out, 96, 1040),
                "the original datagram, trimmed");
        assertArrayEquals(ext, Arrays.copyOfRange(out, 1040, 1280), "the extension, unchanged");
        assertEquals(0xffff, Xlat46Fixtures.sum(out, 1040, 240, 0), "its own checksum (RFC 4884 §7) still valid");
        Xlat46Fixtures.writePcap("46-icmpExtensionKeptDatagramTrimmed", in, h.out);
    }

    /**
     * RFC 4884 §4: a 1112-byte extension cannot have the 128 bytes of original datagram it needs
     * beside it in 1280 (48 + 128 + 1112 = 1288): it is left out (length attribute 0), and the
     * translated original datagram goes whole. It always fits then: the largest original datagram
     * a length attribute can mark (255 32-bit words, 1020 bytes) is at most 1056 bytes translated,
     * so this direction never needs to leave the extension out and truncate as well.
     */
    @ParameterizedTest(name = "a {0}-byte packet in error")
    @CsvSource({"128", "1020"})
    void icmpExtensionLeftOutWhenTooBig(int packet) {
        byte[] inner = ipv4(C4, S4, 17, 63, 0, 0xabcd, 0, new byte[0], udp(40000, 9, pattern(packet - 28, 3)));
        byte[] in = error4(11, 0, (packet / 4) << 16, concat(inner, IcmpExtensionTest.structure(1112, 9)));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertIpv6Valid(out);
        assertEquals(40 + 8 + 40 + packet - 20, out.length);
        assertEquals(0, u32(out, 44), "length attribute 0");
        assertArrayEquals(Arrays.copyOfRange(inner, 28, packet), Arrays.copyOfRange(out, 96, out.length));
        Xlat46Fixtures.writePcap("46-icmpExtensionLeftOutWhenTooBig-" + packet, in, h.out);
    }

    /**
     * A length attribute that says fewer than 128 bytes (9 words, 36 bytes) on a message with an
     * extension breaks RFC 4884 §4 and is not the non-compliant form of §5.5 either (which has no
     * length attribute): the message is read as one without extension (§5.1), everything after
     * the ICMPv4 header being original datagram, and translated with length attribute 0. The
     * eight bytes after the quoted packet stay quoted bytes; nothing is padded or announced.
     */
    @Test
    void icmpExtensionLengthBelow128IsNoExtension(TestInfo info) {
        translates(harness(), """
                45 00 00 48   # version 4, IHL 5, TOS 0x00, total length 72
                43 21 00 00   # identification 0x4321, no flags, fragment offset 0
                40 01 4a f8   # TTL 64, protocol 1, header checksum
                c0 00 02 63   # source 192.0.2.99
                c6 33 64 05   # destination 198.51.100.5
                0b 00 e1 72   # ICMPv4 type 11, code 0, checksum
                00 09 00 00   # length 9 (36 bytes: fewer than RFC 4884's 128)
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                ab cd 00 00   # inner identification 0xabcd, no flags, fragment offset 0
                3f 11 e3 a1   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                c0 00 02 21   # inner destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # inner UDP length 16, checksum
                69 73 74 68   # inner payload "isthmus!"
                6d 75 73 21
                20 00 de fa   # what would be an extension header: version 2, checksum
                00 04 01 01   # and object: length 4, class 1, c-type 1
                """, """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 48 3a 3f   # payload length 72, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::c000:263
                00 64 00 00
                00 00 00 00
                c0 00 02 63
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 6d 0a   # ICMPv6 type 3, code 0, checksum
                00 00 00 00   # length 0: no extension
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                20 00 de fa   # the eight bytes after it, quoted as they came
                00 04 01 01
                """, info);
    }

    /**
     * RFC 4884 §4.1: ICMPv6 Parameter Problem has no length attribute, so an extension behind an
     * ICMPv4 Parameter Problem is left out; the original datagram ends where its length said.
     */
    @Test
    void icmpExtensionOnParameterProblemLeftOut() {
        byte[] inner = ipv4(C4, S4, 17, 63, 0, 0xabcd, 0, new byte[0], udp(40000, 9, pattern(100, 3)));
        byte[] ext = hex("20 00 de cc 00 08 01 01 00 00 00 2a");
        byte[] in = error4(12, 0, 9 << 24 | (inner.length / 4) << 16, concat(inner, ext));
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertIpv6Valid(out);
        assertEquals(40 + 8 + 40 + 108, out.length);
        assertEquals(0x04000000, u32(out, 40) & 0xffff0000);
        assertEquals(6, u32(out, 44), "pointer");
        Xlat46Fixtures.writePcap("46-icmpExtensionOnParameterProblemLeftOut", in, h.out);
    }

    /**
     * RFC 4443 §2.4(c): "Every ICMPv6 error message ... MUST NOT exceed the minimum IPv6 MTU"; an
     * ICMPv4 error quoting 1452 bytes becomes exactly 1280 bytes, its checksum over what remains.
     */
    @Test
    void truncatedTo1280() {
        byte[] inner = ipv4(C4, S4, 17, 63, 0, 0xabcd, 0, new byte[0], udp(40000, 9, pattern(1424, 5)));
        byte[] in = error4(3, 3, 0, inner);
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(in), () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertEquals(1280, out.length);
        assertIpv6Valid(out);
        assertEquals(1432, u16(out, 48 + 4), "inner Payload Length: the original's, not the quote's");
        assertArrayEquals(Arrays.copyOfRange(inner, 28, 28 + 1280 - 96), Arrays.copyOfRange(out, 96, 1280));
        Xlat46Fixtures.writePcap("46-truncatedTo1280", in, h.out);
    }

    /**
     * RFC 7757 §4.2: a hairpinned error. 2001:db8:7::7 (EAM 203.0.113.7) answers a packet it got from
     * 2001:db8:6::5 through pool6 with a port unreachable; the 6→4 translation hairpins back here.
     * The error's source is the node the packet in error went to, so it is shown through pool6, as
     * that packet's destination is: the client recognizes the error as about what it sent to
     * 2001:db8:64::cb00:7107. The Hop Limit is not decremented twice.
     */
    @Test
    void hairpinnedError(TestInfo info) {
        Harness h = harness();
        byte[] in = hex("""
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3f 01 15 7d   # TTL 63, protocol 1, header checksum
                cb 00 71 07   # source 203.0.113.7
                c6 33 64 05   # destination 198.51.100.5
                03 03 63 5f   # ICMPv4 type 3, code 3, checksum
                00 00 00 00   # unused / length / next-hop MTU
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                00 00 00 00   # inner identification 0x0000, no flags, fragment offset 0
                3f 11 15 89   # inner TTL 63, protocol 17, header checksum
                c6 33 64 05   # inner source 198.51.100.5
                cb 00 71 07   # inner destination 203.0.113.7
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 3e d1   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """);
        h.out.clear();
        h.buffer.load(in);
        h.ctx.trace.reset();
        h.ctx.trace.hairpinned = true;
        assertEquals(Verdict.TRANSLATED, h.t46.translate(h.buffer, h.sink), () -> "dropped: " + h.trace().reason());
        assertEquals(rows(hex("""
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3f   # payload length 64, next header 58, hop limit 63
                20 01 0d b8   # source 2001:db8:64::cb00:7107 (pool6, not the EAM)
                00 64 00 00
                00 00 00 00
                cb 00 71 07
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 04 f5 69   # ICMPv6 type 1, code 4, checksum
                00 00 00 00   # length / unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 11 3f   # inner payload length 16, next header 17, hop limit 63
                20 01 0d b8   # inner source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # inner destination 2001:db8:64::cb00:7107 (pool6)
                00 64 00 00
                00 00 00 00
                cb 00 71 07
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 0d 29   # inner UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """)), rows(h.only()));
        assertIpv6Valid(h.only());
        Xlat46Fixtures.writePcap("46-" + info.getTestMethod().orElseThrow().getName(), in, h.out);
    }

    /** §4.2: type and code of every ICMPv4 error, through the translator ("-" = silently dropped). */
    @ParameterizedTest(name = "{0}/{1} -> {2}/{3}")
    @CsvSource({
        "3, 0, 1, 0", "3, 1, 1, 0", "3, 2, 4, 1", "3, 3, 1, 4", "3, 4, 2, 0", "3, 5, 1, 0", "3, 6, 1, 0",
        "3, 7, 1, 0", "3, 8, 1, 0", "3, 9, 1, 1", "3, 10, 1, 1", "3, 11, 1, 0", "3, 12, 1, 0",
        "3, 13, 1, 1", "3, 14, -, -", "3, 15, 1, 1", "3, 16, -, -",
        "11, 0, 3, 0", "11, 1, 3, 1", "11, 2, -, -",
        "12, 0, 4, 0", "12, 1, -, -", "12, 2, 4, 0", "12, 3, -, -",
        "4, 0, -, -", "5, 0, -, -", "6, 0, -, -", "9, 0, -, -", "10, 0, -, -", "13, 0, -, -", "14, 0, -, -",
        "15, 0, -, -", "16, 0, -, -", "17, 0, -, -", "18, 0, -, -", "1, 0, -, -", "2, 0, -, -", "7, 0, -, -",
        "19, 0, -, -", "40, 0, -, -", "255, 0, -, -",
    })
    void typesAndCodes(int type4, int code4, String type6, String code6) {
        Harness h = harness();
        // Parameter Problem pointer 0 (version/IHL → 0); Fragmentation Needed MTU 1400.
        int rest = type4 == 3 && code4 == 4 ? 1400 : 0;
        Verdict v = h.run(error4(type4, code4, rest, innerUdp()));
        if (type6.equals("-")) {
            assertEquals(Verdict.DROPPED, v);
            assertEquals(DropReason.ICMP_TYPE_UNSUPPORTED, h.trace().reason());
            assertEquals(0, h.out.size());
        } else {
            assertEquals(Verdict.TRANSLATED, v, () -> "dropped: " + h.trace().reason());
            byte[] out = h.only();
            assertIpv6Valid(out);
            assertEquals(Integer.parseInt(type6), u8(out, 40));
            assertEquals(Integer.parseInt(code6), u8(out, 41));
        }
    }

    /** §4.2 Figure 3 through the translator: a pointer with no IPv6 counterpart drops the error. */
    @ParameterizedTest
    @CsvSource({"4", "6", "10", "11", "20", "255"})
    void parameterProblemPointerUnsupported(int pointer) {
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(error4(12, 0, pointer << 24, innerUdp())));
        assertEquals(DropReason.ICMP_POINTER_UNSUPPORTED, h.trace().reason());
    }

    /**
     * §4.2 code 4 and §4.1: the Packet Too Big MTU: capped by the IPv6 next hop and the IPv4 next
     * hop + 20; RFC 1191 plateaus when the router reported 0 (largest plateau below the Total Length
     * of the packet in error, then + 20); never below 1280; +28 instead of +20 when the packet in
     * error carries a Fragment Header once translated.
     */
    @ParameterizedTest(name = "reported {0}, ipv4Mtu {1}, ipv6Mtu {2}, inner total {3}, fragment {4} -> {5}")
    @CsvSource({
        "1400, 1500, 1500, 1500, false, 1420",
        "1400, 1500, 1400, 1500, false, 1400",
        "1400, 1300, 1500, 1500, false, 1320",
        "0,    1500, 9000, 1500, false, 1512",   // plateau 1492
        "0,    9000, 9000, 4400, false, 4372",   // plateau 4352
        "0,    1500, 1500, 1300, false, 1300",   // plateau 1006 < 1280: 1280, + 20
        "576,  1500, 1500, 1500, false, 1280",
        "1400, 1500, 1500, 1500, true,  1428",
        "1400, 1380, 1500, 1500, true,  1408",
    })
    void packetTooBigMtu(int reported, int ipv4Mtu, int ipv6Mtu, int innerTotal, boolean fragment, long expected) {
        byte[] inner = ipv4(C4, S4, 17, 63, 0, 0xabcd, fragment ? 0x2000 : 0x4000, new byte[0],
                udp(40000, 9, new byte[innerTotal - 28]));
        Harness h = settings().ipv4Mtu(ipv4Mtu).ipv6Mtu(ipv6Mtu).harness();
        assertEquals(Verdict.TRANSLATED, h.run(error4(3, 4, reported, Arrays.copyOf(inner, 548))),
                () -> "dropped: " + h.trace().reason());
        byte[] out = h.only();
        assertIpv6Valid(out);
        assertEquals(2, u8(out, 40));
        assertEquals(expected, u32(out, 44) & 0xffff_ffffL);
    }

    /** RFC 5508 REQ-3: an ICMPv4 error whose checksum is wrong is dropped. */
    @Test
    void badChecksum() {
        byte[] in = error4(3, 3, 0, innerUdp());
        in[22] ^= 0x10;
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.BAD_ICMP_CHECKSUM, h.trace().reason());
    }

    /** §4.3 / RFC 1812 §4.3.2.7: an ICMP error about an ICMP error must not exist; dropped. */
    @Test
    void nestedError() {
        byte[] innerError = ipv4(C4, S4, 1, 63, 0, 0xabcd, 0, new byte[0], icmp(3, 1, 0, innerUdp()));
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(error4(3, 3, 0, innerError)));
        assertEquals(DropReason.ICMP_ERROR_NESTED, h.trace().reason());
    }

    /** §4.3: a packet in error that is not IPv4, or whose addresses cannot be mapped, cannot be translated. */
    @Test
    void badPacketInError() {
        byte[] notIpv4 = innerUdp();
        notIpv4[0] = 0x65;
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(error4(3, 3, 0, notIpv4)));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, h.trace().reason());
        assertEquals(Verdict.DROPPED, h.run(error4(3, 3, 0, Arrays.copyOf(innerUdp(), 12))));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, h.trace().reason());
        Harness eamOnly = settings().pool6(null).harness();
        assertEquals(Verdict.DROPPED, eamOnly.run(error4(3, 3, 0, innerUdp())));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, eamOnly.trace().reason());
    }

    /** §1.2: "Fragmented ICMP/ICMPv6 packets will not be translated". */
    @Test
    void fragmentedError() {
        byte[] in = ipv4(R4, C4, 1, 64, 0, 0x4321, 0x2000, new byte[0], icmp(3, 3, 0, concat(innerUdp(), new byte[4])));
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.FRAGMENTED_ICMP, h.trace().reason());
    }

    /**
     * §4.4 / RFC 1812 §4.3.2.7: an ICMPv4 error whose TTL runs out is dropped, but no Time Exceeded
     * is sent about an error.
     */
    @Test
    void errorWithExpiredTtlGetsNoError() {
        byte[] in = ipv4(R4, C4, 1, 1, 0, 0x4321, 0, new byte[0], icmp(3, 3, 0, innerUdp()));
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.TTL_EXPIRED, h.trace().reason());
        assertEquals(0, h.out.size());
    }
}
