package dev.isthmus.config;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.alg.ftp.proxy.DataPorts;
import dev.isthmus.alg.ftp.proxy.FtpProxySettings;
import dev.isthmus.alg.ftp.proxy.FtpProxySettings.ServerMode;
import dev.isthmus.alg.ftp.proxy.FtpProxySettings.Tls;
import dev.isthmus.relay.Families;
import dev.isthmus.addr.PortSet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and validates the {@code [ftp]} section's {@code [[ftp.proxy]]} tables (docs/CONFIG.md lists every key). */
final class FtpSection {

    static final List<String> KEYS = List.of("proxy");
    static final List<String> PROXY_KEYS = List.of(
            "name", "listen", "connect", "pool6", "allow", "allow-destinations", "connect-ports", "max-connections",
            "max-per-client", "idle-timeout", "connect-timeout", "first-command-timeout", "tls", "server-mode",
            "data-ports");

    static final InetSocketAddress DEFAULT_LISTEN = ControlSection.listenAddress("[::]:21");

    private FtpSection() {}

    /** Every proxy of the section; one with errors is left out (its errors recorded). */
    static List<FtpProxySettings> read(TableReader t, Listeners listeners) {
        t.rejectUnknown(KEYS);
        List<FtpProxySettings> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        if (!t.has("proxy")) {
            t.errorHere("[ftp] has no [[ftp.proxy]]: nothing to serve");
        }
        for (TableReader p : t.tables("proxy")) {
            FtpProxySettings s = readOne(p);
            if (s == null) {
                continue;
            }
            if (!names.add(s.name())) {
                p.error("name", "\"" + s.name() + "\" is the name of another FTP proxy too");
                continue;
            }
            if (p.has("listen")) {
                listeners.add(p.path(), EnumSet.of(Listeners.Transport.TCP), s.listen(), p.positionOf("listen"),
                        p.keyPath("listen"));
            } else {
                listeners.addDefault(p.path(), EnumSet.of(Listeners.Transport.TCP), s.listen(), p.position(),
                        p.keyPath("listen"));
            }
            out.add(s);
        }
        return out;
    }

    private static FtpProxySettings readOne(TableReader t) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(PROXY_KEYS);
        InetSocketAddress listen = SocketKeys.address(t, "listen", DEFAULT_LISTEN);
        InetSocketAddress connect = SocketKeys.address(t, "connect", null);
        Rfc6052Prefix pool6 = RelaySection.pool6(t);
        if (!t.has("connect") && !t.has("pool6")) {
            t.errorHere("missing key \"connect\" (the FTP server), or pool6 for the transparent mode");
        } else if (t.has("connect") && t.has("pool6")) {
            t.error("pool6", "an FTP proxy has either connect (its server) or pool6 (transparent), not both");
        }
        // Required, as a relay's: an FTP proxy open to everyone is a bounce and a relay for anyone.
        AddressSet allow = SocketKeys.prefixes(t, "allow", true);
        AddressSet allowDestinations = SocketKeys.prefixes(t, "allow-destinations", false);
        if (t.has("allow-destinations") && !t.has("pool6")) {
            t.error("allow-destinations", "only the transparent mode (pool6) chooses servers");
        }
        PortSet connectPorts = SocketKeys.portSet(t, "connect-ports", FtpProxySettings.DEFAULT_CONNECT_PORTS);
        if (t.has("connect-ports") && !t.has("pool6")) {
            t.error("connect-ports", "only the transparent mode (pool6) chooses ports; this proxy has its connect");
        } else if (connectPorts.isEmpty() && t.raw("connect-ports") instanceof org.tomlj.TomlArray a && a.isEmpty()) {
            t.error("connect-ports", "is empty: the proxy could reach no server");
        }
        int maxConnections = t.intIn("max-connections", 1, 1_000_000, FtpProxySettings.DEFAULT_MAX_CONNECTIONS);
        int maxPerClient = t.intIn("max-per-client", 1, 1_000_000, FtpProxySettings.DEFAULT_MAX_PER_CLIENT);
        Duration idle = SocketKeys.seconds(t, "idle-timeout", FtpProxySettings.DEFAULT_IDLE_TIMEOUT, 7 * 86400);
        Duration connectTimeout = SocketKeys.seconds(t, "connect-timeout", FtpProxySettings.DEFAULT_CONNECT_TIMEOUT, 600);
        Duration firstCommand = SocketKeys.seconds(t, "first-command-timeout",
                FtpProxySettings.DEFAULT_FIRST_COMMAND_TIMEOUT, 600);
        Tls tls = t.choice("tls", Map.of("refuse", Tls.REFUSE, "passthrough", Tls.PASSTHROUGH), Tls.REFUSE);
        ServerMode serverMode = t.choice("server-mode", Map.of("passive", ServerMode.PASSIVE, "active", ServerMode.ACTIVE),
                ServerMode.PASSIVE);
        DataPorts dataPorts = dataPorts(t);
        String name = t.string("name");
        if (name == null && listen != null) {
            name = "ftp/" + Families.text(listen);
        }
        if (name != null && (name.isEmpty() || !name.matches("[A-Za-z0-9_.:/\\[\\]-]+"))) {
            t.error("name", "\"" + name + "\" is not a name of letters, digits and _ . : / [ ] -");
        }
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new FtpProxySettings(name, listen, connect, pool6, allow, allowDestinations, connectPorts, maxConnections,
                maxPerClient, idle, connectTimeout, firstCommand, tls, serverMode, dataPorts);
    }

    /** {@code data-ports = "FIRST-LAST"}, within 1024-65535 (RFC 2577 §3: no privileged data port). */
    private static DataPorts dataPorts(TableReader t) {
        String text = t.string("data-ports");
        if (text == null) {
            return DataPorts.DEFAULT;
        }
        if (text.matches("[0-9]{1,5}-[0-9]{1,5}")) {
            int dash = text.indexOf('-');
            int first = Integer.parseInt(text.substring(0, dash));
            int last = Integer.parseInt(text.substring(dash + 1));
            if (first >= 1024 && last <= 65535 && first <= last) {
                return new DataPorts(first, last);
            }
        }
        t.error("data-ports", "expected a range \"FIRST-LAST\" within 1024-65535, got \"" + text + "\"");
        return DataPorts.DEFAULT;
    }

    /** The proxies as TOML, every default written out. */
    static String render(List<FtpProxySettings> proxies) {
        StringBuilder sb = new StringBuilder();
        for (FtpProxySettings p : proxies) {
            sb.append("[[ftp.proxy]]\n");
            sb.append("name = \"").append(p.name()).append("\"\n");
            sb.append("listen = ").append(SocketKeys.text(p.listen())).append('\n');
            if (p.transparent()) {
                sb.append("pool6 = \"").append(p.pool6()).append("\"\n");
                sb.append("allow-destinations = ").append(SocketKeys.array(p.allowDestinations().texts())).append('\n');
                sb.append("connect-ports = ").append(SocketKeys.array(p.connectPorts().items())).append('\n');
            } else {
                sb.append("connect = ").append(SocketKeys.text(p.connect())).append('\n');
            }
            sb.append("allow = ").append(SocketKeys.array(p.allow().texts())).append('\n');
            sb.append("max-connections = ").append(p.maxConnections()).append('\n');
            sb.append("max-per-client = ").append(p.maxPerClient()).append('\n');
            sb.append("idle-timeout = ").append(p.idleTimeout().toSeconds()).append('\n');
            sb.append("connect-timeout = ").append(p.connectTimeout().toSeconds()).append('\n');
            sb.append("first-command-timeout = ").append(p.firstCommandTimeout().toSeconds()).append('\n');
            sb.append("tls = \"").append(p.tls().key()).append("\"\n");
            sb.append("server-mode = \"").append(p.serverMode().key()).append("\"\n");
            sb.append("data-ports = \"").append(p.dataPorts()).append("\"\n\n");
        }
        return sb.toString();
    }
}
