package dev.isthmus.alg.sip.media;

/** Why the relay dropped a datagram instead of forwarding it: one counter each, per call and in total. */
public enum MediaDrop {
    /** The receiving leg has announced no address for the stream yet (its answer is not seen). */
    NO_ANSWER("no-answer"),
    /** The receiving leg is on hold ({@code c=} {@code 0.0.0.0} or {@code ::}, RFC 3264 §8.4): it gets nothing. */
    HOLD("hold"),
    /** A leg rejected the stream (port 0, RFC 3264 §6): nothing is relayed either way. */
    REJECTED("rejected"),
    /**
     * The sending leg has latched onto another source and this one is not its announced address
     * either (RFC 4961 §4: symmetric RTP names one source per socket).
     */
    WRONG_SOURCE("wrong-source"),
    /** The outgoing socket's buffer is full: UDP has no backpressure. */
    SOCKET_FULL("socket-full");

    private final String key;

    MediaDrop(String key) {
        this.key = key;
    }

    /** The name in counters and metrics. */
    public String key() {
        return key;
    }
}
