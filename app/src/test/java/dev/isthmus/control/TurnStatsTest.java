package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.turn.server.TurnCounters;
import dev.isthmus.alg.turn.server.TurnRefusal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TURN server's counters in {@code show stats} (text and JSON) and the metrics. */
class TurnStatsTest {
    static final SocketPlaneStats ONE = new SocketPlaneStats(null, List.of(), null, List.of(), null, null,
            null, null, new TurnCounters());

    @Test
    void showStatsHasATurnBlock() {
        ControlServer.Responder r = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, ONE, () -> "");
        String text = r.answer(Request.parse("show stats"));
        String json = r.answer(Request.parse("show stats json"));
        assertTrue(text.contains("\nturn\n  bindings "), text);
        assertFalse(text.contains("  refused "), "refusals that never happened are left out:\n" + text);
        assertTrue(json.contains("\"turn\":{\"bindings\":0,\"allocations\":0,\"active\":0,\"expired\":0,"
                + "\"permissions\":0,\"channels\":0,\"packets-to-peer\":0,\"packets-to-client\":0,\"bytes-to-peer\":0,"
                + "\"bytes-to-client\":0,\"refused\":{"), json);
        for (TurnRefusal x : TurnRefusal.values()) {
            assertTrue(json.contains("\"" + x.key() + "\":0"), x.key() + " missing in " + json);
        }
    }

    @Test
    void prometheusHasTheTurnSeries() throws Exception {
        try (MetricsServer m = MetricsServer.start(MetricsServerTest.loopback(), false, ControlServices.NO_DATAPLANE, ONE)) {
            String body = MetricsServerTest.scrape(m);
            assertTrue(body.contains("isthmus_turn_total{counter=\"allocations\"} 0.0"), body);
            assertTrue(body.contains("isthmus_turn_active 0.0"), body);
            assertTrue(body.contains("isthmus_turn_refused_total{reason=\"peer-forbidden\"} 0.0"), body);
            assertTrue(body.contains("isthmus_turn_packets_total{direction=\"to-peer\"} 0.0"), body);
            assertTrue(body.contains("isthmus_turn_bytes_total{direction=\"to-client\"} 0.0"), body);
        }
    }
}
