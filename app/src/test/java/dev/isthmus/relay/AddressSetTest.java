package dev.isthmus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressSetTest {
    static InetAddress a(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void containsByPrefixInBothFamiliesAndUnmapsIpv4MappedAddresses() throws Exception {
        AddressSet s = AddressSet.parse(List.of("2001:db8:6::/64", "192.0.2.0/24", "198.51.100.7"));
        assertTrue(s.contains(a("2001:db8:6::2")));
        assertFalse(s.contains(a("2001:db8:7::2")));
        assertTrue(s.contains(a("192.0.2.200")));
        assertTrue(s.contains(a("::ffff:192.0.2.1")), "RFC 4291 §2.5.5.2 mapped address of an IPv4 client");
        assertTrue(s.contains(a("198.51.100.7")));
        assertFalse(s.contains(a("198.51.100.8")));
        assertEquals(List.of("192.0.2.0/24", "198.51.100.7/32", "2001:db8:6::/64"), s.texts());
    }

    @Test
    void theEmptySetAllowsNobody() throws Exception {
        assertFalse(AddressSet.NONE.contains(a("::1")));
        assertFalse(AddressSet.NONE.contains(a("127.0.0.1")));
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, loopback", "::1, loopback", "169.254.1.1, link-local", "fe80::1, link-local",
        "0.0.0.0, unspecified", "224.0.0.1, multicast", "255.255.255.255, reserved", "10.1.2.3, private",
        "192.168.1.1, private", "100.64.0.1, private", "fd00::1, private"
    })
    void theTransparentRelayRefusesWhatRfc3142Names(String address, String why) throws Exception {
        DestinationPolicy p = new DestinationPolicy(AddressSet.NONE, true, new LocalAddresses());
        assertEquals(why, p.refusal(a(address)));
    }

    @Test
    void explicitlyAllowedDestinationsPassAndPrivateOnesAreNotRefusedByTheProxyPolicy() throws Exception {
        DestinationPolicy p = new DestinationPolicy(AddressSet.parse(List.of("127.0.0.1")), false, new LocalAddresses());
        assertNull(p.refusal(a("127.0.0.1")));
        assertEquals("loopback", p.refusal(a("127.0.0.2")));
        assertNull(p.refusal(a("10.1.2.3")));
        assertNull(p.refusal(a("198.51.100.2")));
    }
}
