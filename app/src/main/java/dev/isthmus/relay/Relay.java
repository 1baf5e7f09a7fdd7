package dev.isthmus.relay;

import java.net.InetSocketAddress;

/** A running relay (TCP or UDP). */
public interface Relay extends AutoCloseable {
    RelayCounters counters();

    /** The bound listening address (the actual port when configured with port 0). */
    InetSocketAddress address();

    /** Stops listening and closes every connection or flow of this relay. */
    @Override
    void close();

    /** Starts the relay of {@code s}'s protocol. */
    static Relay start(SocketPlane plane, RelaySettings s) throws java.io.IOException {
        return switch (s.protocol()) {
            case TCP -> TcpRelay.start(plane, s);
            case UDP -> UdpRelay.start(plane, s);
        };
    }
}
