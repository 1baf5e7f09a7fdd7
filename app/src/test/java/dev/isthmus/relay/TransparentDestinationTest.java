package dev.isthmus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.PortSet;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.relay.RelaySettings.Protocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The transparent relay's server (RFC 3142 §4): pool6 + 198.51.100.2 (RFC 6052 §2.2,
 * {@code 2001:db8:64::c633:6402}) at the port the client connected to, unless a rule refuses it.
 */
class TransparentDestinationTest {
    private static TransparentDestination destinations(PortSet ports) {
        RelaySettings s = new RelaySettings("trt", Protocol.TCP, new InetSocketAddress("::", 8000), null,
                Rfc6052Prefix.parse("2001:db8:64::/96"), AddressSet.parse(List.of("::/0")), AddressSet.NONE, ports,
                10, 10, Duration.ofMinutes(1), Duration.ofSeconds(1), false);
        return new TransparentDestination(s, new DestinationPolicy(AddressSet.NONE, true, new LocalAddresses()));
    }

    /** Issue 19 item 10: by default every port is reached but 25, an open relay's spam port. */
    @ParameterizedTest(name = "port {0}")
    @CsvSource({"25, connect-port", "22,", "80,", "443,", "465,", "587,", "24,", "26,", "65535,"})
    void theDefaultRefusesPort25Only(int port, String refusal) {
        TransparentDestination.Verdict v = destinations(PortSet.ALL_BUT_SMTP)
                .of(new InetSocketAddress("2001:db8:64::c633:6402", port));
        if (refusal == null) {
            assertNull(v.refusal(), v::why);
            assertEquals(new InetSocketAddress("198.51.100.2", port), v.server());
        } else {
            assertEquals(Refusal.CONNECT_PORT, v.refusal());
            assertNull(v.server());
            assertEquals("asked for 198.51.100.2:25: port 25 is not in connect-ports (every port but 25 by default)",
                    v.why());
        }
    }

    @ParameterizedTest(name = "port {0}")
    @CsvSource({"80, true", "443, true", "25, false", "8080, false"})
    void anOperatorListIsTheWholeList(int port, boolean allowed) {
        PortSet web = PortSet.NONE.with(80, 80).with(443, 443);
        TransparentDestination.Verdict v = destinations(web).of(new InetSocketAddress("2001:db8:64::c633:6402", port));
        assertEquals(allowed ? null : Refusal.CONNECT_PORT, v.refusal(), v::why);
        if (!allowed) {
            assertTrue(v.why().endsWith("is not in connect-ports [80, 443]"), v.why());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "2001:db8:65::c633:6402, connected to [2001:db8:65::c633:6402]:80, not an address in pool6",
        "2001:db8:64::7f00:1, asked for 127.0.0.1:80: loopback",
        "2001:db8:64::a00:1, asked for 10.0.0.1:80: private"})
    void theDestinationRulesStillHold(String address, String why) {
        TransparentDestination.Verdict v = destinations(PortSet.ALL_BUT_SMTP).of(new InetSocketAddress(address, 80));
        assertEquals(Refusal.DESTINATION_REFUSED, v.refusal());
        assertTrue(v.why().startsWith(why), v.why());
    }
}
