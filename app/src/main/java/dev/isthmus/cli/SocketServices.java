package dev.isthmus.cli;

import dev.isthmus.alg.http.HttpGateway;
import dev.isthmus.config.IsthmusConfig;
import dev.isthmus.control.SocketPlaneStats;
import dev.isthmus.relay.Relay;
import dev.isthmus.relay.RelaySettings;
import dev.isthmus.relay.SocketPlane;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The socket-plane services of {@code isthmus run}: the {@code [[relay]]} relays and the
 * {@code [http]} gateway on shared event loops. Started all or none; closed in reverse order.
 */
final class SocketServices implements AutoCloseable {
    private final SocketPlane plane;
    private final List<Relay> relays;
    private final HttpGateway http;

    private SocketServices(SocketPlane plane, List<Relay> relays, HttpGateway http) {
        this.plane = plane;
        this.relays = relays;
        this.http = http;
    }

    /** Starts what {@code cfg} configures; null when it configures nothing of the socket plane. */
    static SocketServices start(IsthmusConfig cfg) throws IOException {
        if (!cfg.hasSocketServices()) {
            return null;
        }
        SocketPlane plane = SocketPlane.start(Math.max(1, Runtime.getRuntime().availableProcessors()));
        List<Relay> relays = new ArrayList<>();
        try {
            for (RelaySettings r : cfg.relays()) {
                relays.add(Relay.start(plane, r));
            }
            HttpGateway http = cfg.http() == null ? null : HttpGateway.start(plane, cfg.http());
            return new SocketServices(plane, relays, http);
        } catch (IOException | RuntimeException e) {
            relays.reversed().forEach(Relay::close);
            plane.close();
            throw e;
        }
    }

    SocketPlaneStats stats() {
        return new SocketPlaneStats(relays.stream().map(Relay::counters).toList(), http == null ? null : http.counters());
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        relays.reversed().forEach(Relay::close);
        plane.close();
    }

    @Override
    public String toString() {
        return "socket plane (" + relays.size() + " relays" + (http == null ? "" : ", http gateway") + ")";
    }
}
