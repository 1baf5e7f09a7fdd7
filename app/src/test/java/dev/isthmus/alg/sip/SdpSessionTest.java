package dev.isthmus.alg.sip;

import static dev.isthmus.alg.sip.SdpRewriteTest.RELAY6;
import static dev.isthmus.alg.sip.SdpRewriteTest.ports;
import static dev.isthmus.alg.sip.SdpTest.body;
import static dev.isthmus.alg.sip.SdpTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The o= version of what the relay sends one endpoint (RFC 3264 §8). */
class SdpSessionTest {
    static Sdp offer(String version, String port, String direction) throws SdpException {
        return parse(body("v=0", "o=alice 2890844526 " + version + " IN IP4 192.0.2.10", "s=", "c=IN IP4 192.0.2.10",
                "t=0 0", "m=audio " + port + " RTP/AVP 0", "a=" + direction));
    }

    @Test
    void versionFollowsTheRewrittenContent() throws Exception {
        SdpSession session = new SdpSession();
        // The first rewrite keeps the endpoint's version.
        assertEquals("2890844526", session.rewrite(offer("2890844526", "49170", "sendrecv"), RELAY6, ports(30000))
                .origin().version());
        // A re-offer with the same content (a session refresh) keeps it (RFC 3264 §8).
        assertEquals("2890844526", session.rewrite(offer("2890844526", "49170", "sendrecv"), RELAY6, ports(30000))
                .origin().version());
        // Hold (RFC 3264 §8.4) changes the content: one higher.
        assertEquals("2890844527", session.rewrite(offer("2890844527", "49170", "sendonly"), RELAY6, ports(30000))
                .origin().version());
        // The endpoint moved its port but the relay's port did not: what the far side sees is unchanged.
        assertEquals("2890844527", session.rewrite(offer("2890844528", "49172", "sendonly"), RELAY6, ports(30000))
                .origin().version());
        // New relay ports, the endpoint's content unchanged: one higher.
        Sdp moved = session.rewrite(offer("2890844528", "49172", "sendonly"), RELAY6, ports(30002));
        assertEquals("2890844528", moved.origin().version());
        assertEquals("o=alice 2890844526 2890844528 IN IP6 2001:db8:6::1", moved.sessionLines().get(1));
    }
}
