package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint scraped over HTTP on loopback, an ephemeral port. */
class MetricsServerTest {

    static String scrape(MetricsServer m) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/metrics"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        }
    }

    static InetSocketAddress loopback() throws Exception {
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
    }

    @Test
    void seriesAreReadAtScrapeTime() throws Exception {
        FakeStats stats = FakeStats.sample();
        try (MetricsServer m = MetricsServer.start(loopback(), false, stats)) {
            assertTrue(m.port() > 0);
            List<String> lines = scrape(m).lines().toList();
            for (String expected : List.of(
                    "isthmus_translated_packets_total{path=\"tcp-64\",worker=\"0\"} 60.0",
                    "isthmus_translated_packets_total{path=\"tcp-64\",worker=\"1\"} 40.0",
                    "isthmus_translated_packets_total{path=\"hairpin\",worker=\"0\"} 0.0",
                    "isthmus_dropped_packets_total{reason=\"ttl-expired\",worker=\"0\"} 2.0",
                    "isthmus_dropped_packets_total{reason=\"untranslatable-destination\",worker=\"1\"} 1.0",
                    "isthmus_tun_packets_total{direction=\"in\",worker=\"0\"} 120.0",
                    "isthmus_tun_packets_total{direction=\"out\",worker=\"1\"} 79.0",
                    "isthmus_tun_io_errors_total{worker=\"1\"} 1.0",
                    "isthmus_tun_super_packets_total{worker=\"0\"} 0.0",
                    "isthmus_tun_offload_refused_total{worker=\"1\"} 0.0",
                    "# TYPE isthmus_translated_packets_total counter")) {
                assertTrue(lines.contains(expected), () -> "missing " + expected + " in\n" + String.join("\n", lines));
            }
            int series = (int) lines.stream().filter(l -> l.startsWith("isthmus_translated_packets_total{")).count();
            assertEquals(2 * Path.values().length, series, "every path, zeros included");
            int reasons = (int) lines.stream().filter(l -> l.startsWith("isthmus_dropped_packets_total{")).count();
            assertEquals(2 * (DropReason.values().length - 1), reasons, "every reason but NONE");

            // Nothing is cached: the next scrape sees the workers' new counts.
            stats.path(0, Path.TCP_64, 61);
            stats.in[0] = 121;
            String again = scrape(m);
            assertTrue(again.contains("isthmus_translated_packets_total{path=\"tcp-64\",worker=\"0\"} 61.0"), again);
            assertTrue(again.contains("isthmus_tun_packets_total{direction=\"in\",worker=\"0\"} 121.0"), again);
        }
    }

    @Test
    void publicAddressNeedsExplicitPermission() throws Exception {
        for (String host : List.of("192.0.2.1", "0.0.0.0", "::")) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName(host), 9464);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MetricsServer.start(a, false, FakeStats.sample()));
            assertTrue(e.getMessage().contains("is not a loopback address"), e.getMessage());
            assertTrue(e.getMessage().contains("allow-public-metrics = true"), e.getMessage());
        }
    }

    @Test
    void portInUseIsAClearError() throws Exception {
        try (MetricsServer first = MetricsServer.start(loopback(), false, FakeStats.sample())) {
            InetSocketAddress same = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), first.port());
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> MetricsServer.start(same, false, FakeStats.sample()));
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + first.port() + ": "),
                    e.getMessage());
        }
    }

    @Test
    void controlServicesStartBothAndCloseBoth(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path socket = dir.resolve("isthmus.sock");
        var cfg = new dev.isthmus.config.ControlConfig(socket, loopback());
        try (ControlServices services = ControlServices.start(cfg, FakeStats.sample(), () -> "[control]\n")) {
            assertTrue(scrape(services.metrics()).contains("isthmus_tun_io_errors_total{worker=\"1\"} 1.0"));
            assertEquals("[control]\n", ControlClient.request(socket, "show config").text());
        }
        assertTrue(!java.nio.file.Files.exists(socket));
        var noMetrics = new dev.isthmus.config.ControlConfig(socket, null);
        try (ControlServices services = ControlServices.start(noMetrics, FakeStats.sample(), () -> "")) {
            assertEquals(null, services.metrics());
        }
    }
}
