package dev.isthmus.config;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.Families;
import dev.isthmus.addr.PortSet;
import dev.isthmus.relay.RelaySettings;
import dev.isthmus.relay.RelaySettings.Protocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and validates the {@code [[relay]]} tables (docs/CONFIG.md lists every key). */
final class RelaySection {

    static final List<String> KEYS = List.of(
            "name", "protocol", "listen", "connect", "pool6", "allow", "allow-destinations", "max-connections",
            "max-per-client", "idle-timeout", "connect-timeout", "proxy-protocol", "connect-ports");

    static final int DEFAULT_MAX_CONNECTIONS = 1024;
    static final int DEFAULT_MAX_PER_CLIENT = 64;
    /** TCP: RFC 5382 REQ-5's "established idle timeout" of a NAT, 2 hours 4 minutes. */
    static final Duration DEFAULT_TCP_IDLE = Duration.ofSeconds(7440);
    /** UDP: RFC 4787 REQ-5, a mapping lives at least 2 minutes; 5 minutes recommended. */
    static final Duration DEFAULT_UDP_IDLE = Duration.ofSeconds(300);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private RelaySection() {}

    /**
     * Every relay of the file; a table with errors is left out (its errors recorded). Each relay's
     * listen address goes to {@code listeners}.
     */
    static List<RelaySettings> read(TableReader root, Listeners listeners) {
        List<RelaySettings> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> listens = new HashSet<>();
        for (TableReader t : root.tables("relay")) {
            RelaySettings r = readOne(t, out.size());
            if (r == null) {
                continue;
            }
            if (!listens.add(r.protocol() + " " + Families.text(r.listen()))) {
                t.error("listen", "another " + r.protocol().name() + " relay listens on " + Families.text(r.listen()));
                continue;
            }
            if (!names.add(r.name())) {
                t.error("name", "\"" + r.name() + "\" is the name of another relay too");
                continue;
            }
            Listeners.Transport transport = r.protocol() == Protocol.TCP ? Listeners.Transport.TCP : Listeners.Transport.UDP;
            listeners.add(t.path(), EnumSet.of(transport), r.listen(), t.positionOf("listen"), t.keyPath("listen"));
            out.add(r);
        }
        return out;
    }

    private static RelaySettings readOne(TableReader t, int index) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        Protocol protocol = t.choice("protocol", Map.of("tcp", Protocol.TCP, "udp", Protocol.UDP), Protocol.TCP);
        InetSocketAddress listen = SocketKeys.requiredAddress(t, "listen");
        InetSocketAddress connect = SocketKeys.address(t, "connect", null);
        Rfc6052Prefix pool6 = pool6(t);
        if (!t.has("connect") && !t.has("pool6")) {
            t.errorHere("missing key \"connect\" (the server), or pool6 for the transparent mode");
        } else if (t.has("connect") && t.has("pool6")) {
            t.error("pool6", "a relay has either connect (a static relay) or pool6 (transparent), not both");
        }
        if (t.has("pool6") && protocol != Protocol.TCP) {
            t.error("pool6", "the transparent mode relays TCP only");
        }
        AddressSet allow = SocketKeys.prefixes(t, "allow", true);
        AddressSet allowDestinations = SocketKeys.prefixes(t, "allow-destinations", false);
        if (t.has("allow-destinations") && !t.has("pool6")) {
            t.error("allow-destinations", "only the transparent mode (pool6) chooses destinations");
        }
        // As [http.forward] connect-ports for CONNECT: the ports a client may make the relay reach.
        PortSet connectPorts = SocketKeys.portSet(t, "connect-ports", PortSet.ALL_BUT_SMTP);
        if (t.has("connect-ports") && !t.has("pool6")) {
            t.error("connect-ports", "only the transparent mode (pool6) chooses ports; a static relay has its connect");
        } else if (connectPorts.isEmpty() && t.raw("connect-ports") instanceof org.tomlj.TomlArray a && a.isEmpty()) {
            t.error("connect-ports", "is empty: the relay could reach no port");
        }
        int maxConnections = t.intIn("max-connections", 1, 1_000_000, DEFAULT_MAX_CONNECTIONS);
        int maxPerClient = t.intIn("max-per-client", 1, 1_000_000, DEFAULT_MAX_PER_CLIENT);
        Duration idle = SocketKeys.seconds(t, "idle-timeout",
                protocol == Protocol.TCP ? DEFAULT_TCP_IDLE : DEFAULT_UDP_IDLE, 7 * 86400);
        Duration connectTimeout = SocketKeys.seconds(t, "connect-timeout", DEFAULT_CONNECT_TIMEOUT, 600);
        boolean proxyProtocol = t.bool("proxy-protocol", false);
        if (proxyProtocol && protocol != Protocol.TCP) {
            t.error("proxy-protocol", "the PROXY protocol header is sent on TCP relays only");
        }
        String name = t.string("name");
        if (name == null && listen != null) {
            name = protocol.name().toLowerCase(java.util.Locale.ROOT) + "/" + Families.text(listen);
        }
        if (name != null && (name.isEmpty() || !name.matches("[A-Za-z0-9_.:/\\[\\]-]+"))) {
            t.error("name", "\"" + name + "\" is not a name of letters, digits and _ . : / [ ] -");
        }
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new RelaySettings(name, protocol, listen, connect, pool6, allow, allowDestinations, connectPorts,
                maxConnections,
                maxPerClient, idle, connectTimeout, proxyProtocol);
    }

    /** {@code pool6}, an RFC 6052 prefix (also the FTP proxy's transparent mode); null when absent or wrong. */
    static Rfc6052Prefix pool6(TableReader t) {
        String text = t.string("pool6");
        if (text == null) {
            return null;
        }
        try {
            Ipv6Prefix p = AddressText.ipv6Prefix(text, false);
            String problem = SiitSection.rfc6052Problem(p);
            if (problem != null) {
                t.error("pool6", "\"" + text + "\" " + problem);
                return null;
            }
            return Rfc6052Prefix.of(p);
        } catch (IllegalArgumentException e) {
            t.error("pool6", e.getMessage());
            return null;
        }
    }

    /** The relays as TOML, every default written out. */
    static String render(List<RelaySettings> relays) {
        StringBuilder sb = new StringBuilder();
        for (RelaySettings r : relays) {
            sb.append("[[relay]]\n");
            sb.append("name = \"").append(r.name()).append("\"\n");
            sb.append("protocol = \"").append(r.protocol().name().toLowerCase(java.util.Locale.ROOT)).append("\"\n");
            sb.append("listen = ").append(SocketKeys.text(r.listen())).append('\n');
            if (r.transparent()) {
                sb.append("pool6 = \"").append(r.pool6()).append("\"\n");
                sb.append("allow-destinations = ").append(SocketKeys.array(r.allowDestinations().texts())).append('\n');
                sb.append("connect-ports = ").append(SocketKeys.array(r.connectPorts().items())).append('\n');
            } else {
                sb.append("connect = ").append(SocketKeys.text(r.connect())).append('\n');
            }
            sb.append("allow = ").append(SocketKeys.array(r.allow().texts())).append('\n');
            sb.append("max-connections = ").append(r.maxConnections()).append('\n');
            sb.append("max-per-client = ").append(r.maxPerClient()).append('\n');
            sb.append("idle-timeout = ").append(r.idleTimeout().toSeconds()).append('\n');
            sb.append("connect-timeout = ").append(r.connectTimeout().toSeconds()).append('\n');
            sb.append("proxy-protocol = ").append(r.proxyProtocol()).append("\n\n");
        }
        return sb.toString();
    }
}
