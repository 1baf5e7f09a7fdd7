package dev.isthmus.config;

import dev.isthmus.dns64.Dns64Settings;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The validated {@code [dns64]} section: the DNS64 server's settings, every default filled in.
 *
 * @param settings what {@link dev.isthmus.dns64.Dns64Server} runs with
 */
public record Dns64Config(Dns64Settings settings) {

    /** The effective section as TOML, every default written out; {@link ConfigLoader} reads it back to an equal value. */
    public String render() {
        Dns64Settings s = settings;
        StringBuilder sb = new StringBuilder("[dns64]\n");
        kv(sb, "listen", list(s.listen().stream().map(Dns64Settings::addressText)));
        kv(sb, "upstream", list(s.upstreams().stream().map(Dns64Settings::addressText)));
        kv(sb, "prefix", list(s.prefixes().stream().map(p -> p.prefix().toString())));
        kv(sb, "allow", list(Stream.concat(s.allow().stream(), s.allow6().stream()).map(Object::toString)));
        kv(sb, "exclude-ipv4", list(s.excludeIpv4().stream().map(Object::toString)));
        kv(sb, "exclude-aaaa", list(s.excludeAaaa().stream().map(Object::toString)));
        kv(sb, "cache-size", Integer.toString(s.cacheEntries()));
        kv(sb, "cache-max-ttl", Integer.toString(s.cacheMaxTtl()));
        kv(sb, "upstream-timeout-ms", Long.toString(s.upstreamTimeout().toMillis()));
        kv(sb, "max-inflight", Integer.toString(s.maxInflight()));
        kv(sb, "tcp-connections", Integer.toString(s.tcpConnections()));
        kv(sb, "tcp-idle-timeout-ms", Long.toString(s.tcpIdle().toMillis()));
        kv(sb, "rate-limit", Integer.toString(s.rateLimit()));
        kv(sb, "udp-payload", Integer.toString(s.udpPayload()));
        kv(sb, "tcp-max-per-client", Integer.toString(s.tcpMaxPerClient()));
        kv(sb, "tcp-message-timeout-ms", Long.toString(s.tcpMessageTimeout().toMillis()));
        return sb.toString();
    }

    private static String list(Stream<String> items) {
        return items.map(i -> "\"" + i + "\"").collect(Collectors.joining(", ", "[", "]"));
    }

    private static void kv(StringBuilder sb, String key, String value) {
        sb.append(key).append(" = ").append(value).append('\n');
    }
}
