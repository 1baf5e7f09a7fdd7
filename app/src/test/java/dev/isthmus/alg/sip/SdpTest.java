package dev.isthmus.alg.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading and writing session descriptions (RFC 8866), with the attributes the relay reads. */
class SdpTest {
    /** The lines joined with CRLF, each ending in one, as RFC 8866 §5 writes a body. */
    static String body(String... lines) {
        return String.join("\r\n", lines) + "\r\n";
    }

    static Sdp parse(String text) throws SdpException {
        return Sdp.parse(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static InetSocketAddress at(String address, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    /** RFC 8866 §5's example session description. */
    static final String RFC8866_EXAMPLE = body(
            "v=0",
            "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1",
            "s=Call to John Smith",
            "i=SDP Offer #1",
            "u=http://www.jdoe.example.com/home.html",
            "e=Jane Doe <jane@jdoe.example.com>",
            "p=+1 617 555-6011",
            "c=IN IP4 198.51.100.1",
            "t=0 0",
            "m=audio 49170 RTP/AVP 0",
            "m=audio 49180 RTP/AVP 0",
            "m=video 51372 RTP/AVP 99",
            "c=IN IP6 2001:db8::2",
            "a=rtpmap:99 h263-1998/90000");

    @Test
    void rfc8866Example() throws Exception {
        Sdp s = parse(RFC8866_EXAMPLE);
        assertEquals(new SdpOrigin("jdoe", "3724394400", "3724394405", "IN", "IP4", "198.51.100.1"), s.origin());
        assertEquals(InetAddress.getByName("198.51.100.1"), s.connection().address());
        assertEquals(9, s.sessionLines().size());
        assertEquals(3, s.media().size());
        assertEquals(List.of("m=video 51372 RTP/AVP 99", "c=IN IP6 2001:db8::2", "a=rtpmap:99 h263-1998/90000"),
                s.media().get(2).lines());
        assertEquals(new SdpMediaLine("video", 51372, 0, "RTP/AVP 99"), s.media().get(2).mediaLine());
        List<SdpStream> streams = s.streams();
        assertEquals(new SdpStream(0, "audio", "RTP/AVP", SdpDirection.SENDRECV, false, false,
                at("198.51.100.1", 49170), at("198.51.100.1", 49171)), streams.get(0));
        assertEquals(at("198.51.100.1", 49180), streams.get(1).rtp());
        // The media-level c= wins over the session-level one (RFC 8866 §5.7).
        assertEquals(new SdpStream(2, "video", "RTP/AVP", SdpDirection.SENDRECV, false, false,
                at("2001:db8::2", 51372), at("2001:db8::2", 51373)), streams.get(2));
        assertArrayEquals(RFC8866_EXAMPLE.getBytes(StandardCharsets.ISO_8859_1), s.toBytes());
    }

    @Test
    void bareLineFeedsAreReadAndCrlfWritten() throws Exception {
        Sdp s = parse(RFC8866_EXAMPLE.replace("\r\n", "\n"));
        assertEquals(RFC8866_EXAMPLE, s.toString());
        assertEquals(parse(RFC8866_EXAMPLE), s);
        // A last line without a line end, and trailing empty lines, are tolerated too.
        assertEquals(RFC8866_EXAMPLE, parse(RFC8866_EXAMPLE.strip()).toString());
        assertEquals(RFC8866_EXAMPLE, parse(RFC8866_EXAMPLE + "\r\n\n").toString());
    }

    @Test
    void textAndUnknownLinesPassByteForByte() throws Exception {
        byte[] utf8 = body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=Anruf für Zoë 電話", "c=IN IP4 192.0.2.1", "t=0 0",
                "a=x-vendor:anything  at all;=:", "m=audio 4000 RTP/SAVP 0 101", "k=prompt",
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
                "a=fmtp:101 0-15", "a=ssrc:1 cname:x", "y=who knows").getBytes(StandardCharsets.UTF_8);
        Sdp s = Sdp.parse(utf8);
        assertArrayEquals(utf8, s.toBytes());
        assertEquals("a=x-vendor:anything  at all;=:", s.sessionLines().get(5));
    }

    @Test
    void bracketedIpv6AsSippWritesItIsRead() throws Exception {
        // Not RFC 8866 §9's IP6-address, but what SIPp's [media_ip] gives: read, and written bare.
        Sdp s = parse(body("v=0", "o=user1 53655765 2353687637 IN IP6 [2001:db8:6::2]", "s=-",
                "c=IN IP6 [2001:db8:6::2]", "t=0 0", "m=audio 6000 RTP/AVP 0"));
        assertEquals(at("2001:db8:6::2", 6000), s.streams().get(0).rtp());
        assertThrows(SdpException.class, () -> parse(body("v=0", "o=- 1 1 IN IP6 ::1", "s=-",
                "c=IN IP6 [2001:db8:6::2", "t=0 0", "m=audio 6000 RTP/AVP 0")));
    }

    @Test
    void rtcpAttribute() throws Exception {
        // RFC 3605 §2.1's three forms.
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
                "m=audio 49170 RTP/AVP 0", "a=rtcp:53020",
                "m=audio 49172 RTP/AVP 0", "a=rtcp:53020 IN IP4 126.16.64.4",
                "m=audio 49174 RTP/AVP 0", "a=rtcp:53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD"));
        assertEquals(new SdpRtcp(53020, null), s.media().get(0).rtcp());
        assertEquals(at("192.0.2.1", 53020), s.streams().get(0).rtcp());
        assertEquals(at("126.16.64.4", 53020), s.streams().get(1).rtcp());
        assertEquals(at("2001:2345:6789:abcd:ef01:2345:6789:abcd", 53020), s.streams().get(2).rtcp());
        assertEquals(at("192.0.2.1", 49174), s.streams().get(2).rtp());
    }

    @Test
    void rtcpMux() throws Exception {
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP6 2001:db8::1", "s=-", "c=IN IP6 2001:db8::1", "t=0 0",
                "m=audio 5000 RTP/AVP 0", "a=rtcp-mux", "a=rtcp-fb:* nack", "m=video 5002 RTP/AVP 96"));
        assertTrue(s.streams().get(0).rtcpMux());
        assertFalse(s.streams().get(1).rtcpMux());
    }

    @Test
    void candidates() throws Exception {
        // RFC 8839 §5.1's syntax: host, server reflexive with related address, IPv6, and an mDNS name
        // as browsers write them.
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
                "m=audio 45664 RTP/AVP 0",
                "a=ice-ufrag:8hhY", "a=ice-pwd:asd88fgpdd777uzjYhagZg",
                "a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host",
                "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998",
                "a=candidate:3 1 UDP 2130706175 2001:db8::7 8998 typ host generation 0",
                "a=candidate:4 2 udp 2122262783 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54321 typ host"));
        List<SdpCandidate> c = s.media().getFirst().candidates();
        assertEquals(4, c.size());
        assertEquals(new SdpCandidate(1, InetAddress.getByName("10.0.1.1"), 8998, "host"), c.get(0));
        assertEquals("srflx", c.get(1).type());
        assertEquals(InetAddress.getByName("2001:db8::7"), c.get(2).address());
        assertEquals(2, c.get(3).component());
        assertNull(c.get(3).address());
    }

    @Test
    void direction() throws Exception {
        // Session level applies where the media level says nothing (RFC 8866 §6.7); RFC 4317 §3.1's hold.
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "a=sendonly",
                "m=audio 4000 RTP/AVP 0", "m=audio 4002 RTP/AVP 0", "a=inactive", "m=audio 4004 RTP/AVP 0",
                "a=recvonly"));
        assertEquals(List.of(SdpDirection.SENDONLY, SdpDirection.INACTIVE, SdpDirection.RECVONLY),
                s.streams().stream().map(SdpStream::direction).toList());
        assertEquals(SdpDirection.SENDRECV, parse(RFC8866_EXAMPLE).streams().getFirst().direction());
    }

    @Test
    void holdAndRejectedStreams() throws Exception {
        // RFC 3264 §8.4: 0.0.0.0 (RFC 2543) is a hold; RFC 3264 §6: port 0 is a rejected stream.
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "c=IN IP4 0.0.0.0", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "m=video 0 RTP/AVP 31", "m=audio 4002 RTP/AVP 0", "c=IN IP6 ::"));
        List<SdpStream> streams = s.streams();
        assertTrue(streams.get(0).hold());
        assertEquals(at("0.0.0.0", 4000), streams.get(0).rtp());
        assertTrue(streams.get(1).rejected());
        assertNull(streams.get(1).rtcp());
        assertTrue(streams.get(2).hold());
        assertEquals(at("::", 4002), streams.get(2).rtp());
        // A rejected stream needs no c= at all.
        assertTrue(parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0", "m=audio 0 RTP/AVP 0"))
                .streams().getFirst().rejected());
    }

    @Test
    void ipv4MappedStaysIpv6() throws Exception {
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP6 ::ffff:192.0.2.1", "s=-", "c=IN IP6 ::FFFF:192.0.2.1", "t=0 0",
                "m=audio 4000 RTP/AVP 0"));
        assertEquals("IP6", SdpFields.addrtype(s.connection().address()));
        assertEquals("IN IP6 ::ffff:192.0.2.1", s.connection().format());
    }

    private static final String HEAD = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("", SdpException.Reason.BAD_VERSION),
                Arguments.of("o=- 1 1 IN IP4 192.0.2.1\r\n", SdpException.Reason.BAD_VERSION),
                Arguments.of("v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\n", SdpException.Reason.BAD_VERSION),
                Arguments.of(HEAD + "v=0\r\n", SdpException.Reason.BAD_VERSION),
                Arguments.of("v=0\r\ns=-\r\n", SdpException.Reason.BAD_ORIGIN),
                Arguments.of(HEAD + "o=- 1 1 IN IP4 192.0.2.1\r\n", SdpException.Reason.BAD_ORIGIN),
                Arguments.of("v=0\r\no=- 1 1 IN IP4\r\n", SdpException.Reason.BAD_ORIGIN),
                Arguments.of("v=0\r\no=- x 1 IN IP4 a\r\n", SdpException.Reason.BAD_ORIGIN),
                Arguments.of("v=0\r\no=- 1 1  IN IP4 a\r\n", SdpException.Reason.BAD_ORIGIN),
                // RFC 4317 §2.1 names hosts; the relay needs literals and resolves nothing.
                Arguments.of("v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\n"
                        + "c=IN IP4 host.atlanta.example.com\r\nt=0 0\r\n", SdpException.Reason.BAD_CONNECTION),
                Arguments.of(HEAD + "c=IN IP4 192.0.2.2\r\n", SdpException.Reason.BAD_CONNECTION),
                Arguments.of(HEAD + "m=audio 1 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\nc=IN IP4 192.0.2.3\r\n",
                        SdpException.Reason.BAD_CONNECTION),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4 2001:db8::1\r\n", SdpException.Reason.BAD_CONNECTION),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP6 192.0.2.1\r\n", SdpException.Reason.BAD_CONNECTION),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4 192.0.2.01\r\n", SdpException.Reason.BAD_CONNECTION),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4\r\n", SdpException.Reason.BAD_CONNECTION),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=ATM NSAP 47.0091\r\n", SdpException.Reason.UNSUPPORTED_NETWORK),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP7 1.2.3.4\r\n", SdpException.Reason.UNSUPPORTED_NETWORK),
                // RFC 8866 §5.7's multicast forms.
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4 233.252.0.1/127\r\n", SdpException.Reason.MULTICAST),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4 233.252.0.1/127/3\r\n", SdpException.Reason.MULTICAST),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP6 ff00::db8:0:101/3\r\n", SdpException.Reason.MULTICAST),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP6 ff00::db8:0:101\r\n", SdpException.Reason.MULTICAST),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4 233.252.0.1\r\n", SdpException.Reason.MULTICAST),
                Arguments.of("v=0\r\no=- 1 1 IN IP4 a\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
                        SdpException.Reason.NO_CONNECTION),
                Arguments.of(HEAD + "m=audio 65536 RTP/AVP 0\r\n", SdpException.Reason.BAD_MEDIA),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP\r\n", SdpException.Reason.BAD_MEDIA),
                Arguments.of(HEAD + "m=audio 4000/0 RTP/AVP 0\r\n", SdpException.Reason.BAD_MEDIA),
                Arguments.of(HEAD + "m=audio -1 RTP/AVP 0\r\n", SdpException.Reason.BAD_MEDIA),
                Arguments.of(HEAD + "m=audio  4000 RTP/AVP 0\r\n", SdpException.Reason.BAD_MEDIA),
                Arguments.of(HEAD + "m=audio 65535 RTP/AVP 0\r\n", SdpException.Reason.BAD_MEDIA),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=rtcp:x\r\n", SdpException.Reason.BAD_RTCP),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=rtcp:4001\r\na=rtcp:4001\r\n", SdpException.Reason.BAD_RTCP),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=rtcp:4001 IN IP4 ex.com\r\n",
                        SdpException.Reason.BAD_CONNECTION),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=candidate:1 1 UDP 1 192.0.2.1 8998 host\r\n",
                        SdpException.Reason.BAD_CANDIDATE),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=candidate:1 0 UDP 1 192.0.2.1 8998 typ host\r\n",
                        SdpException.Reason.BAD_CANDIDATE),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=candidate:1 1 UDP 1 2001:db8::x 8998 typ host\r\n",
                        SdpException.Reason.BAD_CANDIDATE),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=candidate:1=2 1 UDP 1 192.0.2.1 8998 typ host\r\n",
                        SdpException.Reason.BAD_CANDIDATE),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\na=candidate:1 1 UDP 1 192.0.2.1 99999 typ host\r\n",
                        SdpException.Reason.BAD_CANDIDATE),
                Arguments.of(HEAD + "t=0\r\n", SdpException.Reason.BAD_TIMING),
                Arguments.of(HEAD + "t=now 0\r\n", SdpException.Reason.BAD_TIMING),
                Arguments.of(HEAD + "b=AS\r\n", SdpException.Reason.BAD_BANDWIDTH),
                Arguments.of(HEAD + "m=audio 4000 RTP/AVP 0\r\nb=AS:x\r\n", SdpException.Reason.BAD_BANDWIDTH),
                Arguments.of(HEAD + "b=:64\r\n", SdpException.Reason.BAD_BANDWIDTH),
                Arguments.of(HEAD + "s\r\n", SdpException.Reason.BAD_LINE),
                Arguments.of(HEAD + "S=x\r\n", SdpException.Reason.BAD_LINE),
                Arguments.of(HEAD + "s =x\r\n", SdpException.Reason.BAD_LINE),
                Arguments.of(HEAD + "a=x\0y\r\n", SdpException.Reason.BAD_LINE),
                Arguments.of(HEAD + "a=x\ry\r\n", SdpException.Reason.BAD_LINE),
                Arguments.of(HEAD + "\r\na=x\r\n", SdpException.Reason.BAD_LINE),
                Arguments.of(HEAD + "a=x\r\n".repeat(Sdp.MAX_LINES), SdpException.Reason.TOO_LARGE),
                Arguments.of(HEAD + "m=audio 0 RTP/AVP 0\r\n".repeat(Sdp.MAX_MEDIA + 1), SdpException.Reason.TOO_LARGE),
                Arguments.of(HEAD + "a=" + "x".repeat(Sdp.MAX_BYTES) + "\r\n", SdpException.Reason.TOO_LARGE));
    }

    @ParameterizedTest
    @MethodSource
    void refused(String text, SdpException.Reason reason) {
        SdpException e = assertThrows(SdpException.class, () -> parse(text));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    @Test
    void limitsAreInclusive() throws Exception {
        assertEquals(Sdp.MAX_MEDIA, parse(HEAD + "m=audio 0 RTP/AVP 0\r\n".repeat(Sdp.MAX_MEDIA)).media().size());
        assertEquals(Sdp.MAX_LINES, parse(HEAD + "a=x\r\n".repeat(Sdp.MAX_LINES - 5)).lines().size());
        String big = HEAD + "a=" + "x".repeat(Sdp.MAX_BYTES - HEAD.length() - 4) + "\r\n";
        assertEquals(Sdp.MAX_BYTES, parse(big).toBytes().length);
    }
}
