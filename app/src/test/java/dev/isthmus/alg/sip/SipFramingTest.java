package dev.isthmus.alg.sip;

import static dev.isthmus.alg.sip.SipTestMessages.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.alg.sip.SipParseException.Reason;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 3261 §18.3: over a stream, a message ends Content-Length bytes after its CRLF CRLF. */
class SipFramingTest {
    @Test
    void framesMessagesOneAfterAnother() throws SipParseException {
        byte[] one = concat(options("Content-Length: 3"), "abc".getBytes());
        byte[] two = options("l: 0");
        byte[] stream = concat(concat(one, two), "INVITE sip:x".getBytes());
        assertEquals(one.length, SipFraming.frameLength(stream, 0, stream.length));
        assertEquals(two.length, SipFraming.frameLength(stream, one.length, stream.length - one.length));
        int rest = one.length + two.length;
        assertEquals(-1, SipFraming.frameLength(stream, rest, stream.length - rest));
        SipMessage m = SipMessage.parse(stream, 0, one.length, SipMessage.Transport.STREAM);
        assertEquals(3, m.bodyLength());
    }

    @Test
    void partialBodyOrHeadersNeedMore() throws SipParseException {
        byte[] one = concat(options("Content-Length: 3"), "abc".getBytes());
        for (int len = 0; len < one.length; len++) {
            assertEquals(-1, SipFraming.frameLength(one, 0, len), "at " + len);
        }
    }

    /** §7.5 / RFC 5626 §3.5.1: CRLFs between messages belong to the next frame and are skipped. */
    @Test
    void keepAliveCrlfsBeforeAMessage() throws SipParseException {
        byte[] m = concat("\r\n\r\n".getBytes(), options("l: 0"));
        assertEquals(m.length, SipFraming.frameLength(m, 0, m.length));
        assertEquals(SipMessage.parseDatagram(options("l: 0")), SipMessage.parse(m, 0, m.length, SipMessage.Transport.STREAM));
    }

    @Test
    void refusals() {
        byte[] noLength = options("");
        assertEquals(Reason.BODY_LENGTH_MISMATCH, assertThrows(SipParseException.class,
                () -> SipFraming.frameLength(noLength, 0, noLength.length)).reason());
        byte[] endless = new byte[SipMessage.MAX_MESSAGE_SIZE];
        Arrays.fill(endless, (byte) 'a');
        assertEquals(Reason.TOO_LARGE, assertThrows(SipParseException.class,
                () -> SipFraming.frameLength(endless, 0, endless.length)).reason());
        byte[] huge = options("Content-Length: 65535");
        assertEquals(Reason.TOO_LARGE, assertThrows(SipParseException.class,
                () -> SipFraming.frameLength(huge, 0, huge.length)).reason());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
