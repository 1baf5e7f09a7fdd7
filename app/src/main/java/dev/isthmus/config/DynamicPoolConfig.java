package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.nat.pool.DynamicPoolSettings;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The validated {@code [siit.dynamic-pool]} section: NAT-PT style dynamic IPv4 addresses for
 * IPv6 nodes that no EAM or pool6 covers (docs/CONFIG.md).
 *
 * @param ipv4 the pool's prefix
 * @param dataDirectory where the bindings are persisted
 * @param idleTimeout how long an unused dynamic binding lives
 * @param statics {@code [[siit.dynamic-pool.static]]} bindings, in file order
 */
public record DynamicPoolConfig(Ipv4Prefix ipv4, Path dataDirectory, Duration idleTimeout, List<Static> statics) {

    /** One {@code [[siit.dynamic-pool.static]]} row. */
    public record Static(Ipv6Address ipv6, int ipv4) {}

    public DynamicPoolConfig {
        Objects.requireNonNull(ipv4, "ipv4");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        statics = List.copyOf(statics);
    }

    /**
     * The pool's settings, beside the stateless rules of its {@code [siit]} section (which the
     * bindings added at run time must leave alone, as the config's do).
     *
     * @param pool6 the section's pool6, or null
     * @param eam the section's EAM rows
     */
    public DynamicPoolSettings toSettings(Ipv6Prefix pool6, List<SiitConfig.EamEntry> eam) {
        return new DynamicPoolSettings(ipv4, idleTimeout, dataDirectory,
                statics.stream().map(s -> new DynamicPoolSettings.Static(s.ipv6(), s.ipv4())).toList(),
                pool6, eam.stream().map(SiitConfig.EamEntry::ipv6).toList());
    }

    /** The section as TOML, every default written out. */
    String render() {
        StringBuilder sb = new StringBuilder("\n[siit.dynamic-pool]\n");
        sb.append("ipv4 = \"").append(ipv4).append("\"\n");
        sb.append("data-directory = \"").append(dataDirectory.toString().replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\"\n");
        sb.append("idle-timeout = ").append(idleTimeout.toSeconds()).append('\n');
        for (Static s : statics) {
            sb.append("\n[[siit.dynamic-pool.static]]\n");
            sb.append("ipv6 = \"").append(s.ipv6()).append("\"\n");
            sb.append("ipv4 = \"").append(Ipv4Address.format(s.ipv4())).append("\"\n");
        }
        return sb.toString();
    }
}
