package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7915 §4.2 tables, straight from the text. */
class Icmp46MapperTest {

    /** §4.2 "ICMPv4 query messages": Echo 8 → 128, Echo Reply 0 → 129, nothing else. */
    @Test
    void echoTypes() {
        assertEquals(128, Icmp46Mapper.echoType(8));
        assertEquals(129, Icmp46Mapper.echoType(0));
        for (int t : new int[] {3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 128, 255}) {
            assertEquals(-1, Icmp46Mapper.echoType(t), "type " + t);
        }
    }

    /** §4.2 "ICMPv4 error messages": type/code → ICMPv6 type/code ("-" = silently dropped). */
    @ParameterizedTest(name = "{0}/{1} -> {2}/{3}")
    @CsvSource({
        // Destination Unreachable
        "3, 0, 1, 0",    // net unreachable → no route
        "3, 1, 1, 0",    // host unreachable → no route
        "3, 2, 4, 1",    // protocol unreachable → Parameter Problem, unrecognized Next Header
        "3, 3, 1, 4",    // port unreachable → port unreachable
        "3, 4, 2, 0",    // fragmentation needed → Packet Too Big
        "3, 5, 1, 0",    // source route failed → no route
        "3, 6, 1, 0", "3, 7, 1, 0", "3, 8, 1, 0",
        "3, 9, 1, 1",    // net administratively prohibited → administratively prohibited
        "3, 10, 1, 1",   // host administratively prohibited
        "3, 11, 1, 0", "3, 12, 1, 0",
        "3, 13, 1, 1",   // communication administratively prohibited
        "3, 14, -, -",   // host precedence violation: silently drop
        "3, 15, 1, 1",   // precedence cutoff in effect
        "3, 16, -, -", "3, 255, -, -",
        // Time Exceeded: code unchanged
        "11, 0, 3, 0", "11, 1, 3, 1", "11, 2, -, -",
        // Parameter Problem
        "12, 0, 4, 0", "12, 1, -, -", "12, 2, 4, 0", "12, 3, -, -",
        // single-hop, obsolete and unknown types
        "4, 0, -, -", "5, 0, -, -", "6, 0, -, -", "9, 0, -, -", "10, 0, -, -", "13, 0, -, -", "14, 0, -, -",
        "15, 0, -, -", "16, 0, -, -", "17, 0, -, -", "18, 0, -, -", "1, 0, -, -", "42, 0, -, -",
    })
    void typesAndCodes(int type4, int code4, String type6, String code6) {
        long m = Icmp46Mapper.error(type4, code4, 0);
        if (type6.equals("-")) {
            assertEquals(Icmp46Mapper.UNSUPPORTED_TYPE, m);
        } else {
            assertEquals(Integer.parseInt(type6), Icmp46Mapper.type(m));
            assertEquals(Integer.parseInt(code6), Icmp46Mapper.code(m));
        }
    }

    /** §4.2 code 2: "make the Pointer point to the IPv6 Next Header field (which is 6)". */
    @Test
    void protocolUnreachablePointer() {
        assertEquals(6, Icmp46Mapper.rest(Icmp46Mapper.error(3, 2, 0)));
    }

    /** §4.2 Figure 3: IPv4 Parameter Problem pointer → IPv6 pointer (-1 = "n/a" or not listed). */
    @ParameterizedTest(name = "pointer {0} -> {1}")
    @CsvSource({
        "0, 0", "1, 1", "2, 4", "3, 4", "4, -1", "5, -1", "6, -1", "7, -1", "8, 7", "9, 6", "10, -1", "11, -1",
        "12, 8", "13, 8", "14, 8", "15, 8", "16, 24", "17, 24", "18, 24", "19, 24", "20, -1", "255, -1",
    })
    void pointers(int p4, int p6) {
        assertEquals(p6, Icmp46Mapper.pointer(p4));
        for (int code : new int[] {0, 2}) {
            long m = Icmp46Mapper.error(12, code, p4 << 24 | 0x00ab_cdef);
            if (p6 < 0) {
                assertEquals(Icmp46Mapper.UNSUPPORTED_POINTER, m);
            } else {
                assertEquals(4, Icmp46Mapper.type(m));
                assertEquals(0, Icmp46Mapper.code(m));
                assertEquals(p6, Icmp46Mapper.rest(m));
            }
        }
    }

    /**
     * §4.2 code 4: minimum(advertised MTU + 20, MTU of the IPv6 next hop, MTU of the IPv4 next hop +
     * 20), +28 with a Fragment Header; RFC 1191 plateaus for an advertised 0; never below 1280.
     */
    @ParameterizedTest(name = "{0} (total {1}, fragment {2}, v4 {3}, v6 {4}) -> {5}")
    @CsvSource({
        "1400, 1500, false, 1500, 1500, 1420",
        "1480, 1500, false, 1500, 1500, 1500",
        "1480, 1500, false, 1500, 9000, 1500",
        "9000, 9100, false, 9000, 9000, 9000",
        "1400, 1500, false, 1400, 9000, 1420",
        "1400, 1500, false, 1300, 9000, 1320",
        "1400, 1500, true,  1500, 1500, 1428",
        "1000, 1500, false, 1500, 1500, 1280",
        "68,   1500, false, 1500, 1500, 1280",
        "0,    1500, false, 1500, 9000, 1512",   // plateau 1492 stands in for the advertised MTU
        "0,    1492, false, 1500, 9000, 1300",   // plateau 1006, raised to 1280, + 20
        "0,    65535, false, 65535, 65535, 32020",
        "0,    100,  false, 1500, 1500, 1300",   // no plateau at or above 1280 below 100: 1280 + 20
        "65535, 65535, true, 65535, 100000, 65563",
    })
    void packetTooBigMtu(int reported, int innerTotal, boolean fragment, int ipv4Mtu, int ipv6Mtu, int expected) {
        assertEquals(expected, Icmp46Mapper.packetTooBigMtu(reported, innerTotal, fragment, ipv4Mtu, ipv6Mtu,
                XlatSettings.RFC1191_PLATEAUS));
    }

    /** RFC 4884 §4.1: which types carry a length attribute, in each family. */
    @Test
    void lengthAttributes() {
        assertTrue(Icmp46Mapper.carriesLength4(3));
        assertTrue(Icmp46Mapper.carriesLength4(11));
        assertTrue(Icmp46Mapper.carriesLength4(12));
        assertFalse(Icmp46Mapper.carriesLength4(0));
        assertTrue(Icmp46Mapper.carriesLength(1));
        assertTrue(Icmp46Mapper.carriesLength(3));
        assertFalse(Icmp46Mapper.carriesLength(2));
        assertFalse(Icmp46Mapper.carriesLength(4));
    }
}
