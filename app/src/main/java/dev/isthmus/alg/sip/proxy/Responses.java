package dev.isthmus.alg.sip.proxy;

import dev.isthmus.alg.sip.SipHeader;
import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.SipParseException;
import java.util.HexFormat;

/** The responses the proxy makes itself (RFC 3261 §8.2.6), and the requests it makes: ACK and CANCEL. */
final class Responses {
    static final String SERVER = "isthmus";

    private Responses() {}

    /**
     * A response to {@code req}: its Via values in order, From, Call-ID, CSeq, and To with a tag
     * when the request's had none and the status is not 100 (§8.2.6.2). The tag is derived from
     * the request's branch, so a retransmitted request gets the same one.
     */
    static SipMessage to(SipMessage req, int status, String reason) {
        try {
            SipMessage r = SipMessage.response(status, reason);
            for (SipHeader via : req.all("via")) {
                r = r.withHeader(via);
            }
            String to = req.first("to").value();
            if (status != 100 && req.toTag() == null) {
                to = to + ";tag=" + tag(req);
            }
            r = r.withHeader(SipHeader.of("From", req.first("from").value()))
                    .withHeader(SipHeader.of("To", to))
                    .withHeader(SipHeader.of("Call-ID", req.callId()))
                    .withHeader(SipHeader.of("CSeq", req.first("cseq").value()))
                    .withHeader(SipHeader.of("Server", SERVER));
            return r.withBody(new byte[0]);
        } catch (SipParseException e) {
            throw new IllegalArgumentException("status " + status + " " + reason, e);
        }
    }

    /**
     * Whether {@code ack} acknowledges a final response the proxy made itself without a
     * transaction (a refusal, a challenge): its To tag is the one {@link #to} gave, from the same
     * branch (RFC 3261 §17.1.1.3: the ACK of a non-2xx has the INVITE's branch).
     */
    static boolean acksOwnResponse(SipMessage ack) {
        return tag(ack).equals(ack.toTag());
    }

    /** A tag of the proxy's own, stable per request. */
    private static String tag(SipMessage req) {
        String branch = req.topVia().branch();
        int h = (branch == null ? req.callId() + req.cseq() : branch).hashCode();
        return "isth" + HexFormat.of().toHexDigits(h);
    }

    /**
     * The ACK of a non-2xx final response to an INVITE the proxy forwarded (§17.1.1.3): the
     * forwarded request's Request-URI, Route, Call-ID, From and CSeq number, the response's To,
     * and the proxy's Via alone with the INVITE's branch.
     */
    static SipMessage ack(SipMessage forwarded, SipMessage response) {
        return hopByHop("ACK", forwarded, response.first("to").value());
    }

    /** The CANCEL of an INVITE the proxy forwarded (§9.1): as the INVITE, method CANCEL, same branch. */
    static SipMessage cancel(SipMessage forwarded) {
        return hopByHop("CANCEL", forwarded, forwarded.first("to").value());
    }

    private static SipMessage hopByHop(String method, SipMessage forwarded, String to) {
        try {
            SipMessage m = SipMessage.request(method, forwarded.requestUri())
                    .withHeader(SipHeader.of("Via", forwarded.topVia().toString()))
                    .withHeader(SipHeader.of("Max-Forwards", String.valueOf(SipMessage.DEFAULT_MAX_FORWARDS)));
            for (SipHeader route : forwarded.all("route")) {
                m = m.withHeader(route);
            }
            m = m.withHeader(SipHeader.of("From", forwarded.first("from").value()))
                    .withHeader(SipHeader.of("To", to))
                    .withHeader(SipHeader.of("Call-ID", forwarded.callId()))
                    .withHeader(SipHeader.of("CSeq", forwarded.cseq() + " " + method));
            return m.withBody(new byte[0]);
        } catch (SipParseException e) {
            throw new IllegalStateException("from a forwarded request", e);
        }
    }
}
