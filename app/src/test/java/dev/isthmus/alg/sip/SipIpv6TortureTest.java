package dev.isthmus.alg.sip;

import static dev.isthmus.alg.sip.SipTestMessages.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.alg.sip.SipParseException.Reason;
import dev.isthmus.wire.Ipv6Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 5118 (SIP torture test messages for IPv6), §4. Messages as the RFC prints them, each line
 * ending CRLF. §4.6, §4.8 and §4.9 carry SDP bodies whose IPv6 lines are the SDP rewriter's
 * business: their headers are tested here with the body left out and Content-Length 0.
 */
class SipIpv6TortureTest {
    /** §4.1 Valid SIP Message with an IPv6 Reference (ipv6-good). */
    @Test
    void ipv6Good() throws SipParseException {
        byte[] b = wire("""
                REGISTER sip:[2001:db8::10] SIP/2.0
                To: sip:user@example.com
                From: sip:user@example.com;tag=81x2
                Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
                Call-ID: SSG9559905523997077@hlau_4100
                Max-Forwards: 70
                Contact: "Caller" <sip:caller@[2001:db8::1]>
                CSeq: 98176 REGISTER
                Content-Length: 0

                """);
        SipMessage m = SipMessage.parseDatagram(b);
        SipUri ruri = SipUri.parse(m.requestUri());
        assertEquals(Ipv6Address.parse("2001:db8::10"), ruri.ipv6());
        assertEquals(-1, ruri.port());
        assertEquals(Ipv6Address.parse("2001:db8::9:1"), m.topVia().ipv6());
        assertEquals(List.of("\"Caller\" <sip:caller@[2001:db8::1]>"), m.contacts());
        assertArrayEquals(b, m.toBytes());
    }

    /** §4.2 Invalid SIP Message with an IPv6 Reference (ipv6-bad): no brackets, refused. */
    @Test
    void ipv6Bad() {
        SipParseException e = assertThrows(SipParseException.class, () -> SipMessage.parseDatagram(wire("""
                REGISTER sip:2001:db8::10 SIP/2.0
                To: sip:user@example.com
                From: sip:user@example.com;tag=81x2
                Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
                Call-ID: SSG9559905523997077@hlau_4100
                Max-Forwards: 70
                Contact: "Caller" <sip:caller@[2001:db8::1]>
                CSeq: 98176 REGISTER
                Content-Length: 0

                """)));
        assertEquals(Reason.BAD_URI, e.reason());
    }

    /** §4.3 Port Ambiguous in a SIP URI (port-ambiguous): the :5070 is inside the address. */
    @Test
    void portAmbiguous() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(wire("""
                REGISTER sip:[2001:db8::10:5070] SIP/2.0
                To: sip:user@example.com
                From: sip:user@example.com;tag=81x2
                Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
                Call-ID: SSG9559905523997077@hlau_4100
                Contact: "Caller" <sip:caller@[2001:db8::1]>
                Max-Forwards: 70
                CSeq: 98176 REGISTER
                Content-Length: 0

                """));
        SipUri ruri = SipUri.parse(m.requestUri());
        assertEquals(Ipv6Address.parse("2001:db8::10:5070"), ruri.ipv6());
        assertEquals(-1, ruri.port());
    }

    /** §4.4 Port Unambiguous in a SIP URI (port-unambiguous). */
    @Test
    void portUnambiguous() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(wire("""
                REGISTER sip:[2001:db8::10]:5070 SIP/2.0
                To: sip:user@example.com
                From: sip:user@example.com;tag=81x2
                Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111
                Call-ID: SSG9559905523997077@hlau_4100
                Contact: "Caller" <sip:caller@[2001:db8::1]>
                Max-Forwards: 70
                CSeq: 98176 REGISTER
                Content-Length: 0

                """));
        SipUri ruri = SipUri.parse(m.requestUri());
        assertEquals(Ipv6Address.parse("2001:db8::10"), ruri.ipv6());
        assertEquals(5070, ruri.port());
        assertEquals("[2001:db8::10]:5070", ruri.hostPort());
    }

    /** §4.5 IPv6 Reference Delimiters in Via Header (via-received-param-with-delim): accepted, be robust. */
    @Test
    void receivedWithDelimiters() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(wire("""
                BYE sip:[2001:db8::10] SIP/2.0
                To: sip:user@example.com;tag=bd76ya
                From: sip:user@example.com;tag=81x2
                Via: SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-111
                Call-ID: SSG9559905523997077@hlau_4100
                Max-Forwards: 70
                CSeq: 321 BYE
                Content-Length: 0

                """));
        assertEquals("2001:db8::9:255", m.topVia().received());
    }

    /** §4.5 (via-received-param-no-delim): the form the grammar gives. */
    @Test
    void receivedWithoutDelimiters() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(wire("""
                OPTIONS sip:[2001:db8::10] SIP/2.0
                To: sip:user@example.com
                From: sip:user@example.com;tag=81x2
                Via: SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3
                Call-ID: SSG95523997077@hlau_4100
                Max-Forwards: 70
                Contact: "Caller" <sip:caller@[2001:db8::9:1]>
                CSeq: 921 OPTIONS
                Content-Length: 0

                """));
        assertEquals("2001:db8::9:255", m.topVia().received());
        assertEquals("z9hG4bKas3", m.topVia().branch());
    }

    /** §4.6 SIP Request with IPv6 Addresses in SDP Body (ipv6-in-sdp): headers. */
    @Test
    void ipv6InSdpHeaders() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(wire("""
                INVITE sip:user@[2001:db8::10] SIP/2.0
                To: sip:user@[2001:db8::10]
                From: sip:user@example.com;tag=81x2
                Via: SIP/2.0/UDP [2001:db8::20];branch=z9hG4bKas3-111
                Call-ID: SSG9559905523997077@hlau_4100
                Contact: "Caller" <sip:caller@[2001:db8::20]>
                CSeq: 8612 INVITE
                Max-Forwards: 70
                Content-Length: 0

                """));
        assertEquals("user", SipUri.parse(m.requestUri()).user());
        assertEquals("2001:db8::10", SipUri.parse(m.requestUri()).host());
    }

    /** §4.7 Multiple IP Addresses in SIP Headers (mult-ip-in-header): IPv6 and IPv4 Vias. */
    @Test
    void multipleAddressFamiliesInVias() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(wire("""
                BYE sip:user@host.example.net SIP/2.0
                Via: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111
                Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKjhja8781hjuaij65144
                Via: SIP/2.0/TCP [2001:db8::9:255];branch=z9hG4bK451jj;received=192.0.2.200
                Call-ID: 997077@lau_4100
                Max-Forwards: 70
                CSeq: 89187 BYE
                To: sip:user@example.net;tag=9817--94
                From: sip:user@example.com;tag=81x2
                Content-Length: 0

                """));
        List<Via> vias = m.vias();
        assertEquals(6050, vias.get(0).port());
        assertEquals(Ipv6Address.parse("2001:db8::9:1"), vias.get(0).ipv6());
        assertEquals(null, vias.get(1).ipv6());
        assertEquals("192.0.2.1", vias.get(1).host());
        assertEquals("192.0.2.200", vias.get(2).received());
    }

    /** §4.9 IPv4-Mapped IPv6 Addresses (ipv4-mapped-ipv6): headers. */
    @Test
    void ipv4MappedHeaders() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(wire("""
                INVITE sip:user@example.com SIP/2.0
                To: sip:user@example.com
                From: sip:user@east.example.com;tag=81x2
                Via: SIP/2.0/UDP [::ffff:192.0.2.10]:19823;branch=z9hG4bKbh19
                Via: SIP/2.0/UDP [::ffff:192.0.2.2];branch=z9hG4bKas3-111
                Call-ID: SSG9559905523997077@hlau_4100
                Contact: "T. desk phone" <sip:ted@[::ffff:192.0.2.2]>
                CSeq: 612 INVITE
                Max-Forwards: 70
                Content-Length: 0

                """));
        assertEquals(Ipv6Address.parse("::ffff:192.0.2.10"), m.topVia().ipv6());
        assertEquals(19823, m.topVia().port());
    }

    /**
     * §4.10 IPv6 Reference Bug in RFC 3261 ABNF (ipv6-bug-abnf-3-colons, ipv6-correct-abnf-2-colons).
     * The two-colon form is the RFC 4291 address and parses; the three-colon form, which an old
     * ABNF let through, is not an IPv6 address at all and this core refuses it (the robustness the
     * RFC suggests would mean guessing what the sender meant).
     */
    @Test
    void threeColonsAreRefusedTwoParse() throws SipParseException {
        String message = """
                OPTIONS sip:user@[2001:db8:%s192.0.2.1] SIP/2.0
                To: sip:user@[2001:db8:%s192.0.2.1]
                From: sip:user@example.com;tag=810x2
                Via: SIP/2.0/UDP lab1.east.example.com;branch=z9hG4bKas3-111
                Call-ID: G9559905523997077@hlau_4100
                CSeq: 689 OPTIONS
                Max-Forwards: 70
                Content-Length: 0

                """;
        SipMessage m = SipMessage.parseDatagram(wire(message.formatted(":", ":")));
        assertEquals(Ipv6Address.parse("2001:db8::c000:201"), SipUri.parse(m.requestUri()).ipv6());
        assertEquals(Reason.BAD_URI, assertThrows(SipParseException.class,
                () -> SipMessage.parseDatagram(wire(message.formatted("::", "::")))).reason());
    }
}
