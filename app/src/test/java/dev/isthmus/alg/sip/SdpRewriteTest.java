package dev.isthmus.alg.sip;

import static dev.isthmus.alg.sip.SdpTest.at;
import static dev.isthmus.alg.sip.SdpTest.body;
import static dev.isthmus.alg.sip.SdpTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay's rewrite of a description bound for the other family, rule by rule (RFC 6157 §4). */
class SdpRewriteTest {
    static final InetAddress RELAY4 = ip("198.51.100.1");
    static final InetAddress RELAY6 = ip("2001:db8:6::1");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static List<RelayPorts> ports(int... rtp) {
        return Arrays.stream(rtp).mapToObj(p -> p == 0 ? null : new RelayPorts(p)).toList();
    }

    /**
     * RFC 3264 §10.1's offer, the host names replaced by literals (the relay resolves nothing),
     * from an IPv4 caller to an IPv6 callee: every address the callee would send to is the relay's.
     */
    @Test
    void rfc3264OfferToTheOtherFamily() throws Exception {
        Sdp offer = parse(body(
                "v=0",
                "o=alice 2890844526 2890844526 IN IP4 192.0.2.10",
                "s=",
                "c=IN IP4 192.0.2.10",
                "t=0 0",
                "m=audio 49170 RTP/AVP 0",
                "a=rtpmap:0 PCMU/8000",
                "m=video 51372 RTP/AVP 31",
                "a=rtpmap:31 H261/90000",
                "m=video 53000 RTP/AVP 32",
                "a=rtpmap:32 MPV/90000"));
        Sdp out = SdpRewrite.rewrite(offer, RELAY6, ports(30000, 30002, 30004));
        assertEquals(body(
                "v=0",
                "o=alice 2890844526 2890844526 IN IP6 2001:db8:6::1",
                "s=",
                "c=IN IP6 2001:db8:6::1",
                "t=0 0",
                "m=audio 30000 RTP/AVP 0",
                "a=rtpmap:0 PCMU/8000",
                "m=video 30002 RTP/AVP 31",
                "a=rtpmap:31 H261/90000",
                "m=video 30004 RTP/AVP 32",
                "a=rtpmap:32 MPV/90000"), out.toString());
        // What the relay sends to before latching: the caller's own announcement.
        assertEquals(at("192.0.2.10", 51372), offer.streams().get(1).rtp());
        assertEquals(at("192.0.2.10", 51373), offer.streams().get(1).rtcp());
        assertEquals(at("2001:db8:6::1", 30005), out.streams().get(2).rtcp());
    }

    /** RFC 3264 §10.1's answer from an IPv6 callee: the rejected video stream keeps port 0 (§6). */
    @Test
    void rfc3264AnswerWithARejectedStream() throws Exception {
        Sdp answer = parse(body(
                "v=0",
                "o=bob 2890844730 2890844730 IN IP6 2001:db8::b0b",
                "s=",
                "c=IN IP6 2001:db8::b0b",
                "t=0 0",
                "m=audio 49920 RTP/AVP 0",
                "a=rtpmap:0 PCMU/8000",
                "m=video 0 RTP/AVP 31",
                "m=video 53000 RTP/AVP 32",
                "a=rtpmap:32 MPV/90000"));
        assertTrue(answer.streams().get(1).rejected());
        Sdp out = SdpRewrite.rewrite(answer, RELAY4, ports(40000, 0, 40004));
        assertEquals(body(
                "v=0",
                "o=bob 2890844730 2890844730 IN IP4 198.51.100.1",
                "s=",
                "c=IN IP4 198.51.100.1",
                "t=0 0",
                "m=audio 40000 RTP/AVP 0",
                "a=rtpmap:0 PCMU/8000",
                "m=video 0 RTP/AVP 31",
                "m=video 40004 RTP/AVP 32",
                "a=rtpmap:32 MPV/90000"), out.toString());
        // A port pair given for a rejected stream is not used either.
        assertEquals(out, SdpRewrite.rewrite(answer, RELAY4, ports(40000, 40002, 40004)));
    }

    @Test
    void mediaLevelConnectionsAndRtcp() throws Exception {
        // RFC 8866 §5's example has a media-level c= of the other family; RFC 3605's a=rtcp forms.
        Sdp s = parse(body("v=0", "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.7", "s=-",
                "c=IN IP4 198.51.100.7", "t=0 0",
                "m=audio 49170 RTP/AVP 0", "a=rtcp:53020",
                "m=audio 49180 RTP/AVP 0", "a=rtcp:53020 IN IP4 126.16.64.4",
                "m=video 51372 RTP/AVP 99", "c=IN IP6 2001:db8::2", "a=rtcp:51372 IN IP6 2001:db8::2", "a=rtcp-mux",
                "a=rtpmap:99 h263-1998/90000"));
        Sdp out = SdpRewrite.rewrite(s, RELAY6, ports(30000, 30002, 30004));
        assertEquals(body("v=0", "o=jdoe 3724394400 3724394405 IN IP6 2001:db8:6::1", "s=-",
                "c=IN IP6 2001:db8:6::1", "t=0 0",
                "m=audio 30000 RTP/AVP 0", "a=rtcp:30001",
                "m=audio 30002 RTP/AVP 0", "a=rtcp:30003 IN IP6 2001:db8:6::1",
                // a=rtcp named the RTP port (RFC 5761 §5.1.3): it names the relay's RTP port.
                "m=video 30004 RTP/AVP 99", "c=IN IP6 2001:db8:6::1", "a=rtcp:30004 IN IP6 2001:db8:6::1",
                "a=rtcp-mux", "a=rtpmap:99 h263-1998/90000"), out.toString());
        assertTrue(out.streams().get(2).rtcpMux());
        assertEquals(at("126.16.64.4", 53020), s.streams().get(1).rtcp());
    }

    @Test
    void candidatesOfTheOtherFamilyAndNamesAreRemoved() throws Exception {
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP6 2001:db8::7", "s=-", "c=IN IP6 2001:db8::7", "t=0 0",
                "m=audio 8998 RTP/AVP 0",
                "a=ice-ufrag:8hhY", "a=ice-pwd:asd88fgpdd777uzjYhagZg",
                "a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host",
                "a=candidate:2 1 UDP 2130706175 2001:db8::7 8998 typ host",
                "a=candidate:3 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998",
                "a=candidate:4 1 udp 2122262783 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54321 typ host",
                "a=candidate:5 1 UDP 2130706175 ::ffff:192.0.2.9 8998 typ host",
                "a=end-of-candidates"));
        assertEquals(body("v=0", "o=- 1 1 IN IP4 198.51.100.1", "s=-", "c=IN IP4 198.51.100.1", "t=0 0",
                "m=audio 30000 RTP/AVP 0",
                "a=ice-ufrag:8hhY", "a=ice-pwd:asd88fgpdd777uzjYhagZg",
                "a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host",
                "a=candidate:3 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998",
                "a=end-of-candidates"), SdpRewrite.rewrite(s, RELAY4, ports(30000)).toString());
        assertEquals(2, SdpRewrite.rewrite(s, RELAY6, ports(30000)).media().getFirst().candidates().size());
    }

    @Test
    void holdStaysHoldInTheRelaysFamily() throws Exception {
        // RFC 3264 §8.4: 0.0.0.0 is a hold (RFC 2543); the direction attribute is left alone.
        Sdp held = parse(body("v=0", "o=alice 2890844526 2890844527 IN IP4 192.0.2.10", "s=-", "c=IN IP4 0.0.0.0",
                "t=0 0", "m=audio 49170 RTP/AVP 0", "a=sendonly", "m=audio 49172 RTP/AVP 0", "c=IN IP4 192.0.2.10"));
        Sdp out = SdpRewrite.rewrite(held, RELAY6, ports(30000, 30002));
        assertEquals(body("v=0", "o=alice 2890844526 2890844527 IN IP6 2001:db8:6::1", "s=-", "c=IN IP6 ::",
                "t=0 0", "m=audio 30000 RTP/AVP 0", "a=sendonly", "m=audio 30002 RTP/AVP 0",
                "c=IN IP6 2001:db8:6::1"), out.toString());
        assertTrue(out.streams().getFirst().hold());
        assertEquals(SdpDirection.SENDONLY, out.streams().getFirst().direction());
        Sdp held6 = parse(body("v=0", "o=- 1 1 IN IP6 2001:db8::b0b", "s=-", "c=IN IP6 ::", "t=0 0",
                "m=audio 4000 RTP/AVP 0", "a=rtcp:4001 IN IP6 ::", "a=inactive"));
        assertEquals(body("v=0", "o=- 1 1 IN IP4 198.51.100.1", "s=-", "c=IN IP4 0.0.0.0", "t=0 0",
                "m=audio 30000 RTP/AVP 0", "a=rtcp:30001 IN IP4 0.0.0.0", "a=inactive"),
                SdpRewrite.rewrite(held6, RELAY4, ports(30000)).toString());
    }

    @Test
    void sameFamilyRewritesToo() throws Exception {
        // relay = "always": the relay puts itself in the path within one family as well.
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0",
                "m=audio 4000 RTP/AVP 0"));
        assertEquals(at("198.51.100.1", 30000), SdpRewrite.rewrite(s, RELAY4, ports(30000)).streams().getFirst().rtp());
    }

    @Test
    void portCountIsRefused() throws Exception {
        // RFC 8866 §5.14's hierarchical encoding: the relay gives one pair per stream.
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0",
                "m=video 49170/2 RTP/AVP 31", "m=video 0/2 RTP/AVP 31"));
        assertEquals(2, s.media().getFirst().mediaLine().count());
        assertEquals(SdpException.Reason.PORT_COUNT,
                assertThrows(SdpException.class, () -> SdpRewrite.rewrite(s, RELAY6, ports(30000, 0))).reason());
        Sdp rejected = parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0",
                "m=video 0/2 RTP/AVP 31"));
        assertEquals("m=video 0/2 RTP/AVP 31", SdpRewrite.rewrite(rejected, RELAY6, ports(0)).media().getFirst().lines().getFirst());
    }

    @Test
    void callerMistakesAreNotInputErrors() throws Exception {
        Sdp s = parse(body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0",
                "m=audio 4000 RTP/AVP 0"));
        assertThrows(IllegalArgumentException.class, () -> SdpRewrite.rewrite(s, RELAY6, ports()));
        assertThrows(IllegalArgumentException.class, () -> SdpRewrite.rewrite(s, RELAY6, ports(0)));
        assertThrows(IllegalArgumentException.class, () -> SdpRewrite.rewrite(s, ip("::"), ports(30000)));
        assertThrows(IllegalArgumentException.class, () -> new RelayPorts(30001));
        assertThrows(IllegalArgumentException.class, () -> new RelayPorts(65536));
        assertThrows(IllegalArgumentException.class, () -> new RelayPorts(0));
    }
}
