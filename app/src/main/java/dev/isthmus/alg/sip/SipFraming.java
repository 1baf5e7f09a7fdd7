package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * Where one message ends in a TCP or TLS byte stream: at its header section's CRLF CRLF plus
 * Content-Length bytes, Content-Length being required over a stream (RFC 3261 §18.3). Hand the
 * frame to {@link SipMessage#parse} with {@link SipMessage.Transport#STREAM}.
 */
public final class SipFraming {
    private SipFraming() {}

    /**
     * The length of the first message in {@code buf[off, off+len)}, CRLFs before it included
     * (§7.5), or -1 when more bytes are needed.
     *
     * @throws SipParseException TOO_LARGE when no message ends within
     *     {@link SipMessage#MAX_MESSAGE_SIZE} bytes; the header section's own refusals, and
     *     BODY_LENGTH_MISMATCH for a message without Content-Length: the stream cannot be framed
     *     any further and is to be closed
     */
    public static int frameLength(byte[] buf, int off, int len) throws SipParseException {
        int n = Math.min(len, SipMessage.MAX_MESSAGE_SIZE);
        String s = new String(buf, off, n, StandardCharsets.ISO_8859_1);
        int start = 0;
        while (s.startsWith("\r\n", start)) {
            start += 2;
        }
        if (s.indexOf("\r\n\r\n", start) < 0) {
            if (len >= SipMessage.MAX_MESSAGE_SIZE) {
                throw new SipParseException(Reason.TOO_LARGE, "no header end within " + SipMessage.MAX_MESSAGE_SIZE);
            }
            return -1;
        }
        SipMessage.Head head = SipMessage.Head.read(s);
        long contentLength = head.contentLength();
        if (contentLength < 0) {
            throw new SipParseException(Reason.BODY_LENGTH_MISMATCH, "no Content-Length over a stream");
        }
        long total = head.bodyStart() + contentLength;
        if (total > SipMessage.MAX_MESSAGE_SIZE) {
            throw new SipParseException(Reason.TOO_LARGE, total + " bytes");
        }
        return total <= len ? (int) total : -1;
    }
}
