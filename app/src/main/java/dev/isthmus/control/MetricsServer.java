package dev.isthmus.control;

import dev.isthmus.dataplane.DataplaneStats;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.pool.DynamicPoolService;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Path;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The Prometheus endpoint ({@code http://ADDRESS:PORT/metrics}). Every series is read from the
 * data plane's counters when Prometheus scrapes: the packet path pays nothing for it. Every
 * series exists from the start, zeros included, so that {@code rate()} and {@code increase()} see
 * the first packet of a kind:
 *
 * <ul>
 *   <li>{@code isthmus_translated_packets_total{path, worker}}: translations per {@code Path} key;
 *   <li>{@code isthmus_dropped_packets_total{reason, worker}}: drops per {@code DropReason} key;
 *   <li>{@code isthmus_tun_packets_total{direction="in"|"out", worker}};
 *   <li>{@code isthmus_tun_io_errors_total{worker}}, {@code isthmus_tun_super_packets_total{worker}},
 *       {@code isthmus_tun_offload_refused_total{worker}};
 *   <li>{@code isthmus_dns64_total{counter}} when the DNS64 server runs (the {@code show stats} dns64 keys).
 * </ul>
 *
 * <p>The endpoint has no authentication: it listens on a loopback address unless the
 * configuration explicitly allows a public one ({@code allow-public-metrics}).
 */
public final class MetricsServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.control");

    private final HTTPServer http;
    private final InetSocketAddress address;

    private MetricsServer(HTTPServer http, InetSocketAddress address) {
        this.http = http;
        this.address = address;
    }

    /**
     * Serves the data plane's counters on {@code address} (port 0: any free port, see {@link #port}).
     *
     * @param allowPublic whether a non-loopback address (including the wildcard) is acceptable
     * @throws IllegalArgumentException for a non-loopback address without {@code allowPublic}
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public static MetricsServer start(InetSocketAddress address, boolean allowPublic, DataplaneStats stats)
            throws IOException {
        return start(address, allowPublic, stats, SocketPlaneStats.NONE);
    }

    /** As {@link #start(InetSocketAddress, boolean, DataplaneStats)}, with the socket plane's series ({@link SocketPlaneMetrics}). */
    public static MetricsServer start(InetSocketAddress address, boolean allowPublic, DataplaneStats stats,
            SocketPlaneStats socketPlane) throws IOException {
        return start(address, allowPublic, stats, socketPlane, null);
    }

    /** As above, with the dynamic pool's series ({@link DynamicPoolStats}) when {@code pool} is not null. */
    public static MetricsServer start(InetSocketAddress address, boolean allowPublic, DataplaneStats stats,
            SocketPlaneStats socketPlane, DynamicPoolService pool) throws IOException {
        return start(address, allowPublic, stats, socketPlane, pool, null);
    }

    /** As above, with stateful NAT64's series ({@link Nat64Stats}) when {@code nat64} is not null. */
    public static MetricsServer start(InetSocketAddress address, boolean allowPublic, DataplaneStats stats,
            SocketPlaneStats socketPlane, DynamicPoolService pool, Nat64Service nat64) throws IOException {
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(socketPlane, "socketPlane");
        if (address.getAddress() == null) {
            throw new IllegalArgumentException("metrics address " + address + " is unresolved");
        }
        if (!address.getAddress().isLoopbackAddress() && !allowPublic) {
            throw new IllegalArgumentException("metrics address " + text(address) + " is not a loopback address;"
                    + " metrics carry no authentication, so a public listener needs allow-public-metrics = true");
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        register(registry, stats);
        SocketPlaneMetrics.register(registry, socketPlane);
        if (pool != null) {
            DynamicPoolStats.register(registry, pool);
        }
        if (nat64 != null) {
            Nat64Stats.register(registry, nat64);
        }
        HTTPServer http;
        try {
            http = HTTPServer.builder()
                    .inetAddress(address.getAddress())
                    .port(address.getPort())
                    .registry(registry)
                    .buildAndStart();
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + text(address) + ": " + ControlServer.describe(e), e);
        }
        InetSocketAddress bound = new InetSocketAddress(address.getAddress(), http.getPort());
        LOG.log(System.Logger.Level.INFO, "metrics on http://" + text(bound) + "/metrics");
        return new MetricsServer(http, bound);
    }

    /** The port listened on (the one chosen when started with port 0). */
    public int port() {
        return http.getPort();
    }

    /** The address listened on, with the actual port. */
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        http.close();
        LOG.log(System.Logger.Level.INFO, "metrics on http://" + text(address) + "/metrics stopped");
    }

    @Override
    public String toString() {
        return "metrics http://" + text(address) + "/metrics";
    }

    /** Callback counters: nothing is stored here; each scrape reads the workers' counters. */
    static void register(PrometheusRegistry registry, DataplaneStats stats) {
        CounterWithCallback.builder()
                .name("isthmus_translated_packets_total")
                .help("Packets translated, per translation path (direction and what was translated)")
                .labelNames("path", "worker")
                .callback(cb -> {
                    for (int w = 0, n = stats.workers(); w < n; w++) {
                        String worker = Integer.toString(w);
                        var counters = stats.counters(w);
                        for (Path p : Path.values()) {
                            cb.call(counters.paths(p), p.key(), worker);
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("isthmus_dropped_packets_total")
                .help("Packets not translated, per drop reason")
                .labelNames("reason", "worker")
                .callback(cb -> {
                    for (int w = 0, n = stats.workers(); w < n; w++) {
                        String worker = Integer.toString(w);
                        var counters = stats.counters(w);
                        for (DropReason r : DropReason.values()) {
                            if (StatsSnapshot.isDrop(r)) {
                                cb.call(counters.drops(r), r.key(), worker);
                            }
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("isthmus_tun_packets_total")
                .help("Packets read from (in) and written to (out) the TUN device; a super-packet counts once")
                .labelNames("direction", "worker")
                .callback(cb -> {
                    for (int w = 0, n = stats.workers(); w < n; w++) {
                        String worker = Integer.toString(w);
                        cb.call(stats.packetsIn(w), "in", worker);
                        cb.call(stats.packetsOut(w), "out", worker);
                    }
                })
                .register(registry);
        perWorker(registry, "isthmus_tun_io_errors_total", "Failed TUN reads and writes", stats, StatsSnapshot.Tun.IO_ERRORS);
        perWorker(registry, "isthmus_tun_super_packets_total",
                "TUN reads that were TCP/UDP super-packets (offload)", stats, StatsSnapshot.Tun.SUPER_PACKETS_IN);
        perWorker(registry, "isthmus_tun_offload_refused_total",
                "TUN reads dropped because their offload request does not fit the packet", stats,
                StatsSnapshot.Tun.OFFLOAD_REFUSED);
        perWorker(registry, "isthmus_tun_coalesced_super_packets_total",
                "TUN writes that were UDP super-packets coalesced from datagrams of one flow (offload)", stats,
                StatsSnapshot.Tun.SUPER_PACKETS_OUT);
    }

    private static void perWorker(PrometheusRegistry registry, String name, String help, DataplaneStats stats,
            StatsSnapshot.Tun which) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("worker")
                .callback(cb -> {
                    for (int w = 0, n = stats.workers(); w < n; w++) {
                        cb.call(which.of(stats, w), Integer.toString(w));
                    }
                })
                .register(registry);
    }

    private static String text(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        String host = b.length == 16 ? "[" + Ipv6Address.ofBytes(b) + "]" : a.getAddress().getHostAddress();
        return host + ":" + a.getPort();
    }
}
