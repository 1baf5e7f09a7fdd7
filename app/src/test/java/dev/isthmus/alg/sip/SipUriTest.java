package dev.isthmus.alg.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv6Address;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3261 §19.1 and §25.1's SIP-URI, with RFC 5118's IPv6 references. */
class SipUriTest {
    @Test
    void ipv6ReferenceWithPortAndTransport() throws SipParseException {
        SipUri u = SipUri.parse("sip:[2001:db8::10]:5060;transport=tcp");
        assertEquals(Ipv6Address.parse("2001:db8::10"), u.ipv6());
        assertEquals("2001:db8::10", u.host());
        assertEquals(5060, u.port());
        assertEquals("tcp", u.param("transport"));
        assertEquals(List.of(new SipParam("transport", "tcp")), u.params());
        assertEquals("sip:[2001:db8::10]:5060;transport=tcp", u.toString());
    }

    @Test
    void everyPart() throws SipParseException {
        SipUri u = SipUri.parse("SIPS:alice:secret@atlanta.example.com:5061;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent");
        assertTrue(u.secure());
        assertEquals("alice", u.user());
        assertEquals("secret", u.password());
        assertEquals("atlanta.example.com", u.host());
        assertNull(u.ipv6());
        assertEquals(5061, u.port());
        assertEquals("", u.param("LR"));
        assertEquals("239.255.255.1", u.param("maddr"));
        assertNull(u.param("ttl"));
        assertEquals("subject=project%20x&priority=urgent", u.headers());
    }

    /** §19.1.2: the user part's escapes decode; the text keeps them. */
    @Test
    void userEscapes() throws SipParseException {
        SipUri u = SipUri.parse("sip:%61lice%20b@example.com");
        assertEquals("%61lice%20b", u.user());
        assertEquals("alice b", u.userDecoded());
    }

    @Test
    void builtUris() {
        assertEquals("sip:[2001:db8::1]:5060;lr", SipUri.of(null, "2001:DB8:0:0::1", 5060, List.of(new SipParam("lr", null))).toString());
        assertEquals("sip:bob@192.0.2.1", SipUri.of("bob", "192.0.2.1", -1, List.of()).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sip:2001:db8::10", // RFC 5118 §4.2: no brackets
        "sip:[2001:db8::10", "sip:[2001:db8::10]x", "sip:[fe80::1%eth0]", "sip:[fe80::1%25eth0]", // zone: not in the grammar
        "sip:[2001:db8:::1]", "sip:[192.0.2.1]", "sip:host:99999", "sip:host:", "sip:host:5x", "http://example.com",
        "sip:", "sip:@host", "sip:user@", "sip:us er@host", "sip:user@host;", "sip:user@host;=v", "sip:user@host;a=",
        "sip:user@host?", "sip:user@ho_st", "sip:user@-host", "sip:user@host.123", "sip:user@192.0.2.256", "sip:a%2@host",
        "sip:a%zz@host", "sip:user@host;p=<x>"})
    void refused(String text) {
        assertEquals(SipParseException.Reason.BAD_URI, assertThrows(SipParseException.class, () -> SipUri.parse(text)).reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sip:host", "sip:host.", "sip:h-1.example.com", "sip:192.0.2.1:5060", "sip:[::1]",
        "sip:[::ffff:192.0.2.1]:1", "sip:u@a.b;x;y=z", "sip:+1-201@gw;user=phone", "sip:u:@host"})
    void accepted(String text) throws SipParseException {
        assertEquals(text, SipUri.parse(text).toString());
    }
}
