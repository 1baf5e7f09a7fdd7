package dev.isthmus.alg.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * The SIP parsers with any bytes: a value or a {@link SipParseException}, never another
 * exception; a message that parses writes back to the same bytes (less what §7.5 and §18.3 let
 * it drop: CRLFs before it, bytes after its body) and parses again to itself, and so over a stream
 * once it has a Content-Length; a URI or Via that parses writes back to its text.
 */
class SipMessageFuzzTest {
    @FuzzTest(maxDuration = "30s")
    // One entry a line in Jazzer's dictionary file, in libFuzzer's escapes: \x0D\x0A is CRLF.
    @DictionaryEntries({"INVITE sip:a@b SIP/2.0\\x0D\\x0A", "SIP/2.0 200 OK\\x0D\\x0A", "\\x0D\\x0A", "\\x0D\\x0A\\x0D\\x0A",
        "\\x0D\\x0A ", "Via: SIP/2.0/UDP ", "v: ", "To: <sip:a@b>\\x0D\\x0A", "f: x<sip:a@b>;tag=1\\x0D\\x0A",
        "i: c\\x0D\\x0A", "CSeq: 1 INVITE\\x0D\\x0A", "Max-Forwards: ", "Content-Length: ", "l: ", "Contact: ",
        "Route: <sip:", "Record-Route: ", "[2001:db8::1]", "192.0.2.1", ";branch=z9hG4bK", ";rport", ";received=",
        ";lr", "sips:", "%41", "\"", "\\\\", "<", ">", ",", ";", ":", "@", "?", "="})
    void parseRefusesOrRoundTrips(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        SipMessage m;
        try {
            m = SipMessage.parseDatagram(data);
        } catch (SipParseException e) {
            m = null;
        }
        if (m != null) {
            byte[] out = m.toBytes();
            assertTrue(text.contains(new String(out, StandardCharsets.ISO_8859_1)));
            SipMessage again = reparse(out, SipMessage.Transport.DATAGRAM);
            assertEquals(m, again);
            assertArrayEquals(out, again.toBytes());
            if (m.first("Content-Length") != null) {
                assertEquals(m, reparse(out, SipMessage.Transport.STREAM));
                assertEquals(out.length, frame(out));
            }
        }
        try {
            int n = SipFraming.frameLength(data, 0, data.length);
            assertTrue(n >= -1 && n <= data.length);
        } catch (SipParseException e) {
            // a refusal is a result
        }
        try {
            assertEquals(text, SipUri.parse(text).toString());
        } catch (SipParseException e) {
            // a refusal is a result
        }
        try {
            assertEquals(text, Via.parse(text).toString());
        } catch (SipParseException e) {
            // a refusal is a result
        }
    }

    private static SipMessage reparse(byte[] out, SipMessage.Transport transport) {
        try {
            return SipMessage.parse(out, 0, out.length, transport);
        } catch (SipParseException e) {
            throw new AssertionError("refused what it wrote: " + e.getMessage(), e);
        }
    }

    private static int frame(byte[] out) {
        try {
            return SipFraming.frameLength(out, 0, out.length);
        } catch (SipParseException e) {
            throw new AssertionError("cannot frame what it wrote: " + e.getMessage(), e);
        }
    }
}
