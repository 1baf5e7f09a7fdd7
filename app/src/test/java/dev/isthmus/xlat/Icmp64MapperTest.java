package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7915 §5.2 tables, straight from the text. */
class Icmp64MapperTest {

    /** §5.2: ICMPv6 error type/code → ICMPv4 type/code ("-" = silently dropped). */
    @ParameterizedTest(name = "{0}/{1} -> {2}/{3}")
    @CsvSource({
        // Destination Unreachable
        "1, 0, 3, 1",   // no route → host unreachable
        "1, 1, 3, 10",  // administratively prohibited → host administratively prohibited
        "1, 2, 3, 1",   // beyond scope of source → host unreachable
        "1, 3, 3, 1",   // address unreachable → host unreachable
        "1, 4, 3, 3",   // port unreachable → port unreachable
        "1, 5, -, -",
        "1, 6, -, -",
        "1, 7, -, -",
        // Time Exceeded: code unchanged
        "3, 0, 11, 0",
        "3, 1, 11, 1",
        "3, 2, -, -",
        // Parameter Problem
        "4, 1, 3, 2",   // unrecognized Next Header → protocol unreachable
        "4, 2, -, -",   // unrecognized option: silently drop
        "4, 3, -, -",
        // unknown error types
        "0, 0, -, -",
        "5, 0, -, -",
        "100, 0, -, -",
        "127, 0, -, -",
    })
    void typesAndCodes(int type6, int code6, String type4, String code4) {
        long m = Icmp64Mapper.error(type6, code6, 0, false, 1500, 1500);
        if (type4.equals("-")) {
            assertEquals(Icmp64Mapper.UNSUPPORTED_TYPE, m);
        } else {
            assertEquals(Integer.parseInt(type4), Icmp64Mapper.type(m));
            assertEquals(Integer.parseInt(code4), Icmp64Mapper.code(m));
            assertEquals(0, Icmp64Mapper.rest(m));
        }
    }

    /** §5.2 Figure 6: IPv6 Parameter Problem pointer → IPv4 pointer (-1 = "n/a"). */
    @ParameterizedTest(name = "pointer {0} -> {1}")
    @CsvSource({
        "0, 0", "1, 1", "2, -1", "3, -1", "4, 2", "5, 2", "6, 9", "7, 8",
        "8, 12", "15, 12", "23, 12", "24, 16", "31, 16", "39, 16", "40, -1", "4294967295, -1",
    })
    void pointers(long p6, int p4) {
        assertEquals(p4, Icmp64Mapper.pointer(p6));
        long m = Icmp64Mapper.error(4, 0, (int) p6, false, 1500, 1500);
        if (p4 < 0) {
            assertEquals(Icmp64Mapper.UNSUPPORTED_POINTER, m);
        } else {
            assertEquals(12, Icmp64Mapper.type(m));
            assertEquals(0, Icmp64Mapper.code(m));
            assertEquals(p4 << 24, Icmp64Mapper.rest(m), "pointer in the first octet of the second word");
        }
    }

    /**
     * §5.2 Packet Too Big: minimum(advertised MTU-20, MTU_of_IPv4_nexthop, (MTU_of_IPv6_nexthop)-20),
     * 8 more off with a Fragment Header in the packet in error, within 68..65535.
     */
    @ParameterizedTest(name = "reported {0}, frag {1}, v4 {2}, v6 {3} -> {4}")
    @CsvSource({
        "1400, false, 1500, 1500, 1380",
        "1400, true, 1500, 1500, 1372",
        "1500, false, 1400, 1500, 1400",
        "1500, false, 1500, 1450, 1430",
        "1500, true, 1500, 1450, 1422",
        "9000, false, 9000, 9000, 8980",
        "100000, false, 65535, 100000, 65535",
        "10, false, 1500, 1500, 68",
        "4294967295, false, 1500, 1500, 1480",
    })
    void packetTooBigMtu(long reported, boolean frag, int v4, int v6, int expected) {
        long m = Icmp64Mapper.error(2, 0, (int) reported, frag, v4, v6);
        assertEquals(3, Icmp64Mapper.type(m));
        assertEquals(4, Icmp64Mapper.code(m));
        assertEquals(expected, Icmp64Mapper.rest(m), "unused 0, next-hop MTU in the low 16 bits");
    }

    /** §5.2 informational: only Echo Request/Reply have a counterpart. */
    @Test
    void echoTypes() {
        assertEquals(8, Icmp64Mapper.echoType(128));
        assertEquals(0, Icmp64Mapper.echoType(129));
        for (int t = 0; t < 256; t++) {
            if (t != 128 && t != 129) {
                assertEquals(-1, Icmp64Mapper.echoType(t));
            }
        }
    }

    /** RFC 4884 §4: the ICMPv6 errors that carry a length attribute. */
    @Test
    void lengthAttribute() {
        for (int t = 0; t < 256; t++) {
            assertEquals(t == 1 || t == 3, Icmp64Mapper.carriesLength(t));
        }
    }
}
