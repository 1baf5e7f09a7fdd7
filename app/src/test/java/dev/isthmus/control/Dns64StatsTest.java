package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.dns64.Dns64Counter;
import dev.isthmus.dns64.Dns64Counters;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DNS64 counters in {@code show stats} (text and JSON), and their absence without DNS64. */
class Dns64StatsTest {

    @Test
    void showStatsHasADns64SectionWithEveryCounter() {
        ControlServer.Responder r = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, dns64Only(new Dns64Counters()), () -> "");
        String text = r.answer(Request.parse("show stats"));
        String json = r.answer(Request.parse("show stats json"));
        assertTrue(text.contains("isthmus statistics, 0 workers"), text);
        assertTrue(text.contains("\ndns64\n"), text);
        assertTrue(json.contains("\"dns64\":{"), json);
        for (Dns64Counter c : Dns64Counter.values()) {
            assertTrue(text.contains("  " + c.key() + " "), c.key() + " missing in\n" + text);
            assertTrue(json.contains("\"" + c.key() + "\":0"), c.key() + " missing in " + json);
        }
    }

    @Test
    void prometheusHasOneSeriesPerCounter() throws Exception {
        Dns64Counters counters = new Dns64Counters();
        try (MetricsServer m = MetricsServer.start(MetricsServerTest.loopback(), false, ControlServices.NO_DATAPLANE,
                dns64Only(counters))) {
            String body = MetricsServerTest.scrape(m);
            for (Dns64Counter c : Dns64Counter.values()) {
                assertTrue(body.contains("isthmus_dns64_total{counter=\"" + c.key() + "\"} 0.0"), c.key() + " in\n" + body);
            }
        }
    }

    private static SocketPlaneStats dns64Only(Dns64Counters counters) {
        return new SocketPlaneStats(counters, List.of(), null);
    }

    @Test
    void withoutDns64ThereIsNoSection() {
        ControlServer.Responder r = ControlServer.standardResponder(FakeStats.sample(), () -> "");
        assertFalse(r.answer(Request.parse("show stats")).contains("dns64"));
        assertFalse(r.answer(Request.parse("show stats json")).contains("dns64"));
    }
}
