package dev.isthmus.alg.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv6Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** RFC 3261 §20.42 / §25.1 via-parm and RFC 3581's rport. */
class ViaTest {
    @Test
    void everyField() throws SipParseException {
        Via v = Via.parse("SIP/2.0/UDP [2001:db8::9:1]:5062;branch=z9hG4bKab;received=192.0.2.7;rport=4000;ttl=16");
        assertEquals("SIP", v.protocol());
        assertEquals("2.0", v.version());
        assertEquals("UDP", v.transport());
        assertEquals(Ipv6Address.parse("2001:db8::9:1"), v.ipv6());
        assertEquals(5062, v.port());
        assertEquals("z9hG4bKab", v.branch());
        assertEquals("192.0.2.7", v.received());
        assertTrue(v.hasRport());
        assertEquals(4000, v.rport());
        assertEquals("16", v.param("TTL"));
    }

    /** RFC 3581 §3: rport without a value asks for the source port. */
    @Test
    void rportWithoutValue() throws SipParseException {
        Via v = Via.parse("SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKx");
        assertTrue(v.hasRport());
        assertEquals(-1, v.rport());
        assertEquals(-1, v.port());
        Via stamped = v.withReceived("2001:db8::99", 40000);
        assertEquals("SIP/2.0/UDP 192.0.2.1;rport=40000;received=2001:db8::99;branch=z9hG4bKx", stamped.toString());
        assertEquals(40000, stamped.rport());
        assertEquals("2001:db8::99", stamped.received());
    }

    @Test
    void receivedWithoutRport() throws SipParseException {
        Via v = Via.parse("SIP/2.0/TCP host.example.com:5060;branch=z9hG4bKx;received=192.0.2.1");
        assertFalse(v.hasRport());
        assertEquals("SIP/2.0/TCP host.example.com:5060;branch=z9hG4bKx;received=192.0.2.9", v.withReceived("192.0.2.9", 1).toString());
    }

    /** §25.1: SWS around '/', ':', ';' and '='. */
    @Test
    void whiteSpaceAroundSeparators() throws SipParseException {
        Via v = Via.parse("SIP / 2.0 / UDP \t host.example.com : 5070 ; branch = z9hG4bKy ; rport");
        assertEquals("host.example.com", v.host());
        assertEquals(5070, v.port());
        assertEquals("z9hG4bKy", v.branch());
        assertTrue(v.hasRport());
    }

    @Test
    void quotedExtensionValue() throws SipParseException {
        assertEquals("\"a;b\\\"c\"", Via.parse("SIP/2.0/UDP h;x=\"a;b\\\"c\"").param("x"));
        assertNull(Via.parse("SIP/2.0/UDP h").branch());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "SIP/2.0/UDP", "SIP/2.0 UDP host", "SIP/2.0/UDPhost", "SIP/2.0/UDP 2001:db8::1",
        "SIP/2.0/UDP [2001:db8::1", "SIP/2.0/UDP [zz::1]", "SIP/2.0/UDP host:70000", "SIP/2.0/UDP host;branch",
        "SIP/2.0/UDP host;branch=", "SIP/2.0/UDP host;received=host.example.com", "SIP/2.0/UDP host;rport=x",
        "SIP/2.0/UDP host;;", "SIP/2.0/UDP host;ttl=256", "SIP/2.0/UDP host x", "SIP/2.0/UDP host;x=\"open"})
    void refused(String text) {
        assertEquals(SipParseException.Reason.BAD_VIA, assertThrows(SipParseException.class, () -> Via.parse(text)).reason());
    }

    @Test
    void builtViaWritesIpv6InBrackets() throws SipParseException {
        Via v = Via.of("TCP", "2001:DB8::0:1", 5060, "z9hG4bK1");
        assertEquals("SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK1", v.toString());
        assertEquals(v, Via.parse(v.toString()));
    }
}
