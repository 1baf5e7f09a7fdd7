package dev.isthmus.alg.sip;

import java.nio.charset.StandardCharsets;

/** Messages as the RFCs print them: one line per line, each ending CRLF on the wire (RFC 4475 §2). */
final class SipTestMessages {
    private SipTestMessages() {}

    /** {@code text} with every LF made CRLF, in UTF-8 (RFC 4475 §2.2's non-ASCII bytes are UTF-8). */
    static byte[] wire(String text) {
        return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** An OPTIONS with the headers §8.1.1 requires and {@code extra} lines after them, no body. */
    static byte[] options(String extra) {
        return wire("""
                OPTIONS sip:user@example.com SIP/2.0
                Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKtest
                To: <sip:user@example.com>
                From: <sip:caller@example.net>;tag=1
                Call-ID: test@example.net
                CSeq: 1 OPTIONS
                Max-Forwards: 70
                """ + (extra.isEmpty() ? "" : extra + "\n") + "\n");
    }
}
