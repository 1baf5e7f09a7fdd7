package dev.isthmus.alg.sip;

import static dev.isthmus.alg.sip.SipTestMessages.options;
import static dev.isthmus.alg.sip.SipTestMessages.text;
import static dev.isthmus.alg.sip.SipTestMessages.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.SipParseException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** One test per RFC 3261 rule the message core applies, and per change a proxy makes. */
class SipMessageTest {
    private static SipMessage parse(byte[] b) throws SipParseException {
        return SipMessage.parseDatagram(b);
    }

    private static Reason refusal(byte[] b) {
        return assertThrows(SipParseException.class, () -> parse(b)).reason();
    }

    /** §7.3.3: each compact form names its long header, in either case. */
    @ParameterizedTest
    @CsvSource({"i,Call-ID", "m,Contact", "e,Content-Encoding", "l,Content-Length", "c,Content-Type", "f,From",
        "s,Subject", "k,Supported", "t,To", "v,Via", "o,Event", "r,Refer-To", "u,Allow-Events", "x,Session-Expires",
        "y,Identity", "b,Referred-By", "a,Accept-Contact", "j,Reject-Contact", "d,Request-Disposition", "I,call-id"})
    void compactFormsNameTheirLongHeader(String compact, String name) {
        assertTrue(SipHeader.of(compact, "x").is(name));
        assertTrue(SipHeader.of(name, "x").is(compact));
    }

    @Test
    void namesCompareWithoutCase() throws SipParseException {
        SipMessage m = parse(options("X-Thing: a"));
        assertEquals("a", m.first("x-THING").value());
        assertEquals("a", m.first("X-Thing").value());
    }

    /** §7.3.1: a line starting with SP or HTAB continues the header; the value reads as one line. */
    @Test
    void foldedHeadersUnfoldAndKeepTheirBytes() throws SipParseException {
        byte[] b = options("Subject: first\n \tsecond\n third");
        SipMessage m = parse(b);
        assertEquals("first second third", m.first("Subject").value());
        assertEquals("Subject: first\r\n \tsecond\r\n third", m.first("Subject").raw());
        assertArrayEquals(b, m.toBytes());
    }

    @Test
    void continuationWithoutAHeaderIsRefused() {
        assertEquals(Reason.BAD_HEADER, refusal(wire("""
                OPTIONS sip:user@example.com SIP/2.0
                 folded: start

                """)));
    }

    /** §7.3.1: a header may hold a comma list, and the same header may appear again; the order is kept. */
    @Test
    void listsAcrossHeadersAndCommas() throws SipParseException {
        SipMessage m = parse(options("Route: <sip:a.example.com;lr>, <sip:b.example.com;lr>\nRoute: <sip:c.example.com;lr>"));
        assertEquals(List.of("<sip:a.example.com;lr>", "<sip:b.example.com;lr>", "<sip:c.example.com;lr>"), m.routes());
    }

    /** Commas inside a quoted string, inside {@code <>}, and after a quoted-pair do not split. */
    @Test
    void commasInQuotesAndBracketsDoNotSplit() throws SipParseException {
        SipMessage m = parse(options(
                "Contact: \"Watson, Thomas\" <sip:t@example.org;x=1>, \"a \\\", b\" <sip:u,v@example.org>, <sip:w@example.org>"));
        assertEquals(List.of("\"Watson, Thomas\" <sip:t@example.org;x=1>", "\"a \\\", b\" <sip:u,v@example.org>",
                "<sip:w@example.org>"), m.contacts());
    }

    @Test
    void multipleViasInOneHeader() throws SipParseException {
        byte[] b = wire(text(options("")).replace("Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKtest",
                "Via: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKa, SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKb")
                .replace("\r\n", "\n"));
        List<Via> vias = parse(b).vias();
        assertEquals(2, vias.size());
        assertEquals("z9hG4bKa", vias.get(0).branch());
        assertEquals("TCP", vias.get(1).transport());
    }

    @Test
    void bodyByContentLengthExtraBytesDiscarded() throws SipParseException {
        byte[] b = wire(text(options("Content-Length: 4")).replace("\r\n", "\n") + "bodyEXTRA");
        SipMessage m = parse(b);
        assertEquals("body", new String(m.body(), StandardCharsets.US_ASCII));
    }

    @Test
    void noContentLengthOverUdpTakesTheRest() throws SipParseException {
        byte[] b = wire(text(options("")).replace("\r\n", "\n") + "rest of it");
        assertEquals("rest of it", new String(parse(b).body(), StandardCharsets.US_ASCII));
    }

    @Test
    void noContentLengthOverAStreamIsRefused() {
        byte[] b = options("");
        assertEquals(Reason.BODY_LENGTH_MISMATCH, assertThrows(SipParseException.class,
                () -> SipMessage.parse(b, 0, b.length, SipMessage.Transport.STREAM)).reason());
    }

    @Test
    void contentLengthsThatDisagreeAreRefused() {
        assertEquals(Reason.BAD_CONTENT_LENGTH, refusal(options("Content-Length: 0\nl: 1")));
        assertEquals(Reason.BAD_CONTENT_LENGTH, refusal(options("Content-Length: 1x")));
        assertEquals(Reason.BAD_CONTENT_LENGTH, refusal(options("Content-Length: 99999999999999999999")));
    }

    /** §7.5: CRLFs before the start line are ignored (keep-alives). */
    @Test
    void leadingCrlfsAreSkipped() throws SipParseException {
        byte[] b = options("");
        byte[] padded = wire("\n\n" + text(b).replace("\r\n", "\n"));
        assertEquals(parse(b), parse(padded));
    }

    @Test
    void responseStartLine() throws SipParseException {
        SipMessage m = parse(wire(text(options("")).replace("OPTIONS sip:user@example.com SIP/2.0", "SIP/2.0 180 Ringing")
                .replace("\r\n", "\n")));
        assertEquals(180, m.status());
        assertNull(m.method());
        assertEquals("SIP/2.0 180 Ringing", m.startLine());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SIP/2.0 99 Low|BAD_START_LINE", "SIP/2.0 700 High|BAD_START_LINE", "SIP/2.0 2000 OK|BAD_START_LINE",
        "SIP/2.0 200|BAD_START_LINE", "SIP/3.0 200 OK|BAD_VERSION", "OPTIONS sip:a@b SIP/2.1|BAD_VERSION",
        "OPTIONS sip:a@b HTTP/1.1|BAD_START_LINE", "OPTIONS sip:a@b|BAD_START_LINE", "OPT(ONS sip:a@b SIP/2.0|BAD_START_LINE",
        "OPTIONS sip:[::1 SIP/2.0|BAD_URI", "OPTIONS 5060 SIP/2.0|BAD_URI"})
    void badStartLines(String line, Reason reason) {
        assertEquals(reason, refusal(wire(text(options("")).replace("OPTIONS sip:user@example.com SIP/2.0", line)
                .replace("\r\n", "\n"))));
    }

    /** §19.1.6: a tel: Request-URI is a request the proxy answers (416), not a parse error. */
    @Test
    void otherSchemesAreKeptAsText() throws SipParseException {
        SipMessage m = parse(wire(text(options("")).replace("OPTIONS sip:user@example.com SIP/2.0",
                "OPTIONS tel:+1-201-555-0123 SIP/2.0").replace("\r\n", "\n")));
        assertEquals("tel:+1-201-555-0123", m.requestUri());
    }

    @Test
    void requiredHeadersAndDuplicates() {
        for (String name : new String[] {"Via", "To", "From", "Call-ID", "CSeq"}) {
            String without = text(options("")).lines().filter(l -> !l.startsWith(name + ":"))
                    .reduce("", (a, l) -> a + l + "\n");
            assertEquals(Reason.MISSING_HEADER, refusal(wire(without)), name);
        }
        assertEquals(Reason.BAD_HEADER, refusal(options("Call-ID: second@example.net")));
        assertEquals(Reason.BAD_HEADER, refusal(options("Bad Name: x")));
        assertEquals(Reason.BAD_HEADER, refusal(options("NoColon")));
        assertEquals(Reason.BAD_HEADER, refusal(options("X: a\rb")));
        assertEquals(Reason.BAD_HEADER, refusal(options("Contact: <sip:a@example.com")));
    }

    @Test
    void badUrisInRoutingHeadersAreRefused() {
        assertEquals(Reason.BAD_URI, refusal(options("Route: <sip:2001:db8::1;lr>")));
        assertEquals(Reason.BAD_URI, refusal(options("Record-Route: <sip:[2001:db8::1%eth0];lr>")));
        assertEquals(Reason.BAD_URI, refusal(options("Contact: <sip:a@[2001:db8::1]:99999>")));
    }

    @Test
    void contactStarIsAccepted() throws SipParseException {
        assertEquals(List.of("*"), parse(options("Contact: *")).contacts());
    }

    @Test
    void limits() {
        assertEquals(Reason.TOO_LARGE, assertThrows(SipParseException.class,
                () -> parse(new byte[SipMessage.MAX_MESSAGE_SIZE + 1])).reason());
        assertEquals(Reason.HEADER_TOO_LONG, refusal(options("X: " + "a".repeat(SipMessage.MAX_HEADER_LENGTH))));
        assertEquals(Reason.TOO_MANY_HEADERS, refusal(options("X: a\n".repeat(SipMessage.MAX_HEADERS).strip())));
        assertEquals(Reason.NO_HEADER_END, refusal("OPTIONS sip:a@b SIP/2.0\r\nTo: x\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    // ---- the changes a proxy makes ----

    private static final byte[] RESPONSE = wire("""
            SIP/2.0 200 OK
            v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp, SIP/2.0/UDP [2001:db8::5]:5062;branch=z9hG4bKc
            Via: SIP/2.0/TCP 192.0.2.9;branch=z9hG4bKd
            To: <sip:user@example.com>;tag=2
            From: <sip:caller@example.net>;tag=1
            Call-ID: test@example.net
            CSeq: 1 INVITE
            X-Unknown:  keep   this\t
            Content-Length: 0

            """);

    @Test
    void removingTheTopViaKeepsTheRestOfItsHeader() throws SipParseException {
        SipMessage m = parse(RESPONSE).withoutTopVia();
        assertEquals("v: SIP/2.0/UDP [2001:db8::5]:5062;branch=z9hG4bKc", m.headers().getFirst().raw());
        SipMessage twice = m.withoutTopVia();
        assertEquals("192.0.2.9", twice.topVia().host());
        assertEquals(text(RESPONSE).replace("v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp, SIP/2.0/UDP [2001:db8::5]:5062;branch=z9hG4bKc\r\n", ""),
                text(twice.toBytes()));
    }

    @Test
    void addingAViaPutsItOnTop() throws SipParseException {
        SipMessage m = parse(options("X-Unknown:  keep   this\t"));
        SipMessage out = m.withTopVia(Via.of("UDP", "2001:db8:0::1", 5060, "z9hG4bKnew"));
        assertEquals("Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKnew", out.headers().getFirst().raw());
        assertEquals(2, out.vias().size());
        assertEquals("X-Unknown:  keep   this\t", out.first("X-Unknown").raw());
        assertEquals(out, parse(out.toBytes()));
    }

    @Test
    void recordRouteGoesAboveTheOthers() throws SipParseException {
        SipMessage m = parse(options("Record-Route: <sip:p2.example.com;lr>"));
        SipMessage out = m.withRecordRoute("<sip:[2001:db8::1];lr>").withRecordRoute("<sip:192.0.2.1;lr>");
        assertEquals(List.of("<sip:192.0.2.1;lr>", "<sip:[2001:db8::1];lr>", "<sip:p2.example.com;lr>"), out.recordRoutes());
        assertEquals(out, parse(out.toBytes()));
    }

    @Test
    void removingTheTopRoute() throws SipParseException {
        SipMessage m = parse(options("Route: <sip:me.example.com;lr>, <sip:next.example.com;lr>"));
        assertEquals(List.of("<sip:next.example.com;lr>"), m.withoutTopRoute().routes());
        assertEquals(List.of(), m.withoutTopRoute().withoutTopRoute().routes());
        assertNull(m.withoutTopRoute().withoutTopRoute().first("Route"));
    }

    @Test
    void maxForwardsDecrementsOrIsAdded() throws SipParseException {
        SipMessage m = parse(options(""));
        assertEquals(69, m.withMaxForwardsDecremented().maxForwards());
        SipMessage none = parse(wire(text(options("")).replace("Max-Forwards: 70\r\n", "").replace("\r\n", "\n")));
        assertEquals(-1, none.maxForwards());
        assertEquals(SipMessage.DEFAULT_MAX_FORWARDS, none.withMaxForwardsDecremented().maxForwards());
        SipMessage zero = parse(wire(text(options("")).replace("Max-Forwards: 70", "Max-Forwards: 0").replace("\r\n", "\n")));
        assertThrows(IllegalStateException.class, zero::withMaxForwardsDecremented);
    }

    @Test
    void contactAndBodyReplaced() throws SipParseException {
        SipMessage m = parse(options("Contact: <sip:a@192.0.2.1>\nm: <sip:b@192.0.2.1>\nContent-Length: 0"));
        byte[] sdp = "v=0\r\n".getBytes(StandardCharsets.US_ASCII);
        SipMessage out = m.withHeaderReplaced("Contact", "<sip:a@[2001:db8::1]>").withBody(sdp);
        assertEquals(List.of("<sip:a@[2001:db8::1]>"), out.contacts());
        assertEquals("Content-Length: 5", out.first("l").raw());
        assertArrayEquals(sdp, out.body());
        assertEquals(out, SipMessage.parse(out.toBytes(), 0, out.toBytes().length, SipMessage.Transport.STREAM));
    }

    @Test
    void requestUriReplaced() throws SipParseException {
        SipMessage out = parse(options("")).withRequestUri("sip:user@[2001:db8::7]:5070;transport=tcp");
        assertEquals("OPTIONS sip:user@[2001:db8::7]:5070;transport=tcp SIP/2.0", out.startLine());
        assertThrows(SipParseException.class, () -> out.withRequestUri("sip:2001:db8::7"));
    }

    @Test
    void builtMessagesRoundTrip() throws SipParseException {
        SipMessage m = SipMessage.request("INVITE", "sip:bob@[2001:db8::2]")
                .withHeader(SipHeader.of("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1"))
                .withHeader(SipHeader.of("To", "<sip:bob@[2001:db8::2]>"))
                .withHeader(SipHeader.of("From", "<sip:alice@192.0.2.1>;tag=a"))
                .withHeader(SipHeader.of("Call-ID", "c@192.0.2.1"))
                .withHeader(SipHeader.of("CSeq", "1 INVITE"))
                .withBody(new byte[] {1, 2, 3});
        assertEquals(m, parse(m.toBytes()));
    }
}
