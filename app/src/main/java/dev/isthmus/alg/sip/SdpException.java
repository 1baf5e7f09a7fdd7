package dev.isthmus.alg.sip;

/**
 * An SDP body the relay will not carry, with the reason: the proxy answers the offer with 488
 * (RFC 3261 §21.4.26) or fails the answer's leg, and counts the reason, never throws further.
 */
public final class SdpException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a body was refused. */
    public enum Reason {
        /** Over {@link Sdp#MAX_BYTES}, {@link Sdp#MAX_LINES} or {@link Sdp#MAX_MEDIA}. */
        TOO_LARGE,
        /** Not {@code <type>=<value>} (RFC 8866 §5), a NUL or a lone CR, an empty line inside. */
        BAD_LINE,
        /** The first line is not {@code v=0} (RFC 8866 §5.1). */
        BAD_VERSION,
        /** No {@code o=}, two, or one that is not six fields (RFC 8866 §5.2). */
        BAD_ORIGIN,
        /** A {@code c=} that is not {@code IN IP4|IP6 literal}, or two in one section (RFC 8866 §5.7). */
        BAD_CONNECTION,
        /** A network type other than IN or an address type other than IP4 and IP6. */
        UNSUPPORTED_NETWORK,
        /** A multicast {@code c=} (with or without TTL/count, RFC 8866 §5.7): a unicast relay cannot carry it. */
        MULTICAST,
        /** A stream with a port but no {@code c=} for it, at media or session level (RFC 8866 §5.7). */
        NO_CONNECTION,
        /** An {@code m=} that is not {@code media port[/count] proto fmt...} (RFC 8866 §5.14). */
        BAD_MEDIA,
        /** An {@code m=} with a port count above 1 (RFC 8866 §5.14): the relay gives one pair per stream. */
        PORT_COUNT,
        /** An {@code a=rtcp} that is not {@code port [IN IP4|IP6 address]} (RFC 3605 §2.1). */
        BAD_RTCP,
        /** An {@code a=candidate} that does not follow RFC 8839 §5.1. */
        BAD_CANDIDATE,
        /** A {@code t=} that is not two decimal times (RFC 8866 §5.9). */
        BAD_TIMING,
        /** A {@code b=} that is not {@code bwtype:bandwidth} (RFC 8866 §5.8). */
        BAD_BANDWIDTH
    }

    private final Reason reason;

    SdpException(Reason reason, String detail) {
        // No stack trace: a refusal is an answer to the peer, not a fault to debug.
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
