package dev.isthmus.config;

import dev.isthmus.alg.http.ForwardSettings;
import dev.isthmus.alg.http.HttpSettings;
import dev.isthmus.alg.http.ReverseSite;
import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.Families;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and validates the {@code [http]} section with its {@code [http.forward]} table and
 * {@code [[http.reverse]]} sites (docs/CONFIG.md lists every key).
 */
final class HttpSection {

    static final List<String> KEYS = List.of("forward", "reverse", "max-header-bytes", "idle-timeout",
            "connect-timeout", "max-connections", "max-per-client", "request-head-timeout");
    static final List<String> FORWARD_KEYS = List.of("listen", "allow", "connect-ports", "allow-destinations");
    static final List<String> REVERSE_KEYS = List.of("host", "backend", "listen");

    static final InetSocketAddress DEFAULT_FORWARD_LISTEN = ControlSection.listenAddress("[::]:3128");
    static final InetSocketAddress DEFAULT_REVERSE_LISTEN = ControlSection.listenAddress("[::]:80");

    private static final Set<Listeners.Transport> TCP = EnumSet.of(Listeners.Transport.TCP);

    private HttpSection() {}

    private static void listen(TableReader t, InetSocketAddress address, Listeners listeners) {
        if (t.has("listen")) {
            listeners.add("http", TCP, address, t.positionOf("listen"), t.keyPath("listen"));
        } else {
            listeners.addDefault("http", TCP, address, t.position(), t.keyPath("listen"));
        }
    }

    /**
     * The section's settings, or null when it has errors (all of them recorded). The addresses it
     * listens on go to {@code listeners}; the forward proxy and the sites share a socket where they
     * share an address.
     */
    static HttpSettings read(TableReader t, Listeners listeners) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        int maxHeader = t.intIn("max-header-bytes", 1024, 1 << 20, HttpSettings.DEFAULT_MAX_HEADER_BYTES);
        Duration idle = SocketKeys.seconds(t, "idle-timeout", HttpSettings.DEFAULT_IDLE_TIMEOUT, 86400);
        Duration connect = SocketKeys.seconds(t, "connect-timeout", HttpSettings.DEFAULT_CONNECT_TIMEOUT, 600);
        int maxConnections = t.intIn("max-connections", 1, 1_000_000, HttpSettings.DEFAULT_MAX_CONNECTIONS);
        int maxPerClient = t.intIn("max-per-client", 1, 1_000_000, HttpSettings.DEFAULT_MAX_PER_CLIENT);
        Duration headTimeout = SocketKeys.seconds(t, "request-head-timeout", HttpSettings.DEFAULT_REQUEST_HEAD_TIMEOUT,
                600);
        ForwardSettings forward = null;
        TableReader f = t.table("forward");
        if (f != null) {
            f.rejectUnknown(FORWARD_KEYS);
            InetSocketAddress listen = SocketKeys.address(f, "listen", DEFAULT_FORWARD_LISTEN);
            AddressSet allow = SocketKeys.prefixes(f, "allow", true);
            Set<Integer> ports = SocketKeys.ports(f, "connect-ports", ForwardSettings.DEFAULT_CONNECT_PORTS);
            AddressSet destinations = SocketKeys.prefixes(f, "allow-destinations", false);
            if (listen != null) {
                forward = new ForwardSettings(listen, allow, ports, destinations);
                listen(f, listen, listeners);
            }
        }
        List<ReverseSite> sites = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TableReader r : t.tables("reverse")) {
            r.rejectUnknown(REVERSE_KEYS);
            String host = r.string("host");
            if (!r.has("host")) {
                r.errorHere("missing key \"host\"");
            } else if (host != null && !host.matches("[A-Za-z0-9.-]+")) {
                r.error("host", "\"" + host + "\" is not a host name (letters, digits, dots and hyphens, no port)");
                host = null;
            }
            InetSocketAddress backend = SocketKeys.requiredAddress(r, "backend");
            InetSocketAddress listen = SocketKeys.address(r, "listen", DEFAULT_REVERSE_LISTEN);
            if (host == null || backend == null || listen == null) {
                continue;
            }
            if (!seen.add(host.toLowerCase(Locale.ROOT) + " " + Families.text(listen))) {
                r.error("host", "\"" + host + "\" is published on " + Families.text(listen) + " twice");
                continue;
            }
            sites.add(new ReverseSite(host, backend, listen));
            listen(r, listen, listeners);
        }
        if (f == null && !t.has("reverse")) {
            t.errorHere("[http] has neither [http.forward] nor [[http.reverse]]: nothing to serve");
        }
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new HttpSettings(forward, sites, maxHeader, idle, connect, maxConnections, maxPerClient, headTimeout);
    }

    /** The section as TOML, every default written out. */
    static String render(HttpSettings h) {
        StringBuilder sb = new StringBuilder("[http]\n");
        sb.append("max-header-bytes = ").append(h.maxHeaderBytes()).append('\n');
        sb.append("idle-timeout = ").append(h.idleTimeout().toSeconds()).append('\n');
        sb.append("connect-timeout = ").append(h.connectTimeout().toSeconds()).append('\n');
        sb.append("max-connections = ").append(h.maxConnections()).append('\n');
        sb.append("max-per-client = ").append(h.maxPerClient()).append('\n');
        sb.append("request-head-timeout = ").append(h.requestHeadTimeout().toSeconds()).append('\n');
        ForwardSettings f = h.forward();
        if (f != null) {
            sb.append("\n[http.forward]\n");
            sb.append("listen = ").append(SocketKeys.text(f.listen())).append('\n');
            sb.append("allow = ").append(SocketKeys.array(f.allow().texts())).append('\n');
            sb.append("connect-ports = ").append(SocketKeys.array(new java.util.TreeSet<>(f.connectPorts()))).append('\n');
            sb.append("allow-destinations = ").append(SocketKeys.array(f.allowDestinations().texts())).append('\n');
        }
        for (ReverseSite r : h.reverse()) {
            sb.append("\n[[http.reverse]]\n");
            sb.append("host = \"").append(r.host()).append("\"\n");
            sb.append("backend = ").append(SocketKeys.text(r.backend())).append('\n');
            sb.append("listen = ").append(SocketKeys.text(r.listen())).append('\n');
        }
        return sb.toString();
    }
}
