package dev.isthmus.alg.turn.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.TranslatedPrefixes;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerPolicyTest {
    static final Inet4Address RELAY4 = (Inet4Address) InetAddress.ofLiteral("198.51.100.1");
    static final TurnSettings S = new TurnSettings(List.of(new InetSocketAddress("198.51.100.1", 3478)), "example.test",
            RELAY4, (Inet6Address) InetAddress.ofLiteral("2001:db8:6::1"), 49152, 65535,
            AddressSet.parse(List.of("::/0")), AddressSet.NONE, Map.of("alice", "pw"), null, 10, 1000,
            Duration.ofHours(1));

    @Test
    void tunnelAddressesGiveTheirIpv4() {
        // RFC 3056 §2: 2002:c633:6401::/48 is 198.51.100.1's 6to4 prefix.
        assertArrayEquals(RELAY4.getAddress(), PeerPolicy.tunnelledIpv4(InetAddress.ofLiteral("2002:c633:6401::1").getAddress()));
        // RFC 4380 §4: the client's IPv4 address inverted in the last 32 bits (RFC 4380 §4's example: 2001:0:4136:e378:8000:63bf:3fff:fdd2 maps 192.0.2.45).
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 45},
                PeerPolicy.tunnelledIpv4(InetAddress.ofLiteral("2001:0:4136:e378:8000:63bf:3fff:fdd2").getAddress()));
        assertNull(PeerPolicy.tunnelledIpv4(InetAddress.ofLiteral("2001:db8::1").getAddress()));
    }

    @Test
    void aPeerThatTunnelsBackToTheServerIsRefused() {
        PeerPolicy p = new PeerPolicy(S, new LocalAddresses(), TranslatedPrefixes.NONE);
        String why = p.refusal(InetAddress.ofLiteral("2002:c633:6401::7"));
        assertTrue(why != null && why.contains("tunnels back"), why);
        // Teredo with the client address 198.51.100.1 inverted: 39cc:9bfe.
        why = p.refusal(InetAddress.ofLiteral("2001:0:4136:e378:8000:63bf:39cc:9bfe"));
        assertTrue(why != null && why.contains("tunnels back"), why);
        assertNull(p.refusal(InetAddress.ofLiteral("2002:c000:22d::1")), "another site's 6to4 address");
    }
}
