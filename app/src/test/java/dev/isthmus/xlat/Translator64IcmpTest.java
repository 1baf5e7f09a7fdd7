package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.C6;
import static dev.isthmus.xlat.Xlat64Fixtures.R6;
import static dev.isthmus.xlat.Xlat64Fixtures.S6;
import static dev.isthmus.xlat.Xlat64Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat64Fixtures.concat;
import static dev.isthmus.xlat.Xlat64Fixtures.harness;
import static dev.isthmus.xlat.Xlat64Fixtures.hex;
import static dev.isthmus.xlat.Xlat64Fixtures.icmp;
import static dev.isthmus.xlat.Xlat64Fixtures.ipv6;
import static dev.isthmus.xlat.Xlat64Fixtures.pattern;
import static dev.isthmus.xlat.Xlat64Fixtures.rows;
import static dev.isthmus.xlat.Xlat64Fixtures.settings;
import static dev.isthmus.xlat.Xlat64Fixtures.u16;
import static dev.isthmus.xlat.Xlat64Fixtures.u8;
import static dev.isthmus.xlat.Xlat64Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.xlat.Xlat64Fixtures.Harness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7915 §5.2 (ICMPv6 → ICMPv4) and §5.3 (the packet inside an ICMP error), over literal
 * packets. The errors come from 2001:db8:99::1, a router with no translatable address, so their
 * IPv4 source is the RFC 6791 pool's 192.0.2.254 (§5.1, RFC 6791).
 */
class Translator64IcmpTest {

    static Harness translates(Harness h, String in, String expected, TestInfo info) {
        return Translator64Test.translates(h, in, expected, info);
    }

    /**
     * §5.2 Destination Unreachable code 4 (port unreachable) → 3/3; §5.3: the inner IPv6 header
     * becomes IPv4 (Hop Limit kept), its addresses mapped, the inner UDP checksum adjusted; the
     * outer source comes from the RFC 6791 pool.
     */
    @Test
    void destinationUnreachable(TestInfo info) {
        Harness h = translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3c   # payload length 64, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 04 02 77   # ICMPv6 type 1, code 4, checksum
                00 00 00 00   # unused
                6b 81 23 45   # inner version 6, traffic class 0xb8, flow label 0x12345
                00 10 11 3e   # payload length 16, next header 17, hop limit 62
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 80 52   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                03 03 e9 78   # ICMPv4 type 3, code 3, checksum
                00 00 00 00   # unused
                45 b8 00 24   # inner version 4, IHL 5, TOS 0xb8, total length 36
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3e 11 8f b7   # TTL 62, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
        assertEquals(MappingKind.RFC6791, h.trace().sourceMapping());
        assertEquals(1, h.counters.paths(Path.ICMP_ERROR_64));
    }

    /**
     * RFC 7915 §5.1.1: an ICMPv6 error in an atomic fragment (Fragment Header, offset 0, M 0)
     * becomes an ICMPv4 error whose Identification is the low 16 bits of the Fragment Header's
     * (0xdeadbeef → 0xbeef), not a generated one; MF 0, offset 0, DF 0. The rest is
     * {@link #destinationUnreachable}'s (the ICMPv6 checksum is the same: the upper-layer length
     * in the pseudo-header does not count the Fragment Header).
     */
    @Test
    void errorInAtomicFragmentKeepsItsIdentification(TestInfo info) {
        Harness h = translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 48 2c 3c   # payload length 72, next header 44 (Fragment), hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                3a 00 00 00   # Fragment Header: next header 58, offset 0, M 0
                de ad be ef   # identification 0xdeadbeef
                01 04 02 77   # ICMPv6 type 1, code 4, checksum
                00 00 00 00   # unused
                6b 81 23 45   # inner version 6, traffic class 0xb8, flow label 0x12345
                00 10 11 3e   # payload length 16, next header 17, hop limit 62
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                be ef 00 00   # identification 0xbeef (the Fragment Header's), no flags, offset 0
                3b 01 d3 96   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                03 03 e9 78   # ICMPv4 type 3, code 3, checksum
                00 00 00 00   # unused
                45 b8 00 24   # inner version 4, IHL 5, TOS 0xb8, total length 36
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3e 11 8f b7   # TTL 62, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
        assertEquals(1, h.counters.paths(Path.ICMP_ERROR_64));
    }

    /** RFC 6791 pool empty: the translator's own IPv4 address is the source. */
    @Test
    void rfc6791PoolEmpty(TestInfo info) {
        translates(settings().rfc6791(List.of()).harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3c   # payload length 64, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 04 02 77   # ICMPv6 type 1, code 4, checksum
                00 00 00 00   # unused
                6b 81 23 45   # inner version 6, traffic class 0xb8, flow label 0x12345
                00 10 11 3e   # payload length 16, next header 17, hop limit 62
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 81 4f   # TTL 59, protocol 1, header checksum
                c0 00 02 01   # source 192.0.2.1
                c6 33 64 05   # destination 198.51.100.5
                03 03 e9 78   # ICMPv4 type 3, code 3, checksum
                00 00 00 00   # unused
                45 b8 00 24   # inner version 4, IHL 5, TOS 0xb8, total length 36
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3e 11 8f b7   # TTL 62, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /**
     * §5.2 Packet Too Big → 3/4 with MTU "minimum(advertised MTU-20, MTU_of_IPv4_nexthop,
     * (MTU_of_IPv6_nexthop)-20)" = min(1380, 1500, 1480); inner TCP checksum adjusted.
     */
    @Test
    void packetTooBig(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 44 3a 3c   # payload length 68, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                02 00 34 fe   # ICMPv6 type 2, code 0, checksum
                00 00 05 78   # MTU 1400
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 14 06 fa   # payload length 20, next header 6, hop limit 250
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 41 00 50   # inner TCP source port 40001, destination port 80
                00 00 00 01   # sequence number 1
                00 00 00 00   # acknowledgment number 0
                50 02 ff ff   # data offset 5, flags 0x02, window 65535
                f5 4d 00 00   # TCP checksum, urgent pointer 0
                """, """
                45 00 00 44   # version 4, IHL 5, TOS 0x00, total length 68
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 80 4e   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                03 04 e4 0c   # ICMPv4 type 3, code 4, checksum
                00 00 05 64   # unused 0, next-hop MTU 1380
                45 00 00 28   # inner version 4, IHL 5, TOS 0x00, total length 40
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                fa 06 d4 75   # TTL 250, protocol 6, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 41 00 50   # inner TCP source port 40001, destination port 80
                00 00 00 01   # sequence number 1
                00 00 00 00   # acknowledgment number 0
                50 02 ff ff   # data offset 5, flags 0x02, window 65535
                26 f6 00 00   # TCP checksum, urgent pointer 0
                """, info);
    }

    /** §5.2 Time Exceeded → 11, code unchanged; §5.3: the inner Echo Request becomes type 8, its checksum without pseudo-header. */
    @Test
    void timeExceededAboutEcho(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3c   # payload length 64, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 06 a7   # ICMPv6 type 3, code 0, checksum
                00 00 00 00   # unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 10 3a 01   # payload length 16, next header 58, hop limit 1
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                80 00 c5 10   # inner ICMPv6 type 128, code 0, checksum
                0b 0b 00 01   # identifier 0x0b0b, sequence 1
                61 62 63 64   # inner payload
                65 66 67 68
                """, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 80 52   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                0b 00 f4 ff   # ICMPv4 type 11, code 0, checksum
                00 00 00 00   # unused
                45 00 00 24   # inner version 4, IHL 5, TOS 0x00, total length 36
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                01 01 cd 7f   # TTL 1, protocol 1, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                08 00 5b 5e   # inner ICMPv4 type 8, code 0, checksum
                0b 0b 00 01   # identifier 0x0b0b, sequence 1
                61 62 63 64   # inner payload
                65 66 67 68
                """, info);
    }

    /** §5.2 Parameter Problem code 0, pointer 7 (Hop Limit) → 12/0 pointer 8 (TTL), Figure 6. */
    @Test
    void parameterProblemPointer(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3c   # payload length 64, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                04 00 ff 73   # ICMPv6 type 4, code 0, checksum
                00 00 00 07   # pointer 7 (hop limit)
                6b 81 23 45   # inner version 6, traffic class 0xb8, flow label 0x12345
                00 10 11 3e   # payload length 16, next header 17, hop limit 62
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 80 52   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                0c 00 d8 7b   # ICMPv4 type 12, code 0, checksum
                08 00 00 00   # pointer 8 (TTL)
                45 b8 00 24   # inner version 4, IHL 5, TOS 0xb8, total length 36
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3e 11 8f b7   # TTL 62, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /** §5.2 Parameter Problem code 1 (unrecognized Next Header) → 3/2 (protocol unreachable). */
    @Test
    void parameterProblemNextHeader(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 40 3a 3c   # payload length 64, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                04 01 ff 51   # ICMPv6 type 4, code 1, checksum
                00 00 00 28   # pointer 40
                6b 81 23 45   # inner version 6, traffic class 0xb8, flow label 0x12345
                00 10 11 3e   # payload length 16, next header 17, hop limit 62
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, """
                45 00 00 40   # version 4, IHL 5, TOS 0x00, total length 64
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 80 52   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                03 02 e9 79   # ICMPv4 type 3, code 2, checksum
                00 00 00 00   # unused
                45 b8 00 24   # inner version 4, IHL 5, TOS 0xb8, total length 36
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3e 11 8f b7   # TTL 62, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                """, info);
    }

    /**
     * §5.3: the quoted TCP header is cut after 8 bytes, so its checksum is not there to adjust;
     * the inner Total Length still says 40 (from the inner Payload Length).
     */
    @Test
    void truncatedInnerTransport(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 38 3a 3c   # payload length 56, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                01 00 80 d2   # ICMPv6 type 1, code 0, checksum
                00 00 00 00   # unused
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 14 06 fa   # payload length 20, next header 6, hop limit 250
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 41 00 50   # inner inner TCP ports
                00 00 00 01   # inner TCP sequence number (rest not quoted)
                """, """
                45 00 00 38   # version 4, IHL 5, TOS 0x00, total length 56
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 80 5a   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                03 01 60 6c   # ICMPv4 type 3, code 1, checksum
                00 00 00 00   # unused
                45 00 00 28   # inner version 4, IHL 5, TOS 0x00, total length 40
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                fa 06 d4 75   # TTL 250, protocol 6, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 41 00 50   # inner inner TCP ports
                00 00 00 01   # inner TCP sequence number (rest not quoted)
                """, info);
    }

    /**
     * RFC 4884 / §5.2: the length attribute goes from 64-bit words (16 = 128 bytes of IPv6) to
     * 32-bit words; the 108 bytes of translated original datagram are zero-padded to the 128 RFC
     * 4884 requires (32 words) and the extension structure is kept.
     */
    @Test
    void rfc4884Extension(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 90 3a 3c   # payload length 144, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 1f 2e   # ICMPv6 type 3, code 0, checksum
                10 00 00 00   # length 16 (128 bytes of original datagram)
                60 00 00 00   # inner version 6, traffic class 0x00, flow label 0x0
                00 58 11 01   # payload length 88, next header 17, hop limit 1
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 58 8a 1f   # UDP length 88, checksum
                00 07 0e 15   # inner UDP payload (80 bytes)
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
                20 00 de fa   # RFC 4884 extension header: version 2, checksum
                00 04 01 01   # extension object: length 4, class 1, c-type 1
                """, """
                45 00 00 a4   # version 4, IHL 5, TOS 0x00, total length 164
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 7f ee   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                0b 00 e1 a3   # ICMPv4 type 11, code 0, checksum
                00 20 00 00   # length 32 (128 bytes of original datagram)
                45 00 00 6c   # inner version 4, IHL 5, TOS 0x00, total length 108
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                01 11 cd 27   # TTL 1, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 58 bb c7   # UDP length 88, checksum
                00 07 0e 15   # inner UDP payload (80 bytes)
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
                00 00 00 00   # zero padding to 128 bytes
                00 00 00 00
                00 00 00 00
                00 00 00 00
                00 00 00 00
                20 00 de fa   # RFC 4884 extension header: version 2, checksum
                00 04 01 01   # extension object: length 4, class 1, c-type 1
                """, info);
    }

    /** §5.2: Parameter Problem pointers with no IPv4 counterpart ("n/a": flow label 2-3, beyond 39). */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 40, 1000})
    void parameterProblemPointerUnsupported(int pointer) {
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(error(4, 0, pointer, innerUdp())));
        assertEquals(DropReason.ICMP_POINTER_UNSUPPORTED, h.trace().reason());
    }

    /**
     * §5.2: silently dropped: Destination Unreachable codes beyond 4, Parameter Problem code 2
     * (unrecognized option), Time Exceeded codes beyond 1, unknown error types.
     */
    @Test
    void unsupportedErrors() {
        int[][] cases = {{1, 5}, {1, 6}, {4, 2}, {4, 3}, {3, 2}, {0, 0}, {5, 0}, {127, 0}};
        for (int[] c : cases) {
            Harness h = harness();
            assertEquals(Verdict.DROPPED, h.run(error(c[0], c[1], 0, innerUdp())), () -> Arrays.toString(c));
            assertEquals(DropReason.ICMP_TYPE_UNSUPPORTED, h.trace().reason(), () -> Arrays.toString(c));
        }
    }

    /** §5.2: MLD (130-132, 143), ND (133-137) and unknown informational messages are dropped. */
    @ParameterizedTest
    @ValueSource(ints = {130, 131, 132, 133, 134, 135, 136, 137, 143, 200, 255})
    void unsupportedInformational(int type) {
        Harness h = harness();
        assertEquals(Verdict.DROPPED, h.run(ipv6(C6, S6, 58, 255, 0, icmp(type, 0, 0, new byte[16]))));
        assertEquals(DropReason.ICMP_TYPE_UNSUPPORTED, h.trace().reason());
        assertEquals(1, h.counters.drops(DropReason.ICMP_TYPE_UNSUPPORTED));
    }

    /** RFC 5508 REQ-3 spirit: an ICMPv6 message whose checksum does not verify is not translated. */
    @Test
    void badChecksum() {
        Harness h = harness();
        byte[] in = hex("""
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
                """);
        in[43] ^= 1;
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.BAD_ICMP_CHECKSUM, h.trace().reason());
    }

    /** An ICMPv6 message shorter than its 8-byte header. */
    @Test
    void shortIcmp() {
        Harness h = harness();
        byte[] in = ipv6(C6, S6, 58, 64, 0, new byte[] {(byte) 128, 0, 0x7f, (byte) 0xff});
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.BAD_L4_HEADER, h.trace().reason());
    }

    /** §5.3 / RFC 4443 §2.4(e.1): an ICMPv6 error quoting an ICMPv6 error is dropped. */
    @Test
    void nestedError() {
        Harness h = harness();
        byte[] innerError = ipv6(C6, S6, 58, 64, 0, icmp(1, 0, 0, innerUdp()));
        assertEquals(Verdict.DROPPED, h.run(error(1, 0, 0, innerError)));
        assertEquals(DropReason.ICMP_ERROR_NESTED, h.trace().reason());
    }

    /** §5.3: an inner packet that cannot be translated (here: its source has no mapping) drops the error. */
    @Test
    void untranslatableInner() {
        Harness h = harness();
        byte[] inner = ipv6("2001:db8:5::5", S6, 17, 64, 0, udp(1, 2, new byte[8]));
        assertEquals(Verdict.DROPPED, h.run(error(1, 0, 0, inner)));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, h.trace().reason());
        assertTrue(h.out.isEmpty());
    }

    /** An inner "packet" that is not IPv6, or shorter than an IPv6 header. */
    @Test
    void malformedInner() {
        Harness h = harness();
        byte[] inner = innerUdp();
        inner[0] = 0x45;
        assertEquals(Verdict.DROPPED, h.run(error(3, 0, 0, inner)));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, h.trace().reason());
        assertEquals(Verdict.DROPPED, h.run(error(3, 0, 0, Arrays.copyOf(innerUdp(), 39))));
        assertEquals(DropReason.ICMP_ERROR_BAD_INNER, h.trace().reason());
    }

    /**
     * RFC 1812 §4.3.2.3: an ICMPv4 error is at most 576 bytes; a 1280-byte ICMPv6 error is cut to
     * that, its headers (and the inner Total Length, which keeps the original length) intact.
     */
    @Test
    void truncatedTo576(TestInfo info) {
        Harness h = harness();
        byte[] inner = ipv6(C6, S6, 17, 62, 0, udp(40000, 9, pattern(1184, 7)));
        byte[] in = error(1, 3, 0, inner);
        assertEquals(1280, in.length);
        assertEquals(Verdict.TRANSLATED, h.run(in));
        byte[] out = h.only();
        assertEquals(576, out.length);
        assertIpv4Valid(out);
        assertEquals(3, u8(out, 20));
        assertEquals(1, u8(out, 21));
        assertEquals(0, u8(out, 25), "no RFC 4884 length");
        assertEquals(20 + 8 + 1184, u16(out, 28 + 2), "inner Total Length is the original's");
        // The quoted UDP header and data are the original bytes (only the UDP checksum changed).
        assertArrayEquals(Arrays.copyOfRange(inner, 48, 48 + 576 - 56), Arrays.copyOfRange(out, 56, 576));
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /**
     * RFC 4884 §4.1/§4.2 with RFC 1812 §4.3.2.3: 600 bytes of IPv6 original datagram (75 64-bit
     * words) and an 8-byte extension. Translated, 580 bytes of original datagram and the extension
     * would make a 616-byte ICMPv4 error; the extension is kept and the original datagram trimmed
     * to the 540 bytes (135 32-bit words) that fit beside it in 576.
     */
    @Test
    void rfc4884DatagramTrimmedToKeepTheExtension(TestInfo info) {
        Harness h = harness();
        byte[] inner = ipv6(C6, S6, 17, 62, 0, udp(40000, 9, pattern(552, 3))); // 600 bytes
        byte[] extension = hex("""
                20 00 de fa   # RFC 4884 extension header: version 2, checksum
                00 04 01 01   # extension object: length 4, class 1 (MPLS, RFC 4950), c-type 1
                """);
        assertEquals(Verdict.TRANSLATED, h.run(error(3, 0, (600 / 8) << 24, concat(inner, extension))));
        byte[] out = h.only();
        assertEquals(576, out.length);
        assertIpv4Valid(out);
        assertEquals(rows(hex("""
                00 87 00 00   # length 135 (540 bytes of original datagram)
                45 00 02 44   # inner version 4, IHL 5, TOS 0x00, total length 580
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3e 11 8e 4f   # TTL 62, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                """)), rows(Arrays.copyOfRange(out, 24, 48)));
        assertEquals(11, u8(out, 20), "Time Exceeded");
        assertArrayEquals(Arrays.copyOfRange(inner, 48, 48 + 512), Arrays.copyOfRange(out, 56, 568),
                "the original datagram, trimmed");
        assertArrayEquals(extension, Arrays.copyOfRange(out, 568, 576), "the extension, unchanged");
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /**
     * RFC 4884 §4: an extension of 432 bytes cannot have the 128 bytes of original datagram it
     * needs beside it in 576 (28 + 128 + 432 = 588): it is left out (length attribute 0). The 108
     * bytes of translated original datagram of a 128-byte packet then go whole; the 580 of a
     * 600-byte one are, besides, truncated to fit 576 (RFC 1812 §4.3.2.3), like those of any
     * other error.
     */
    @ParameterizedTest(name = "a {0}-byte packet in error")
    @CsvSource({"128, 136", "600, 576"})
    void rfc4884ExtensionLeftOutWhenTooBig(int packet, int expected) {
        Harness h = harness();
        byte[] inner = ipv6(C6, S6, 17, 62, 0, udp(40000, 9, pattern(packet - 48, 3)));
        byte[] in = error(3, 0, (packet / 8) << 24, concat(inner, IcmpExtensionTest.structure(432, 5)));
        assertEquals(Verdict.TRANSLATED, h.run(in));
        byte[] out = h.only();
        assertEquals(expected, out.length);
        assertIpv4Valid(out);
        assertEquals(0, u8(out, 25), "length attribute 0: no extension");
        assertEquals(packet - 20, u16(out, 28 + 2), "inner Total Length is the original's");
        assertArrayEquals(Arrays.copyOfRange(inner, 48, 48 + expected - 56), Arrays.copyOfRange(out, 56, expected));
        h.pcap("rfc4884ExtensionLeftOutWhenTooBig-" + packet);
    }

    /**
     * A length attribute that says fewer than 128 bytes (7 words, 56 bytes) on a message with an
     * extension breaks RFC 4884 §4 and is not the non-compliant form of §5.5 either (which has no
     * length attribute): the message is read as one without extension (§5.1), everything after
     * the ICMPv6 header being original datagram, and translated with length attribute 0. The
     * eight bytes after the quoted packet stay quoted bytes; nothing is padded or announced.
     */
    @Test
    void rfc4884LengthBelow128IsNoExtension(TestInfo info) {
        translates(harness(), """
                60 00 00 00   # version 6, traffic class 0x00, flow label 0x0
                00 48 3a 3c   # payload length 72, next header 58, hop limit 60
                20 01 0d b8   # source 2001:db8:99::1
                00 99 00 00
                00 00 00 00
                00 00 00 01
                20 01 0d b8   # destination 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                03 00 f9 72   # ICMPv6 type 3, code 0, checksum
                07 00 00 00   # length 7 (56 bytes: fewer than RFC 4884's 128)
                6b 81 23 45   # inner version 6, traffic class 0xb8, flow label 0x12345
                00 10 11 3e   # payload length 16, next header 17, hop limit 62
                20 01 0d b8   # source 2001:db8:6::5
                00 06 00 00
                00 00 00 00
                00 00 00 05
                20 01 0d b8   # destination 2001:db8:64::c000:221
                00 64 00 00
                00 00 00 00
                c0 00 02 21
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 87 0f   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                20 00 de fa   # what would be an extension header: version 2, checksum
                00 04 01 01   # and object: length 4, class 1, c-type 1
                """, """
                45 00 00 48   # version 4, IHL 5, TOS 0x00, total length 72
                12 34 00 00   # identification 0x1234, no flags, fragment offset 0
                3b 01 80 4a   # TTL 59, protocol 1, header checksum
                c0 00 02 fe   # source 192.0.2.254
                c6 33 64 05   # destination 198.51.100.5
                0b 00 e1 7b   # ICMPv4 type 11, code 0, checksum
                00 00 00 00   # length 0: no extension
                45 b8 00 24   # inner version 4, IHL 5, TOS 0xb8, total length 36
                00 00 00 00   # identification 0x0000, no flags, fragment offset 0
                3e 11 8f b7   # TTL 62, protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                9c 40 00 09   # inner UDP source port 40000, destination port 9
                00 10 b8 b7   # UDP length 16, checksum
                69 73 74 68   # inner payload
                6d 75 73 21
                20 00 de fa   # the eight bytes after it, quoted as they came
                00 04 01 01
                """, info);
    }

    /** A length attribute pointing beyond the message is ignored: everything is original datagram. */
    @Test
    void rfc4884LengthBeyondMessage() {
        Harness h = harness();
        byte[] in = error(1, 0, 200 << 24, innerUdp());
        assertEquals(Verdict.TRANSLATED, h.run(in));
        byte[] out = h.only();
        assertIpv4Valid(out);
        assertEquals(0, u8(out, 25));
        assertEquals(28 + 20 + 16, out.length);
    }

    /** The translator never answers an ICMPv6 error with an error of its own (Hop Limit 1 here). */
    @Test
    void errorWithHopLimitOne() {
        Harness h = harness();
        byte[] in = error(1, 0, 0, innerUdp());
        in[7] = 1;
        assertEquals(Verdict.DROPPED, h.run(in));
        assertEquals(DropReason.TTL_EXPIRED, h.trace().reason());
        assertTrue(h.out.isEmpty());
    }

    /**
     * §5.3: an inner packet with a Fragment Header becomes an inner IPv4 fragment (ID = low 16
     * bits, MF, offset, DF clear); a non-initial one keeps its data untouched. §5.2: Packet Too Big
     * about it loses 28 bytes ("taking into account whether or not the packet in error includes
     * a Fragment Header"): min(1400 - 28, 1500, 1500 - 28).
     */
    @Test
    void innerFragment(TestInfo info) {
        byte[] data = Xlat64Fixtures.pattern(16, 9);
        byte[] inner = concat(hex("60000000 0018 2c 3e"
                + "20010db8 00060000 00000000 00000005 20010db8 00640000 00000000 c0000221"
                + "11 00 0019 89abcdef"), data); // Fragment: UDP, offset 3, M 1, ID 0x89abcdef
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(error(2, 0, 1400, inner)));
        byte[] out = h.only();
        assertIpv4Valid(out);
        assertEquals(1372, u16(out, 26), "next-hop MTU");
        assertEquals(rows(hex("""
                45 00 00 24   # inner version 4, IHL 5, TOS 0, total length 20 + 16
                cd ef 20 03   # identification 0xcdef, MF, fragment offset 3
                3e 11 a2 7c   # TTL 62 (not decremented), protocol 17, header checksum
                c6 33 64 05   # source 198.51.100.5
                c0 00 02 21   # destination 192.0.2.33
                """)), rows(Arrays.copyOfRange(out, 28, 48)));
        assertEquals(0xffff, Xlat64Fixtures.sum(out, 28, 20, 0), "inner header checksum");
        assertEquals(Xlat64Fixtures.hexOf(data), Xlat64Fixtures.hexOf(Arrays.copyOfRange(out, 48, 64)));
        h.pcap(info.getTestMethod().orElseThrow().getName());
    }

    /** Destination Unreachable codes 0, 2, 3 → 1; 1 → 10 (RFC 7915 §5.2). */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void destinationUnreachableCodes(int code) {
        Harness h = harness();
        assertEquals(Verdict.TRANSLATED, h.run(error(1, code, 0, innerUdp())));
        int expected = switch (code) {
            case 1 -> 10;
            case 4 -> 3;
            default -> 1;
        };
        assertEquals(3, u8(h.only(), 20));
        assertEquals(expected, u8(h.only(), 21));
        assertIpv4Valid(h.only());
    }

    /** The UDP packet of {@link Translator64Test#udp} as a router saw it (Hop Limit 62). */
    static byte[] innerUdp() {
        return ipv6(C6, S6, 17, 62, 0, udp(40000, 9, "isthmus!".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** An ICMPv6 error from router 2001:db8:99::1 to 2001:db8:6::5 quoting {@code quoted}. */
    static byte[] error(int type, int code, int rest, byte[] quoted) {
        return ipv6(R6, C6, 58, 60, 0, icmp(type, code, rest, quoted));
    }
}
