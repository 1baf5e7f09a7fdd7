package dev.isthmus.alg.sip.media;

/**
 * The relay cannot give a call or a stream its ports, or cannot use what an SDP announced; for
 * the former the proxy answers 503 (RFC 3261 §21.5.4). Each reason is counted in
 * {@link MediaCounters#refused}.
 */
public final class MediaUnavailable extends Exception {
    /** Why, one counter each. */
    public enum Reason {
        /** {@code maxCalls} calls are open. */
        CALLS("calls"),
        /** The stream's index is beyond {@code maxStreamsPerCall}. */
        STREAMS("streams"),
        /** No even/odd pair is left in the port range of the leg's family. */
        PORTS("ports"),
        /** The leg's family has no relay address ({@code ipv4} or {@code ipv6} unset). */
        NO_ADDRESS("no-address"),
        /** Every pair tried was taken by another process. */
        BIND("bind"),
        /** The socket plane's descriptor budget is spent. */
        DESCRIPTORS("descriptors"),
        /** The call has ended (BYE, failure or the media timeout) while the proxy still asked for it. */
        ENDED("ended"),
        /** An SDP names an address of the other family than its leg's. */
        FAMILY("family"),
        /** An SDP names one of the relay's own ports. */
        LOOP("loop");

        private final String key;

        Reason(String key) {
            this.key = key;
        }

        /** The name in logs, counters and metrics. */
        public String key() {
            return key;
        }
    }

    private final Reason reason;

    MediaUnavailable(Reason reason, String message) {
        super(reason.key() + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * A refusal the proxy turns into a 503, maybe many a second: the message says all, a stack
     * trace would only cost.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
