package dev.isthmus.alg.http;

/**
 * Why the HTTP gateway refused a request (or a connection): each has the status code the client
 * gets ({@link #NO_ANSWER} for a connection closed at accept), a counter
 * ({@link HttpCounters#refused}) and an operator-visible key for {@code show stats} and metrics.
 */
public enum HttpRefusal {
    /** The forward proxy serves only the networks in {@code [http.forward] allow}. */
    CLIENT_NOT_ALLOWED("client-not-allowed", 403),
    /** CONNECT to a port not in {@code connect-ports} (443 by default; never 25 unless allowed). */
    CONNECT_PORT("connect-port", 403),
    /** A plain request to a well-known port other than 80 (cross-protocol requests to SMTP and the like). */
    DESTINATION_PORT("destination-port", 403),
    /** Loopback, link-local, the gateway's own addresses, … ({@code relay.DestinationPolicy}). */
    DESTINATION_REFUSED("destination-refused", 403),
    /** A request the reverse proxy has no site for (Host unknown), or origin-form to a forward-only listener. */
    UNKNOWN_SITE("unknown-site", 404),
    /** A request the parser rejected, or one without the parts a proxy needs (RFC 9112 §3). */
    BAD_REQUEST("bad-request", 400),
    /**
     * The request body's framing is broken (RFC 9112 §7.1: a chunk longer or shorter than its
     * size, a size that is not a number): the request already on its way to the server is aborted
     * by closing that connection, so the server never takes a shorter body for the whole one.
     */
    BAD_BODY("bad-body", 400),
    /** The request line is longer than {@code max-header-bytes} (RFC 9112 §3: 414). */
    URI_TOO_LONG("uri-too-long", 414),
    /** The request head is longer than {@code max-header-bytes} (RFC 6585 §5: 431). */
    HEADER_TOO_LARGE("header-too-large", 431),
    /** A scheme the proxy does not fetch itself (https:// must come through CONNECT). */
    SCHEME_NOT_SUPPORTED("scheme-not-supported", 501),
    /** The destination name did not resolve. */
    RESOLVE_FAILED("resolve-failed", 502),
    /** No address of the destination accepted a connection in time. */
    CONNECT_FAILED("connect-failed", 502),
    /**
     * The server closed or broke the connection before it answered, or its response was malformed
     * (then the client connection is closed mid-response: a truncated body is never passed off as
     * a whole one).
     */
    BAD_GATEWAY("bad-gateway", 502),
    /** {@code max-connections} client connections are open: closed at accept, nothing read or answered. */
    TOTAL_LIMIT("total-limit", HttpRefusal.NO_ANSWER),
    /** This client address has {@code max-per-client} connections open: closed at accept. */
    CLIENT_LIMIT("client-limit", HttpRefusal.NO_ANSWER),
    /**
     * The socket plane's sockets (relays and gateway together) are at the open-file limit less the
     * reserve ({@code relay.DescriptorBudget}): closed at accept.
     */
    DESCRIPTOR_LIMIT("descriptor-limit", HttpRefusal.NO_ANSWER),
    /**
     * The request head did not arrive whole within {@code request-head-timeout} (RFC 9110
     * §15.5.9: 408 Request Timeout, and the connection is closed).
     */
    REQUEST_HEAD_TIMEOUT("request-head-timeout", 408);

    /** The status of a refusal that closes the connection without an answer. */
    static final int NO_ANSWER = 0;

    private final String key;
    private final int status;

    HttpRefusal(String key, int status) {
        this.key = key;
        this.status = status;
    }

    public String key() {
        return key;
    }

    public int status() {
        return status;
    }

    /** The status code as text, {@code none} for a connection closed without an answer. */
    public String statusText() {
        return status == NO_ANSWER ? "none" : Integer.toString(status);
    }
}
