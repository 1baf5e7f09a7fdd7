package dev.isthmus.control;

import dev.isthmus.alg.sip.proxy.CallView;
import dev.isthmus.alg.smtp.Delivery;
import dev.isthmus.config.ControlConfig;
import dev.isthmus.dataplane.DataplaneStats;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.pool.DynamicPoolService;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * What {@code isthmus run} starts beside the data plane from the {@code [control]} section: the
 * control socket always, the metrics endpoint when {@code metrics} is set. Start it after the data
 * plane and close it before the data plane stops.
 */
public final class ControlServices implements AutoCloseable {
    /** The counters of a data plane that is not running (a config with socket-plane services but no [siit]): no workers. */
    public static final DataplaneStats NO_DATAPLANE = new NoDataplane();

    private final ControlServer server;
    private final MetricsServer metrics;

    private ControlServices(ControlServer server, MetricsServer metrics) {
        this.server = server;
        this.metrics = metrics;
    }

    /**
     * Starts both, or neither (a metrics failure closes the control socket again).
     *
     * @param config the validated {@code [control]} section
     * @param stats the running data plane's counters
     * @param effectiveConfig the text of {@code show config} ({@code IsthmusConfig::render})
     * @throws IOException with an operator-readable message (socket taken, address in use, …)
     */
    public static ControlServices start(ControlConfig config, DataplaneStats stats, Supplier<String> effectiveConfig)
            throws IOException {
        return start(config, stats, SocketPlaneStats.NONE, effectiveConfig);
    }

    /**
     * As {@link #start(ControlConfig, DataplaneStats, Supplier)}, reporting the socket plane's
     * counters too ({@code show stats} and the metrics).
     *
     * @param stats the data plane's counters, {@link #NO_DATAPLANE} when there is none
     */
    public static ControlServices start(ControlConfig config, DataplaneStats stats, SocketPlaneStats socketPlane,
            Supplier<String> effectiveConfig) throws IOException {
        return start(config, stats, socketPlane, null, effectiveConfig);
    }

    /**
     * As {@link #start(ControlConfig, DataplaneStats, SocketPlaneStats, Supplier)}, with the
     * dynamic address pool ({@code show bindings}, {@code binding add|del}, counters).
     *
     * @param pool the running pool, or null when none is configured
     */
    public static ControlServices start(ControlConfig config, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Supplier<String> effectiveConfig) throws IOException {
        return start(config, stats, socketPlane, pool, null, effectiveConfig);
    }

    /** As above, with stateful NAT64 ({@code show bib|sessions}, {@code bib add|del}, counters). */
    public static ControlServices start(ControlConfig config, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Nat64Service nat64, Supplier<String> effectiveConfig) throws IOException {
        return start(config, stats, socketPlane, pool, nat64, null, effectiveConfig);
    }

    /**
     * As above, with the SMTP relay's queue ({@code show smtp-queue}, {@code smtp flush|delete}).
     *
     * @param smtp the relay's delivery side, or null when there is no {@code [smtp]}
     */
    public static ControlServices start(ControlConfig config, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Nat64Service nat64, Delivery smtp, Supplier<String> effectiveConfig)
            throws IOException {
        return start(config, stats, socketPlane, pool, nat64, smtp, null, effectiveConfig);
    }

    /**
     * As above, with the SIP proxy's calls ({@code show calls}).
     *
     * @param calls the proxy's calls now, or null when there is no {@code [sip]}
     */
    public static ControlServices start(ControlConfig config, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Nat64Service nat64, Delivery smtp, Supplier<List<CallView>> calls,
            Supplier<String> effectiveConfig) throws IOException {
        ControlServer server = ControlServer.start(config.socket(), stats, socketPlane, pool, nat64, smtp, calls,
                effectiveConfig);
        MetricsServer metrics = null;
        if (config.metrics() != null) {
            try {
                // ControlConfig holds a non-loopback metrics address only when the file said
                // allow-public-metrics = true (ControlSection refuses it otherwise).
                metrics = MetricsServer.start(config.metrics(), true, stats, socketPlane, pool, nat64);
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        return new ControlServices(server, metrics);
    }

    public ControlServer server() {
        return server;
    }

    /** The metrics endpoint, or null when {@code [control] metrics} is not set. */
    public MetricsServer metrics() {
        return metrics;
    }

    /** Stops the metrics endpoint, then the control socket. */
    @Override
    public void close() {
        try {
            if (metrics != null) {
                metrics.close();
            }
        } finally {
            server.close();
        }
    }

    @Override
    public String toString() {
        return metrics == null ? server.toString() : server + " and " + metrics;
    }
}
