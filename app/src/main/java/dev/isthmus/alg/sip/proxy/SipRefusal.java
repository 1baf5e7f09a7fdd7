package dev.isthmus.alg.sip.proxy;

/** Why the proxy refused or dropped a message: each a counter ({@code isthmus_sip_refused_total{reason}}). */
public enum SipRefusal {
    /** A request from a source not in {@code allow}: 403 (ACK: dropped). */
    CLIENT_NOT_ALLOWED("client-not-allowed", 403, "Forbidden"),
    /** A request whose next hop is not in {@code allow}, or is the proxy itself: 403. */
    DESTINATION_NOT_ALLOWED("destination-not-allowed", 403, "Forbidden (destination not allowed)"),
    /** RFC 3261 §16.3 step 3: Max-Forwards 0. */
    TOO_MANY_HOPS("too-many-hops", 483, "Too Many Hops"),
    /** RFC 3261 §16.3 step 4: the request came back with this proxy's own branch hash. */
    LOOP("loop", 482, "Loop Detected"),
    /** No binding for the Request-URI's address of record, or a name the proxy does not resolve. */
    NOT_FOUND("not-found", 404, "Not Found"),
    /** No final response from downstream in time (RFC 3261 §16.8, Timer B/C/F). */
    TIMEOUT("timeout", 408, "Request Timeout"),
    /** {@code max-transactions} reached. */
    TRANSACTIONS_FULL("transactions-full", 503, "Service Unavailable (too many transactions)"),
    /** {@code max-registrations} reached. */
    REGISTRATIONS_FULL("registrations-full", 503, "Service Unavailable (too many registrations)"),
    /** The media relay has no call, stream or port left, or no address of the family needed. */
    MEDIA_UNAVAILABLE("media-unavailable", 503, "Service Unavailable (media relay full)"),
    /** The next hop is of a family the proxy has no listen address of. */
    NO_ROUTE("no-route", 503, "Service Unavailable (no listener of that family)"),
    /** A session description the relay cannot rewrite (RFC 3261 §21.4.26). */
    SDP_NOT_ACCEPTABLE("sdp-not-acceptable", 488, "Not Acceptable Here"),
    /** RFC 3261 §10.3 step 7: an expiry below the registrar's minimum. */
    INTERVAL_TOO_BRIEF("interval-too-brief", 423, "Interval Too Brief"),
    /** A REGISTER the registrar cannot apply: {@code *} with an expiry, a bad expires value (RFC 3261 §10.3 step 6). */
    BAD_REQUEST("bad-request", 400, "Bad Request"),
    /** RFC 3261 §10.3 step 7: a REGISTER older (lower CSeq, same Call-ID) than the binding it would change. */
    OUT_OF_ORDER("out-of-order", 500, "Server Internal Error (out-of-order REGISTER)"),
    /** Calls at once beyond {@link SipProxy#MAX_CALLS}. */
    CALLS_FULL("calls-full", 503, "Service Unavailable (too many calls)"),
    /** {@link NameResolver#QUEUE} host name lookups wait already. */
    RESOLVER_BUSY("resolver-busy", 503, "Service Unavailable (name lookups queued)"),
    /** A CANCEL that matches no INVITE (RFC 3261 §9.2). */
    NO_TRANSACTION("no-transaction", 481, "Call/Transaction Does Not Exist"),
    /** A message that does not parse: dropped (a response cannot be built from it reliably). */
    MALFORMED("malformed", 0, null),
    /** A response that matches none of the proxy's transactions and whose top Via is not the proxy's. */
    UNMATCHED_RESPONSE("unmatched-response", 0, null),
    /** A request without valid credentials, challenged (RFC 3261 §22.1: 401 to REGISTER, 407 to others). */
    AUTHENTICATION_REQUIRED("authentication-required", 407, "Proxy Authentication Required"),
    /** Credentials of one user for another's address of record or From (RFC 3261 §10.3 step 5). */
    NOT_AUTHORIZED("not-authorized", 403, "Forbidden (not your address)"),
    /** A TCP connection refused at accept: {@code allow}, {@code max-connections}, {@code max-per-client}. */
    CONNECTION_REFUSED("connection-refused", 0, null),
    /** A TCP connection closed for sending no message within {@code first-request-deadline}. */
    FIRST_REQUEST_DEADLINE("first-request-deadline", 0, null),
    /** A message the proxy could not send (no connection, socket full). */
    SEND_FAILED("send-failed", 0, null);

    private final String key;
    private final int status;
    private final String reason;

    SipRefusal(String key, int status, String reason) {
        this.key = key;
        this.status = status;
        this.reason = reason;
    }

    public String key() {
        return key;
    }

    /** The status the proxy answers with, 0 when it drops instead. */
    public int status() {
        return status;
    }

    String reasonPhrase() {
        return reason;
    }
}
