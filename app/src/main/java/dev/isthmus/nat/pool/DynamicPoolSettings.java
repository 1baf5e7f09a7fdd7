package dev.isthmus.nat.pool;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the dynamic address pool needs, built by {@code config} from {@code [siit.dynamic-pool]}.
 *
 * @param ipv4 the pool's addresses (IP4NODE6 aliases)
 * @param idleTimeout a dynamic binding unused this long is released
 * @param dataDirectory where the bindings are persisted ({@link BindingFile#NAME})
 * @param statics the config's static bindings, which take precedence over the file
 * @param pool6 the translator's pool6, or null: no binding may be inside it ({@link BindingRules})
 * @param eam6 the IPv6 side of every EAM row: no binding may be inside one
 */
public record DynamicPoolSettings(Ipv4Prefix ipv4, Duration idleTimeout, Path dataDirectory, List<Static> statics,
        Ipv6Prefix pool6, List<Ipv6Prefix> eam6) {
    /** The default idle timeout: two hours. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(2);

    /** One static binding of the config file. */
    public record Static(Ipv6Address ipv6, int ipv4) {}

    public DynamicPoolSettings {
        Objects.requireNonNull(ipv4, "ipv4");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        statics = List.copyOf(statics);
        eam6 = List.copyOf(eam6);
    }

    /** A pool beside no stateless rule (neither pool6 nor EAM). */
    public DynamicPoolSettings(Ipv4Prefix ipv4, Duration idleTimeout, Path dataDirectory, List<Static> statics) {
        this(ipv4, idleTimeout, dataDirectory, statics, null, List.of());
    }

    /** What every binding of this pool must be. */
    public BindingRules rules() {
        return new BindingRules(ipv4, pool6, eam6);
    }
}
