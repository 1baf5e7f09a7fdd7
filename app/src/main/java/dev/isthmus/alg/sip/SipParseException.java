package dev.isthmus.alg.sip;

/**
 * A SIP message, URI or header value that this core refuses, with the reason: a proxy counts
 * refusals by reason and answers a request with 400 (RFC 3261 §16.3 step 1), or 505 for
 * {@link Reason#BAD_VERSION} (§8.2.2 does not name it, §21.5.6 does), and drops a bad response.
 */
public final class SipParseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why input was refused; one counter each. */
    public enum Reason {
        /** Over {@link SipMessage#MAX_MESSAGE_SIZE} bytes, or the header section never ends within it. */
        TOO_LARGE,
        /** More than {@link SipMessage#MAX_HEADERS} header fields. */
        TOO_MANY_HEADERS,
        /** A header field (with its continuation lines) over {@link SipMessage#MAX_HEADER_LENGTH}. */
        HEADER_TOO_LONG,
        /** No CRLF CRLF ending the header section. */
        NO_HEADER_END,
        /** The request or status line is not of RFC 3261 §7.1 / §7.2's form. */
        BAD_START_LINE,
        /** A SIP-Version other than SIP/2.0 (answer 505, §21.5.6). */
        BAD_VERSION,
        /** A Request-URI, or a SIP URI in a header the core reads, that RFC 3261 §19.1 / §25.1 refuses. */
        BAD_URI,
        /** A header line without a token name and a colon, a stray CR or LF, an unbalanced quote or bracket. */
        BAD_HEADER,
        /** Content-Length not digits, too large, or given twice with different values (§20.14). */
        BAD_CONTENT_LENGTH,
        /** Content-Length larger than the bytes of the datagram (§18.3), or missing over a stream. */
        BODY_LENGTH_MISMATCH,
        /** One of To, From, Call-ID, CSeq, Via missing (§8.1.1). */
        MISSING_HEADER,
        /** A Via that §20.42 / RFC 3581 refuses. */
        BAD_VIA,
        /** CSeq not "number method", the number over 2**31-1, or the method not the request's (§8.1.1.5). */
        BAD_CSEQ,
        /** Max-Forwards not digits or over 255 (§8.1.1.6; RFC 4475 §3.1.2.4). */
        BAD_MAX_FORWARDS,
    }

    private final Reason reason;

    public SipParseException(Reason reason, String detail) {
        // A refusal is an expected answer to bad input, counted not debugged: no stack trace to fill.
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
