package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.TranslatedPrefixes.Translated;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The transparent relay's choice of server (RFC 3142 §4): the IPv4 address embedded (RFC 6052
 * §2.3) in the address a client connected to, at the port it connected to — or why the relay
 * must not go there. Pure, so that every refusal is tested without a socket.
 */
final class TransparentDestination {
    /**
     * The server to connect to, or the refusal and its reason (for the log line, after "client
     * ADDRESS ").
     *
     * @param server null when refused
     * @param refusal null when allowed
     */
    record Verdict(InetSocketAddress server, Refusal refusal, String why) {}

    private final RelaySettings s;
    private final DestinationPolicy policy;

    TransparentDestination(RelaySettings s, DestinationPolicy policy) {
        this.s = s;
        this.policy = policy;
    }

    /** Where a client that connected to {@code local} (the accepted socket's local address) goes. */
    Verdict of(InetSocketAddress local) {
        InetAddress dst = local.getAddress();
        if (!(dst instanceof Inet6Address) || AddressSet.unmapped(dst) != dst) {
            return refused(Refusal.DESTINATION_REFUSED, "connected to " + Families.text(local) + ", not an address in pool6 "
                    + s.pool6());
        }
        Ipv6Address d = Ipv6Address.ofBytes(dst.getAddress());
        if (!s.pool6().contains(d.hi(), d.lo())) {
            return refused(Refusal.DESTINATION_REFUSED, "connected to " + Families.text(local) + ", not an address in pool6 "
                    + s.pool6());
        }
        int v4 = s.pool6().extract(d.hi(), d.lo());
        Inet4Address server = TranslatedPrefixes.ipv4(v4);
        String asked = "asked for " + server.getHostAddress() + ":" + local.getPort();
        // The port first: it is the operator's own list, and the cheaper check.
        if (!s.connectPorts().contains(local.getPort())) {
            return refused(Refusal.CONNECT_PORT, asked + ": port " + local.getPort() + " is not in connect-ports "
                    + (s.connectPorts().equals(PortSet.ALL_BUT_SMTP) ? "(every port but 25 by default)" : s.connectPorts()));
        }
        // The same rule as every other destination behind a translated prefix (RFC 6052 §3.1 included).
        String why = policy.refusal(new Translated(server, "pool6 " + s.pool6(), s.pool6().isWellKnown()));
        if (why != null) {
            return refused(Refusal.DESTINATION_REFUSED, asked + ": " + why);
        }
        return new Verdict(new InetSocketAddress(server, local.getPort()), null, null);
    }

    private static Verdict refused(Refusal r, String why) {
        return new Verdict(null, r, why);
    }

}
