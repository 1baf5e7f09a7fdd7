package dev.isthmus.relay;

/**
 * Why a relay refused a client or dropped a datagram; each has a counter
 * ({@link RelayCounters#refused}) and an operator-visible key for {@code show stats} and metrics.
 */
public enum Refusal {
    /** The client's address is not in the relay's {@code allow} list. */
    CLIENT_NOT_ALLOWED("client-not-allowed"),
    /** The relay already serves {@code max-connections} connections (UDP: flows). */
    TOTAL_LIMIT("total-limit"),
    /** This client already has {@code max-per-client} connections (UDP: flows). */
    CLIENT_LIMIT("client-limit"),
    /** The server did not accept the relay's connection (refused, unreachable, timed out). */
    CONNECT_FAILED("connect-failed"),
    /**
     * Transparent mode: the address the client connected to is not in pool6, or embeds an IPv4
     * address the relay must not reach (RFC 3142 §7: loopback, multicast, broadcast, private, own).
     */
    DESTINATION_REFUSED("destination-refused"),
    /** UDP: a datagram dropped because the socket it must go out on has no room (backpressure). */
    DATAGRAM_DROPPED("datagram-dropped"),
    /**
     * Transparent mode: the port the client connected to is not in {@code connect-ports} (every
     * port but 25 by default: an open relay to port 25 is a spam relay).
     */
    CONNECT_PORT("connect-port"),
    /**
     * The socket plane's sockets, every relay and the HTTP gateway together, are at the open-file
     * limit less the reserve ({@link DescriptorBudget}): refused at accept (UDP: no new flow).
     */
    DESCRIPTOR_LIMIT("descriptor-limit");

    private final String key;

    Refusal(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
