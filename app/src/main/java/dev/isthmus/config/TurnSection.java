package dev.isthmus.config;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.alg.turn.server.TurnSettings;
import dev.isthmus.relay.Families;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and validates the {@code [turn]} section, the TURN server (docs/CONFIG.md lists every key). */
final class TurnSection {
    static final List<String> KEYS = List.of("listen", "realm", "relay-ipv4", "relay-ipv6", "ports", "allow",
            "allow-peers", "users", "static-auth-secret", "user-quota", "total-quota", "max-lifetime");
    static final List<String> USER_KEYS = List.of("name", "password");
    /** RFC 8656 §4 and §17: 3478 is the port of TURN over UDP and TCP. */
    static final String DEFAULT_LISTEN = "[::]:3478";
    /** RFC 8656 §7.2: a lifetime below the default of 600 s is raised to it, so no maximum can be lower. */
    static final int MIN_MAX_LIFETIME = 600;
    static final int MAX_MAX_LIFETIME = 86400;

    private TurnSection() {}

    /** The section, or null when it has errors (recorded). */
    static TurnSettings read(TableReader t, Listeners listeners) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        List<InetSocketAddress> listen = SocketKeys.listen(t, listeners, "turn", EnumSet.allOf(Listeners.Transport.class),
                DEFAULT_LISTEN, "is empty: the server would take no requests");
        String realm = t.string("realm");
        if (!t.has("realm")) {
            t.errorHere("missing key \"realm\": the REALM clients compute their keys with (RFC 8489 §9.2),"
                    + " for example \"example.test\"");
        } else if (realm != null && (realm.isEmpty() || realm.length() > 127)) {
            t.error("realm", "must be 1 to 127 characters (RFC 8489 §14.9)");
        }
        Inet4Address relay4 = relayAddress(t, "relay-ipv4", Inet4Address.class);
        Inet6Address relay6 = relayAddress(t, "relay-ipv6", Inet6Address.class);
        if (!t.has("relay-ipv4") && !t.has("relay-ipv6")) {
            t.errorHere("missing key \"relay-ipv4\" or \"relay-ipv6\": the addresses relayed ports are opened on"
                    + " (at least one)");
        }
        int[] ports = ports(t);
        // Required, with no default: an open relay is a bug (issue 21), "everyone" must be said.
        AddressSet allow = SocketKeys.prefixes(t, "allow", true);
        AddressSet allowPeers = SocketKeys.prefixes(t, "allow-peers", false);
        Map<String, String> users = users(t);
        String secret = t.string("static-auth-secret");
        if (secret != null && secret.isEmpty()) {
            t.error("static-auth-secret", "is empty: anyone could compute the passwords");
        }
        if (!t.has("users") && !t.has("static-auth-secret")) {
            t.errorHere("no credentials: add [[turn.users]] tables (name, password) or static-auth-secret;"
                    + " a TURN server without authentication is an open relay (RFC 8656 §5)");
        }
        int userQuota = t.intIn("user-quota", 1, 1_000_000, TurnSettings.DEFAULT_USER_QUOTA);
        int totalQuota = t.intIn("total-quota", 1, 1_000_000, TurnSettings.DEFAULT_TOTAL_QUOTA);
        Duration maxLifetime = Duration.ofSeconds(t.intIn("max-lifetime", MIN_MAX_LIFETIME, MAX_MAX_LIFETIME,
                (int) TurnSettings.DEFAULT_MAX_LIFETIME.toSeconds()));
        if (t.problems().count() != errorsBefore || relay4 == null && relay6 == null) {
            return null;
        }
        return new TurnSettings(listen, realm, relay4, relay6, ports[0], ports[1], allow, allowPeers, users, secret,
                userQuota, totalQuota, maxLifetime);
    }

    /** A literal address of one family, not the wildcard: it is written into XOR-RELAYED-ADDRESS. */
    private static <A extends InetAddress> A relayAddress(TableReader t, String key, Class<A> family) {
        String text = t.string(key);
        if (text == null) {
            return null;
        }
        boolean v4 = family == Inet4Address.class;
        InetAddress a;
        try {
            if (v4) {
                int x = Ipv4Address.parse(text);
                a = InetAddress.getByAddress(new byte[] {(byte) (x >>> 24), (byte) (x >>> 16), (byte) (x >>> 8), (byte) x});
            } else {
                a = InetAddress.getByAddress(Ipv6Address.parse(text).toBytes());
            }
        } catch (IllegalArgumentException | UnknownHostException e) {
            t.error(key, "\"" + text + "\" is not an " + (v4 ? "IPv4" : "IPv6") + " address");
            return null;
        }
        if (!family.isInstance(a)) {
            t.error(key, "\"" + text + "\" is not an " + (v4 ? "IPv4" : "IPv6") + " address");
            return null;
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            t.error(key, "\"" + text + "\" cannot be a relayed address: clients and peers need one they can reach");
            return null;
        }
        return family.cast(a);
    }

    /** {@code ports = "FIRST-LAST"}: the relayed ports, on each relay address. */
    private static int[] ports(TableReader t) {
        int[] dflt = {TurnSettings.DEFAULT_FIRST_PORT, TurnSettings.DEFAULT_LAST_PORT};
        String s = t.string("ports");
        if (s == null) {
            return dflt;
        }
        if (s.matches("[0-9]{1,5}-[0-9]{1,5}")) {
            int dash = s.indexOf('-');
            int first = Integer.parseInt(s.substring(0, dash));
            int last = Integer.parseInt(s.substring(dash + 1));
            if (first >= 1024 && last <= 65535 && first <= last) {
                return new int[] {first, last};
            }
        }
        t.error("ports", "expected \"FIRST-LAST\" within 1024-65535, got \"" + s + "\"");
        return dflt;
    }

    /** {@code [[turn.users]]} tables of {@code name} and {@code password}. */
    private static Map<String, String> users(TableReader t) {
        Map<String, String> out = new LinkedHashMap<>();
        for (TableReader u : t.tables("users")) {
            u.rejectUnknown(USER_KEYS);
            String name = u.string("name");
            String password = u.string("password");
            if (!u.has("name") || !u.has("password")) {
                u.errorHere("a user needs name and password");
            } else if (name != null && name.isEmpty()) {
                u.error("name", "is empty");
            } else if (password != null && password.isEmpty()) {
                u.error("password", "is empty");
            } else if (name != null && out.containsKey(name)) {
                u.error("name", "user \"" + name + "\" is listed twice");
            } else if (name != null && password != null) {
                out.put(name, password);
            }
        }
        return out;
    }

    /** The section as TOML, every default written out; passwords and the secret are not shown. */
    static String render(TurnSettings s) {
        StringBuilder sb = new StringBuilder("[turn]\n");
        sb.append("listen = ").append(SocketKeys.array(s.listen().stream().map(Families::text).toList())).append('\n');
        sb.append("realm = \"").append(s.realm()).append("\"\n");
        if (s.relayIpv4() != null) {
            sb.append("relay-ipv4 = \"").append(s.relayIpv4().getHostAddress()).append("\"\n");
        }
        if (s.relayIpv6() != null) {
            sb.append("relay-ipv6 = \"").append(s.relayIpv6().getHostAddress()).append("\"\n");
        }
        sb.append("ports = \"").append(s.firstPort()).append('-').append(s.lastPort()).append("\"\n");
        sb.append("allow = ").append(SocketKeys.array(s.allow().texts())).append('\n');
        sb.append("allow-peers = ").append(SocketKeys.array(s.allowPeers().texts())).append('\n');
        if (s.staticAuthSecret() != null) {
            sb.append("static-auth-secret = \"(hidden)\"\n");
        }
        sb.append("user-quota = ").append(s.userQuota()).append('\n');
        sb.append("total-quota = ").append(s.totalQuota()).append('\n');
        sb.append("max-lifetime = ").append(s.maxLifetime().toSeconds()).append('\n');
        for (String name : s.users().keySet()) {
            sb.append("\n[[turn.users]]\nname = \"").append(name).append("\"\npassword = \"(hidden)\"\n");
        }
        return sb.toString();
    }
}
