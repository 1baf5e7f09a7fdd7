package dev.isthmus.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The validated {@code [control]} section: where the management interface listens. When the
 * file has no such section every key takes its default ({@link #DEFAULT}).
 *
 * @param socket the Unix domain control socket (created root-only, mode 0600)
 * @param metrics the Prometheus metrics listen address, or null when metrics are off
 */
public record ControlConfig(Path socket, InetSocketAddress metrics) {

    public static final Path DEFAULT_SOCKET = Path.of("/run/isthmus/isthmus.sock");
    public static final ControlConfig DEFAULT = new ControlConfig(DEFAULT_SOCKET, null);

    /** The section as TOML, every default written out. */
    public String render() {
        StringBuilder sb = new StringBuilder("[control]\n");
        sb.append("socket = \"").append(socket).append("\"\n");
        if (metrics == null) {
            sb.append("# metrics is not set: no Prometheus endpoint\n");
        } else {
            String host = metrics.getAddress().getHostAddress();
            if (host.indexOf(':') >= 0) {
                host = "[" + dev.isthmus.wire.Ipv6Address.ofBytes(metrics.getAddress().getAddress()) + "]";
            }
            sb.append("metrics = \"").append(host).append(':').append(metrics.getPort()).append("\"\n");
            if (!metrics.getAddress().isLoopbackAddress()) {
                sb.append("allow-public-metrics = true\n");
            }
        }
        return sb.toString();
    }
}
