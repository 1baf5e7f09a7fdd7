package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;

/**
 * The forward proxy ({@code [http.forward]}): a browser configured with it reaches web sites of
 * the other address family by absolute-URI requests (RFC 9112 §3.2.2) and CONNECT tunnels
 * (RFC 9110 §9.3.6).
 *
 * @param listen where browsers connect
 * @param allow the client networks that may use it; the empty set allows nobody
 * @param connectPorts the ports CONNECT may reach (443 by default: a CONNECT to port 25 would make
 *     the proxy a spam relay)
 * @param allowDestinations destinations allowed although the {@code DestinationPolicy} refuses
 *     them (loopback, link-local, the gateway's own addresses)
 */
public record ForwardSettings(InetSocketAddress listen, AddressSet allow, Set<Integer> connectPorts,
        AddressSet allowDestinations) {
    public static final Set<Integer> DEFAULT_CONNECT_PORTS = Set.of(443);

    public ForwardSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(allow, "allow");
        connectPorts = Set.copyOf(connectPorts);
        Objects.requireNonNull(allowDestinations, "allowDestinations");
    }
}
