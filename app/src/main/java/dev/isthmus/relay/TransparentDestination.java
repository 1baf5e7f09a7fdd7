package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.PortSet;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.relay.TranslatedPrefixes.Translated;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The transparent relay's choice of server (RFC 3142 §4): the IPv4 address embedded (RFC 6052
 * §2.3) in the address a client connected to, at the port it connected to — or why the relay
 * must not go there. Pure, so that every refusal is tested without a socket. The FTP proxy's
 * transparent mode chooses its server the same way.
 */
public final class TransparentDestination {
    /**
     * The server to connect to, or the refusal and its reason (for the log line, after "client
     * ADDRESS ").
     *
     * @param server null when refused
     * @param refusal null when allowed
     */
    public record Verdict(InetSocketAddress server, Refusal refusal, String why) {}

    private final Rfc6052Prefix pool6;
    private final PortSet connectPorts;
    private final DestinationPolicy policy;

    TransparentDestination(RelaySettings s, DestinationPolicy policy) {
        this(s.pool6(), s.connectPorts(), policy);
    }

    /**
     * @param pool6 the prefix whose addresses embed the servers
     * @param connectPorts the ports a client may make the gateway reach
     */
    public TransparentDestination(Rfc6052Prefix pool6, PortSet connectPorts, DestinationPolicy policy) {
        this.pool6 = pool6;
        this.connectPorts = connectPorts;
        this.policy = policy;
    }

    /** Where a client that connected to {@code local} (the accepted socket's local address) goes. */
    public Verdict of(InetSocketAddress local) {
        InetAddress dst = local.getAddress();
        if (!(dst instanceof Inet6Address) || AddressSet.unmapped(dst) != dst) {
            return refused(Refusal.DESTINATION_REFUSED, "connected to " + Families.text(local) + ", not an address in pool6 "
                    + pool6);
        }
        Ipv6Address d = Ipv6Address.ofBytes(dst.getAddress());
        if (!pool6.contains(d.hi(), d.lo())) {
            return refused(Refusal.DESTINATION_REFUSED, "connected to " + Families.text(local) + ", not an address in pool6 "
                    + pool6);
        }
        int v4 = pool6.extract(d.hi(), d.lo());
        Inet4Address server = TranslatedPrefixes.ipv4(v4);
        String asked = "asked for " + server.getHostAddress() + ":" + local.getPort();
        // The port first: it is the operator's own list, and the cheaper check.
        if (!connectPorts.contains(local.getPort())) {
            return refused(Refusal.CONNECT_PORT, asked + ": port " + local.getPort() + " is not in connect-ports "
                    + (connectPorts.equals(PortSet.ALL_BUT_SMTP) ? "(every port but 25 by default)" : connectPorts));
        }
        // The same rule as every other destination behind a translated prefix (RFC 6052 §3.1 included).
        String why = policy.refusal(new Translated(server, "pool6 " + pool6, pool6.isWellKnown()));
        if (why != null) {
            return refused(Refusal.DESTINATION_REFUSED, asked + ": " + why);
        }
        return new Verdict(new InetSocketAddress(server, local.getPort()), null, null);
    }

    private static Verdict refused(Refusal r, String why) {
        return new Verdict(null, r, why);
    }

}
