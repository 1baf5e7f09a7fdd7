package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.dns64.Dns64Settings;
import dev.isthmus.wire.Ipv6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;

/** Reads and validates the {@code [dns64]} section (docs/CONFIG.md lists every key). */
final class Dns64Section {

    static final List<String> KEYS = List.of(
            "listen", "upstream", "prefix", "allow", "exclude-ipv4", "exclude-aaaa", "cache-size",
            "cache-max-ttl", "upstream-timeout-ms", "max-inflight", "tcp-connections", "tcp-idle-timeout-ms",
            "rate-limit", "udp-payload", "tcp-max-per-client", "tcp-message-timeout-ms");

    static final List<String> DEFAULT_LISTEN = List.of("127.0.0.1:53", "[::1]:53");
    /** Loopback only: a DNS64 that answers everyone is an open resolver (RFC 5358). */
    static final List<String> DEFAULT_ALLOW = List.of("127.0.0.0/8", "::1/128");
    /**
     * IPv4 ranges no translator can reach on the client's behalf, so an AAAA synthesized from
     * them would be a dead end (RFC 6147 §5.1.4 leaves the set to the operator): "this network"
     * 0/8 and loopback 127/8 (RFC 1122 §3.2.1.3), link-local 169.254/16 (RFC 3927 §7: never
     * forwarded), multicast 224/4 and reserved 240/4 with the limited broadcast (RFC 7915 §1.2, §4.1).
     */
    static final List<String> DEFAULT_EXCLUDE_IPV4 = List.of(
            "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4");

    static final int DEFAULT_CACHE_SIZE = 10_000;
    /** RFC 8767 §4 suggests capping TTLs at 7 days; a day limits how long a changed record lingers. */
    static final int DEFAULT_CACHE_MAX_TTL = 86_400;
    static final int DEFAULT_UPSTREAM_TIMEOUT_MS = 2_000;
    static final int DEFAULT_MAX_INFLIGHT = 1_000;
    static final int DEFAULT_TCP_CONNECTIONS = 100;
    /** RFC 7766 §6.2.3: servers should allow idle connections to stay for some seconds. */
    static final int DEFAULT_TCP_IDLE_MS = 10_000;
    /**
     * RFC 7766 §6.2.2: a client should keep one connection to a server, and a server's limit per
     * client address should be much looser than that (an address may be many clients behind a
     * NAT); 10 still keeps one address from holding more than a tenth of the default slots.
     */
    static final int DEFAULT_TCP_MAX_PER_CLIENT = 10;
    /**
     * A query is a segment or two: from its first byte, 2 s leaves room for a few retransmissions
     * of the rest, and frees a slot held by a client that trickles bytes within that time.
     */
    static final int DEFAULT_TCP_MESSAGE_TIMEOUT_MS = 2_000;
    /** RFC 6891 §6.2.5 and DNS flag day 2020: fits any IPv6 path without fragmentation. */
    static final int DEFAULT_UDP_PAYLOAD = 1232;

    private Dns64Section() {}

    /**
     * The section's config, or null when it has errors (all of them recorded).
     *
     * @param pool6 {@code [siit] pool6}, the default prefix (RFC 6147 §5.2: the same as the
     *     translator's), or null when there is none
     * @param siitFailed {@code [siit]} is there but has errors: a missing prefix is then not an
     *     error of its own (it would have come from pool6)
     */
    static Dns64Config read(TableReader t, Ipv6Prefix pool6, boolean siitFailed) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        List<InetSocketAddress> listen = list(t, "listen", ControlSection::listenAddress, DEFAULT_LISTEN);
        List<InetSocketAddress> upstream = list(t, "upstream", Dns64Section::upstream, List.of());
        if (!t.has("upstream")) {
            t.errorHere("missing key \"upstream\": the recursive resolver(s) DNS64 asks, e.g. upstream = [\"192.0.2.53\"]");
        }
        List<Rfc6052Prefix> prefixes = list(t, "prefix", Dns64Section::prefix, List.of());
        if (!t.has("prefix")) {
            if (pool6 != null) {
                prefixes = List.of(Rfc6052Prefix.of(pool6));
            } else if (!siitFailed) {
                t.errorHere("missing key \"prefix\": set it to the NAT64 prefix (there is no [siit] pool6 to default to)");
            }
        }
        List<Object> allow = list(t, "allow", Dns64Section::clientNetwork, DEFAULT_ALLOW);
        List<Ipv4Prefix> exclude4 = list(t, "exclude-ipv4", s -> AddressText.ipv4Prefix(s, true), DEFAULT_EXCLUDE_IPV4);
        List<Ipv6Prefix> excludeAaaa = list(t, "exclude-aaaa", s -> AddressText.ipv6Prefix(s, true), List.of());
        if (!t.has("exclude-aaaa")) {
            excludeAaaa = Dns64Settings.DEFAULT_EXCLUDE_AAAA;
        }
        for (String key : List.of("listen", "upstream", "prefix", "allow")) {
            if (t.raw(key) instanceof TomlArray a && a.isEmpty()) {
                t.error(key, "must not be empty");
            }
        }
        int cacheSize = t.intIn("cache-size", 0, 10_000_000, DEFAULT_CACHE_SIZE);
        int cacheMaxTtl = t.intIn("cache-max-ttl", 0, 604_800, DEFAULT_CACHE_MAX_TTL);
        int timeout = t.intIn("upstream-timeout-ms", 100, 30_000, DEFAULT_UPSTREAM_TIMEOUT_MS);
        int maxInflight = t.intIn("max-inflight", 1, 100_000, DEFAULT_MAX_INFLIGHT);
        int tcpConnections = t.intIn("tcp-connections", 1, 10_000, DEFAULT_TCP_CONNECTIONS);
        int tcpIdle = t.intIn("tcp-idle-timeout-ms", 100, 600_000, DEFAULT_TCP_IDLE_MS);
        int tcpMaxPerClient = t.intIn("tcp-max-per-client", 1, 10_000,
                Math.min(DEFAULT_TCP_MAX_PER_CLIENT, tcpConnections));
        if (tcpMaxPerClient > tcpConnections) {
            t.error("tcp-max-per-client", tcpMaxPerClient + " is more than tcp-connections (" + tcpConnections
                    + "), so it would never apply");
        }
        int tcpMessageTimeout = t.intIn("tcp-message-timeout-ms", 100, 60_000, DEFAULT_TCP_MESSAGE_TIMEOUT_MS);
        int rateLimit = t.intIn("rate-limit", 0, 1_000_000, 0);
        int udpPayload = t.intIn("udp-payload", 512, 4096, DEFAULT_UDP_PAYLOAD);

        if (t.problems().count() != errorsBefore || prefixes.isEmpty()) {
            return null; // no prefix without an error here: the broken [siit] has them
        }
        return new Dns64Config(new Dns64Settings(listen, upstream, prefixes,
                allow.stream().filter(Ipv4Prefix.class::isInstance).map(Ipv4Prefix.class::cast).toList(),
                allow.stream().filter(Ipv6Prefix.class::isInstance).map(Ipv6Prefix.class::cast).toList(),
                exclude4, excludeAaaa, cacheSize, cacheMaxTtl, Duration.ofMillis(timeout), maxInflight,
                tcpConnections, tcpMaxPerClient, Duration.ofMillis(tcpIdle), Duration.ofMillis(tcpMessageTimeout),
                rateLimit, udpPayload));
    }

    /**
     * A string or an array of strings, each parsed by {@code parse} (which throws
     * IllegalArgumentException with a message); every bad item is an error at its own position.
     * The default when the key is absent.
     */
    private static <T> List<T> list(TableReader t, String key, Function<String, T> parse, List<String> dflt) {
        Object v = t.raw(key);
        if (v == null) {
            return dflt.stream().map(parse).toList();
        }
        List<T> out = new ArrayList<>();
        if (v instanceof String s) {
            item(t, t.positionOf(key), t.keyPath(key), s, parse, out);
        } else if (v instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                String at = t.keyPath(key) + "[" + i + "]";
                if (a.get(i) instanceof String s) {
                    item(t, a.inputPositionOf(i), at, s, parse, out);
                } else {
                    t.problems().add(a.inputPositionOf(i), at, "expected a string, got " + TableReader.describe(a.get(i)));
                }
            }
        } else {
            t.typeError(key, "a string or an array of strings");
        }
        return out;
    }

    private static <T> void item(TableReader t, TomlPosition at, String key, String s, Function<String, T> parse,
            List<T> out) {
        try {
            out.add(parse.apply(s));
        } catch (IllegalArgumentException e) {
            t.problems().add(at, key, e.getMessage());
        }
    }

    /** {@code a.b.c.d}, {@code a.b.c.d:port}, an IPv6 address, or {@code [ipv6]:port}; port 53 by default. */
    static InetSocketAddress upstream(String text) {
        int colons = (int) text.chars().filter(c -> c == ':').count();
        if (text.startsWith("[") || colons == 1) {
            return ControlSection.listenAddress(text);
        }
        try {
            byte[] b = colons == 0 ? ipv4Bytes(text) : Ipv6Address.parse(text).toBytes();
            return new InetSocketAddress(InetAddress.getByAddress(b), 53);
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address literal (names are not looked up),"
                    + " optionally with a port as in \"192.0.2.53:53\" or \"[2001:db8::53]:53\"");
        }
    }

    private static byte[] ipv4Bytes(String text) {
        int a = dev.isthmus.wire.Ipv4Address.parse(text);
        return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    }

    private static Rfc6052Prefix prefix(String text) {
        Ipv6Prefix p = AddressText.ipv6Prefix(text, false);
        String problem = SiitSection.rfc6052Problem(p);
        if (problem != null) {
            throw new IllegalArgumentException("\"" + text + "\" " + problem);
        }
        return Rfc6052Prefix.of(p);
    }

    /** An IPv4 or IPv6 prefix (a bare address is one host); never everyone. */
    private static Object clientNetwork(String text) {
        Object p = text.indexOf(':') >= 0 ? AddressText.ipv6Prefix(text, true) : AddressText.ipv4Prefix(text, true);
        if (p instanceof Ipv4Prefix v4 && v4.length() == 0 || p instanceof Ipv6Prefix v6 && v6.length() == 0) {
            throw new IllegalArgumentException("\"" + text + "\" allows every client: that is an open resolver"
                    + " (RFC 5358); list the networks of your clients");
        }
        return p;
    }
}
