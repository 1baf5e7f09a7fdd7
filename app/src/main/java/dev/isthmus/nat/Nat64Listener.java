package dev.isthmus.nat;

/**
 * Told about state changes (for the session log, RFC 6888-style BIB logging, and the packets the
 * data plane must originate). Called by the thread that made the change — a worker for
 * creations, the housekeeping thread for expiry — while that shard's lock is held: an
 * implementation must be quick, must not block, and must not call back into the table. Queue
 * the work (as {@link SessionLog} does) and do it elsewhere.
 */
public interface Nat64Listener {
    Nat64Listener NONE = new Nat64Listener() {};

    default void sessionStarted(NatEvent e) {}

    default void sessionEnded(NatEvent e) {}

    default void bibCreated(NatEvent e) {}

    default void bibRemoved(NatEvent e) {}

    /** A subscriber's first BIB entry: T (paired pooling), and its port block when deterministic. */
    default void subscriberStarted(NatEvent e) {}

    default void subscriberEnded(NatEvent e) {}

    /**
     * An ESTABLISHED (or half-closed) session's TCP_EST ran out and it moved to TRANS: send the
     * probe of RFC 6146 §3.5.2.2 (a TCP segment without payload to one endpoint); traffic in reply
     * moves it back to ESTABLISHED. Only when {@link Nat64Settings#probeEstablished}.
     */
    default void probe(NatEvent e) {}

    /**
     * A stored IPv4 SYN saw no IPv6 SYN within TCP_INCOMING_SYN: send ICMPv4 Port Unreachable
     * (3/3) about {@link NatEvent#packet()} (RFC 5382 REQ-4). Only when
     * {@link Nat64Settings#storedSynIcmp}; otherwise the SYN is dropped silently (REQ-4a).
     */
    default void storedSynExpired(NatEvent e) {}
}
