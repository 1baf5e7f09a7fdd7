package dev.isthmus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4AddressTest {

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0,         0x00000000",
        "192.0.2.33,      0xc0000221",
        "198.51.100.7,    0xc6336407",
        "203.0.113.255,   0xcb0071ff",
        "255.255.255.255, 0xffffffff",
        "10.0.0.1,        0x0a000001",
    })
    void parsesAndFormatsDottedQuads(String text, String hex) {
        int expected = Integer.parseUnsignedInt(hex.substring(2), 16);
        assertEquals(expected, Ipv4Address.parse(text));
        assertEquals(text, Ipv4Address.format(expected));
    }

    /** Everything but four plain decimal octets is refused, including the inet_aton shorthands. */
    @ParameterizedTest
    @ValueSource(strings = {
        "", ".", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.0.0.1", "1.2.3.256",
        "1.2.3.1000", "01.2.3.4", "1.2.3.04", "00.0.0.0", "0x7f.0.0.1", "127.1", "2130706433",
        " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "+1.2.3.4", "-1.2.3.4", "1.2.3.4/24", "1.2.3.a",
        "١.٢.٣.٤", "１.2.3.4", "1,2,3,4", "1.2.3.4:80", "1.2.3.4.", "999999999999999.1.1.1",
    })
    void refusesAnythingButAStrictDottedQuad(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text));
        assertTrue(e.getMessage().startsWith("bad IPv4 address"), e.getMessage());
    }

    @Test
    void messagesSayWhatIsWrong() {
        assertEquals("bad IPv4 address \"01.2.3.4\": octet 1 has a leading zero (octal or decimal? refused,"
                + " RFC 6943 §3.1.1)",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse("01.2.3.4")).getMessage());
        assertEquals("bad IPv4 address \"1.2.3.300\": octet 4 is not in 0-255",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse("1.2.3.300")).getMessage());
        assertEquals("bad IPv4 address \"10.1\": only 2 octets, a dotted quad needs 4",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse("10.1")).getMessage());
    }

    @Test
    void longInputIsQuotedShortened() {
        String huge = "1".repeat(100_000);
        String m = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(huge)).getMessage();
        assertTrue(m.length() < 200, m);
        assertTrue(m.contains("(100000 chars)"), m);
    }

    @Property
    void formatThenParseIsIdentity(@ForAll int a) {
        assertEquals(a, Ipv4Address.parse(Ipv4Address.format(a)));
    }
}
