package dev.isthmus.alg.turn.server;

import dev.isthmus.addr.AddressSet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code [turn]} configures (docs/CONFIG.md): the TURN server of RFC 8656 with RFC 6156's
 * address families.
 *
 * @param listen a UDP and a TCP listener on each address
 * @param realm the REALM of the long-term credentials (RFC 8489 §9.2)
 * @param relayIpv4 the IPv4 relayed address, or null when the server relays no IPv4
 * @param relayIpv6 the IPv6 relayed address, or null when the server relays no IPv6
 * @param firstPort first port of the relayed ports, on each relay address
 * @param lastPort last port, included
 * @param allow the clients that may use the server
 * @param allowPeers peers accepted even though the peer rules refuse them (loopback, private...)
 * @param users {@code [[turn.users]]}: name to password
 * @param staticAuthSecret the REST-style shared secret (coturn's {@code static-auth-secret}), or null
 * @param userQuota allocations one user may hold at once
 * @param totalQuota allocations the server holds at once
 * @param maxLifetime the longest allocation lifetime granted (RFC 8656 §7.2: 3600 s recommended)
 */
public record TurnSettings(List<InetSocketAddress> listen, String realm, Inet4Address relayIpv4,
        Inet6Address relayIpv6, int firstPort, int lastPort, AddressSet allow, AddressSet allowPeers,
        Map<String, String> users, String staticAuthSecret, int userQuota, int totalQuota, Duration maxLifetime) {
    public static final int DEFAULT_FIRST_PORT = 49152;
    public static final int DEFAULT_LAST_PORT = 65535;
    public static final int DEFAULT_USER_QUOTA = 10;
    public static final int DEFAULT_TOTAL_QUOTA = 1000;
    /** RFC 8656 §7.2: the default allocation lifetime, and the least one granted. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(600);
    /** RFC 8656 §7.2: the maximum "SHOULD NOT" exceed 3600 s. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofSeconds(3600);

    public TurnSettings {
        listen = List.copyOf(listen);
        users = Map.copyOf(users);
        if (relayIpv4 == null && relayIpv6 == null) {
            throw new IllegalArgumentException("a TURN server needs a relay address");
        }
    }
}
