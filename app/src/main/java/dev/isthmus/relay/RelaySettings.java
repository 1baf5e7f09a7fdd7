package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.PortSet;
import dev.isthmus.addr.Rfc6052Prefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One relay: where it listens, where it connects, who may use it and how much.
 *
 * @param name for counters and logs
 * @param protocol TCP or UDP
 * @param listen the listening address (its family is the clients' side)
 * @param connect the server; null in transparent mode
 * @param pool6 transparent mode (RFC 3142, TCP only): the prefix the relay answers for; the
 *     server is the IPv4 address embedded (RFC 6052) in the address each client connected to,
 *     at the port it connected to. Null for a static relay.
 * @param allow the clients that may use it; the empty set allows nobody
 * @param allowDestinations transparent mode: destinations allowed although {@link DestinationPolicy}
 *     would refuse them
 * @param connectPorts transparent mode: the ports the relay may connect to ({@link PortSet#ALL_BUT_SMTP}
 *     by default); unused by a static relay
 * @param maxConnections connections (UDP: flows) at once, all clients together
 * @param maxPerClient connections (UDP: flows) at once from one client address
 * @param idleTimeout a connection (flow) with no traffic either way for this long is closed
 * @param connectTimeout how long the connection to the server may take
 * @param proxyProtocol TCP: send a PROXY protocol v2 header to the server first
 */
public record RelaySettings(
        String name,
        Protocol protocol,
        InetSocketAddress listen,
        InetSocketAddress connect,
        Rfc6052Prefix pool6,
        AddressSet allow,
        AddressSet allowDestinations,
        PortSet connectPorts,
        int maxConnections,
        int maxPerClient,
        Duration idleTimeout,
        Duration connectTimeout,
        boolean proxyProtocol) {

    public enum Protocol {
        TCP,
        UDP
    }

    public RelaySettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(allow, "allow");
        Objects.requireNonNull(allowDestinations, "allowDestinations");
        Objects.requireNonNull(connectPorts, "connectPorts");
        if ((connect == null) == (pool6 == null)) {
            throw new IllegalArgumentException("a relay has either connect (static) or pool6 (transparent)");
        }
        if (pool6 != null && protocol != Protocol.TCP) {
            throw new IllegalArgumentException("the transparent mode relays TCP only");
        }
        if (proxyProtocol && protocol != Protocol.TCP) {
            throw new IllegalArgumentException("the PROXY protocol header is sent on TCP relays only");
        }
    }

    public boolean transparent() {
        return pool6 != null;
    }
}
