package dev.isthmus.config;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.sip.media.MediaSettings;
import dev.isthmus.alg.sip.proxy.SipSettings;
import dev.isthmus.relay.Families;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;

/** Reads and validates the {@code [sip]} section and its {@code [sip.media]} table (docs/CONFIG.md). */
final class SipSection {
    static final List<String> KEYS = List.of("listen", "allow", "domain", "relay", "media", "max-transactions",
            "max-registrations", "max-connections", "max-per-client", "max-expires", "first-request-deadline", "users", "digest-algorithms");
    static final List<String> USER_KEYS = List.of("name", "password");
    static final List<String> MEDIA_KEYS = List.of("ipv4", "ipv6", "ports", "timeout", "max-calls", "max-streams");
    static final String DEFAULT_PORTS = "30000-39999";
    private static final Map<String, SipSettings.RelayMode> RELAY = Map.of("auto", SipSettings.RelayMode.AUTO,
            "always", SipSettings.RelayMode.ALWAYS);

    private SipSection() {}

    /** The section, or null when it has errors (recorded). */
    static SipSettings read(TableReader t, Listeners listeners) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        List<InetSocketAddress> listen = listen(t, listeners);
        // Required, with no default: a SIP proxy open to the world relays toll fraud (issue 22).
        AddressSet allow = SocketKeys.prefixes(t, "allow", true);
        String domain = t.string("domain");
        if (domain != null && !domain.matches(SmtpSection.HOSTNAME)) {
            t.error("domain", "\"" + domain + "\" is not a domain name");
        }
        SipSettings.RelayMode relay = t.choice("relay", RELAY, SipSettings.RelayMode.AUTO);
        MediaSettings media = null;
        TableReader m = t.table("media");
        if (m != null) {
            media = media(m);
        } else if (t.has("relay") && relay == SipSettings.RelayMode.ALWAYS) {
            t.error("relay", "\"always\" needs a [sip.media] table: the relay's addresses and ports");
        }
        int maxTransactions = t.intIn("max-transactions", 1, 10_000_000, SipSettings.DEFAULT_MAX_TRANSACTIONS);
        int maxRegistrations = t.intIn("max-registrations", 1, 10_000_000, SipSettings.DEFAULT_MAX_REGISTRATIONS);
        int maxConnections = t.intIn("max-connections", 1, 1_000_000, SipSettings.DEFAULT_MAX_CONNECTIONS);
        int maxPerClient = t.intIn("max-per-client", 1, 1_000_000, SipSettings.DEFAULT_MAX_PER_CLIENT);
        Duration maxExpires = SocketKeys.seconds(t, "max-expires", SipSettings.DEFAULT_MAX_EXPIRES, 86_400);
        if (maxExpires.toSeconds() < 60) {
            t.error("max-expires", "is below 60 s, the registrar's Min-Expires (RFC 3261 §10.3)");
        }
        Duration deadline = SocketKeys.seconds(t, "first-request-deadline", SipSettings.DEFAULT_FIRST_REQUEST_DEADLINE, 3600);
        Map<String, String> users = users(t);
        if (!users.isEmpty() && domain == null) {
            t.error("users", "[[sip.users]] need a domain: it is their digest realm and their addresses' domain");
        }
        List<String> algorithms = digestAlgorithms(t);
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new SipSettings(listen, allow, domain, relay, media, maxTransactions, maxRegistrations, maxConnections,
                maxPerClient, maxExpires, deadline, users, algorithms);
    }

    /** {@code digest-algorithms}: "MD5" and/or "SHA-256" (RFC 8760), each once, in challenge order. */
    private static List<String> digestAlgorithms(TableReader t) {
        List<String> texts = SocketKeys.strings(t, "digest-algorithms");
        if (texts == null) {
            return SipSettings.DEFAULT_DIGEST_ALGORITHMS;
        }
        if (texts.isEmpty() || texts.stream().distinct().count() != texts.size()
                || !texts.stream().allMatch(a -> a.equals("MD5") || a.equals("SHA-256"))) {
            t.error("digest-algorithms", "must list \"MD5\" and/or \"SHA-256\", each once");
            return SipSettings.DEFAULT_DIGEST_ALGORITHMS;
        }
        return texts;
    }

    /** {@code [[sip.users]]}: name and password of each user of the domain (RFC 3261 §22). */
    private static Map<String, String> users(TableReader t) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (TableReader u : t.tables("users")) {
            u.rejectUnknown(USER_KEYS);
            String name = u.string("name");
            String password = u.string("password");
            if (!u.has("name") || !u.has("password")) {
                u.errorHere("a user needs \"name\" and \"password\"");
                continue;
            }
            if (name == null || password == null) {
                continue;
            }
            // RFC 3261 §25.1's user part, unescaped: what a phone puts before the @ of its address.
            if (!name.matches("[A-Za-z0-9\\-_.!~*'()&=+$,;?/]{1,64}")) {
                u.error("name", "\"" + name + "\" is not a SIP user name (letters, digits and -_.!~*'()&=+$,;?/)");
            } else if (password.isEmpty()) {
                u.error("password", "is empty");
            } else if (out.putIfAbsent(name, password) != null) {
                u.error("name", "user \"" + name + "\" is given twice");
            }
        }
        return out;
    }

    /**
     * {@code listen}: the proxy's own addresses, one per family, UDP and TCP each. They go into Via
     * and Record-Route, which must name an address the phones reach: no wildcard.
     */
    private static List<InetSocketAddress> listen(TableReader t, Listeners listeners) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (!t.has("listen")) {
            t.errorHere("missing key \"listen\": the proxy's own addresses, e.g. [\"[2001:db8:6::1]:5060\", \"198.51.100.1:5060\"]");
            return out;
        }
        List<String> texts = t.raw("listen") instanceof String one ? List.of(one) : SocketKeys.strings(t, "listen");
        if (texts == null) {
            return out;
        }
        if (texts.isEmpty()) {
            t.error("listen", "is empty: the proxy would hear nothing");
        }
        TomlArray a = t.raw("listen") instanceof TomlArray arr ? arr : null;
        boolean v4 = false;
        boolean v6 = false;
        for (int i = 0; i < texts.size(); i++) {
            String key = a == null ? t.keyPath("listen") : t.keyPath("listen") + "[" + i + "]";
            TomlPosition at = a != null && a.inputPositionOf(i) != null ? a.inputPositionOf(i) : t.positionOf("listen");
            try {
                InetSocketAddress addr = ControlSection.listenAddress(texts.get(i));
                if (addr.getAddress().isAnyLocalAddress()) {
                    t.problems().add(at, key, Families.text(addr) + " is a wildcard: the proxy writes its listen"
                            + " addresses into Via and Record-Route, so each must be one of this host's addresses");
                    continue;
                }
                boolean six = addr.getAddress() instanceof Inet6Address;
                if (six ? v6 : v4) {
                    t.problems().add(at, key, "a second " + (six ? "IPv6" : "IPv4") + " address: the proxy takes one per family");
                    continue;
                }
                v6 |= six;
                v4 |= !six;
                listeners.add(key, EnumSet.of(Listeners.Transport.UDP, Listeners.Transport.TCP), addr, at, key);
                out.add(addr);
            } catch (IllegalArgumentException e) {
                t.problems().add(at, key, e.getMessage());
            }
        }
        return out;
    }

    private static MediaSettings media(TableReader m) {
        int errorsBefore = m.problems().count();
        m.rejectUnknown(MEDIA_KEYS);
        InetAddress ipv4 = address(m, "ipv4", Inet4Address.class);
        InetAddress ipv6 = address(m, "ipv6", Inet6Address.class);
        if (!m.has("ipv4") && !m.has("ipv6")) {
            m.errorHere("the media relay needs \"ipv4\" or \"ipv6\" (one address per family; both to bridge them)");
        }
        int[] ports = portRange(m);
        Duration timeout = SocketKeys.seconds(m, "timeout", MediaSettings.DEFAULT_TIMEOUT, 86_400);
        int maxCalls = m.intIn("max-calls", 1, 1_000_000, MediaSettings.DEFAULT_MAX_CALLS);
        int maxStreams = m.intIn("max-streams", 1, 64, MediaSettings.DEFAULT_MAX_STREAMS);
        if (m.problems().count() != errorsBefore) {
            return null;
        }
        return new MediaSettings(ipv4, ipv6, ports[0], ports[1], timeout, maxCalls, maxStreams);
    }

    private static InetAddress address(TableReader t, String key, Class<? extends InetAddress> family) {
        String s = t.string(key);
        if (s == null) {
            return null;
        }
        try {
            InetAddress a = InetAddress.ofLiteral(s);
            if (!family.isInstance(a) || a.isAnyLocalAddress() || a.isMulticastAddress()) {
                t.error(key, "\"" + s + "\" is not a unicast " + (family == Inet4Address.class ? "IPv4" : "IPv6") + " address");
                return null;
            }
            return a;
        } catch (IllegalArgumentException e) {
            t.error(key, "\"" + s + "\" is not an address");
            return null;
        }
    }

    /** {@code ports}: {@code "FIRST-LAST"}, room for at least one RTP/RTCP pair. */
    private static int[] portRange(TableReader t) {
        String s = t.string("ports");
        String text = s == null ? DEFAULT_PORTS : s;
        int dash = text.indexOf('-');
        try {
            int first = Integer.parseInt(text.substring(0, dash).strip());
            int last = Integer.parseInt(text.substring(dash + 1).strip());
            if (first >= 1024 && last <= 65535 && last - first >= 1) {
                return new int[] {first, last};
            }
        } catch (RuntimeException e) {
            // reported below
        }
        t.error("ports", "\"" + text + "\" is not a range FIRST-LAST of unprivileged ports (1024-65535) holding a pair");
        return new int[] {30000, 39999};
    }

    static String render(SipSettings s) {
        StringBuilder sb = new StringBuilder("[sip]\n");
        sb.append("listen = ").append(SocketKeys.array(s.listen().stream().map(Families::text).toList())).append('\n');
        sb.append("allow = ").append(SocketKeys.array(s.allow().texts())).append('\n');
        if (s.domain() != null) {
            sb.append("domain = \"").append(s.domain()).append("\"\n");
        }
        sb.append("relay = \"").append(s.relay().text()).append("\"\n");
        sb.append("max-transactions = ").append(s.maxTransactions()).append('\n');
        sb.append("max-registrations = ").append(s.maxRegistrations()).append('\n');
        sb.append("max-connections = ").append(s.maxConnections()).append('\n');
        sb.append("max-per-client = ").append(s.maxPerClient()).append('\n');
        sb.append("max-expires = ").append(s.maxExpires().toSeconds()).append('\n');
        sb.append("first-request-deadline = ").append(s.firstRequestDeadline().toSeconds()).append('\n');
        sb.append("digest-algorithms = ").append(SocketKeys.array(s.digestAlgorithms())).append('\n');
        for (String user : s.users().keySet()) {
            // The password stays out of show config, as [smtp.auth]'s.
            sb.append("\n[[sip.users]]\nname = \"").append(user).append("\"\npassword = \"...\"  # not shown\n");
        }
        MediaSettings m = s.media();
        if (m != null) {
            sb.append("\n[sip.media]\n");
            if (m.ipv4() != null) {
                sb.append("ipv4 = \"").append(m.ipv4().getHostAddress()).append("\"\n");
            }
            if (m.ipv6() != null) {
                sb.append("ipv6 = \"").append(dev.isthmus.wire.Ipv6Address.ofBytes(m.ipv6().getAddress())).append("\"\n");
            }
            sb.append("ports = \"").append(m.firstPort()).append('-').append(m.lastPort()).append("\"\n");
            sb.append("timeout = ").append(m.timeout().toSeconds()).append('\n');
            sb.append("max-calls = ").append(m.maxCalls()).append('\n');
            sb.append("max-streams = ").append(m.maxStreamsPerCall()).append('\n');
        }
        return sb.toString();
    }
}
