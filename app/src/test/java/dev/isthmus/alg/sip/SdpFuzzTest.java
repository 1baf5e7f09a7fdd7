package dev.isthmus.alg.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Any bytes as an SDP body: a description or an {@link SdpException}, never another exception.
 * What is accepted writes back into a body that reads the same, its streams can be listed, and
 * the relay's rewrite of it either succeeds, again reading back the same, or is refused.
 */
class SdpFuzzTest {
    private static final InetAddress RELAY4 = SdpRewriteTest.ip("198.51.100.1");
    private static final InetAddress RELAY6 = SdpRewriteTest.ip("2001:db8:6::1");

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"v=0\r", "o=- 1 1 IN IP4 a\r", "c=IN IP4 ", "c=IN IP6 ", "m=audio ", " RTP/AVP 0\r", "a=rtcp:",
        "a=rtcp-mux\r", "a=candidate:1 1 UDP 1 ", " typ host\r", "0.0.0.0", "::", "192.0.2.1", "2001:db8::1", "t=0 0\r",
        "b=AS:64\r", "a=sendonly\r", "/127", ".local"})
    void parsesOrRefuses(FuzzedDataProvider data) {
        boolean ipv6 = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        Sdp sdp;
        try {
            sdp = Sdp.parse(body);
        } catch (SdpException refused) {
            return;
        }
        try {
            assertEquals(sdp, Sdp.parse(sdp.toBytes()));
        } catch (SdpException e) {
            throw new AssertionError("a body written from an accepted one is refused", e);
        }
        assertEquals(sdp.media().size(), sdp.streams().size());
        List<RelayPorts> ports = new ArrayList<>();
        for (int i = 0; i < sdp.media().size(); i++) {
            ports.add(new RelayPorts(30000 + 2 * i));
        }
        try {
            Sdp out = SdpRewrite.rewrite(sdp, ipv6 ? RELAY6 : RELAY4, ports);
            assertEquals(out, Sdp.parse(out.toBytes()));
            assertTrue(out.lines().size() <= sdp.lines().size());
        } catch (SdpException refused) {
            assertTrue(refused.reason() == SdpException.Reason.PORT_COUNT
                    || refused.reason() == SdpException.Reason.TOO_LARGE, refused.getMessage());
        }
    }
}
