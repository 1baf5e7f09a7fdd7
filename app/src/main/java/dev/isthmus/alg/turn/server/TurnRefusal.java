package dev.isthmus.alg.turn.server;

/**
 * Why the TURN server refused a request or dropped a packet: one counter each
 * ({@code show stats}, {@code isthmus_turn_refused_total{reason}}), named in the log line.
 */
public enum TurnRefusal {
    /** The client's address is not in {@code allow}: nothing is answered. */
    CLIENT_NOT_ALLOWED("client-not-allowed"),
    /** Bytes that are neither a STUN message nor ChannelData, or break their rules. */
    MALFORMED("malformed"),
    /** A request without credentials: the 401 that starts every authenticated exchange (RFC 8489 §9.2.4). */
    UNAUTHENTICATED("unauthenticated"),
    /** An unknown user name or a wrong MESSAGE-INTEGRITY: 401 with a fresh nonce. */
    WRONG_CREDENTIALS("wrong-credentials"),
    /** A nonce that expired or that this server never made: 438 (RFC 8489 §9.2.4). */
    STALE_NONCE("stale-nonce"),
    /** A request that breaks a rule of RFC 8656 (missing attribute, conflicting channel): 400. */
    BAD_REQUEST("bad-request"),
    /** A comprehension-required attribute the server does not know: 420 (RFC 8489 §6.3.1.1). */
    UNKNOWN_ATTRIBUTE("unknown-attribute"),
    /** A request on a 5-tuple that has no allocation, or an Allocate on one that has: 437. */
    ALLOCATION_MISMATCH("allocation-mismatch"),
    /** REQUESTED-ADDRESS-FAMILY names a family the server has no relay address of: 440. */
    FAMILY_NOT_SUPPORTED("family-not-supported"),
    /** REQUESTED-TRANSPORT other than UDP: 442. */
    UNSUPPORTED_TRANSPORT("unsupported-transport"),
    /** A peer of a family the allocation has no relayed address of: 443. */
    PEER_FAMILY_MISMATCH("peer-family-mismatch"),
    /** A peer in loopback, private, link-local... ranges and not in {@code allow-peers}: 403. */
    PEER_FORBIDDEN("peer-forbidden"),
    /** {@code user-quota} or {@code total-quota} reached: 486. */
    QUOTA("quota"),
    /** No relayed port left, or reservations asked for (which this server does not make): 508. */
    CAPACITY("capacity"),
    /** A method this server does not implement: 400. */
    UNKNOWN_METHOD("unknown-method"),
    /** Data from a peer (or to one) without a permission for its address (RFC 8656 §9). */
    NO_PERMISSION("no-permission"),
    /** ChannelData on a channel that is not bound (RFC 8656 §12.6). */
    UNBOUND_CHANNEL("unbound-channel"),
    /** A datagram dropped because the outgoing socket was full. */
    DROPPED("dropped");

    private final String key;

    TurnRefusal(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
