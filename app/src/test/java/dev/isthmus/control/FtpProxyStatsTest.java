package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.ftp.proxy.FtpProxyCounters;
import dev.isthmus.alg.ftp.proxy.FtpRefusal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FTP proxies' counters in {@code show stats} (text and JSON) and the metrics. */
class FtpProxyStatsTest {
    static final SocketPlaneStats ONE = new SocketPlaneStats(null, List.of(), null, List.of(new FtpProxyCounters("ftp")));

    @Test
    void showStatsHasABlockPerProxy() {
        ControlServer.Responder r = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, ONE, () -> "");
        String text = r.answer(Request.parse("show stats"));
        String json = r.answer(Request.parse("show stats json"));
        assertTrue(text.contains("\nftp proxy ftp\n  sessions "), text);
        assertFalse(text.contains("  refused "), "refusals that never happened are left out:\n" + text);
        assertTrue(json.contains("\"ftp-proxies\":[{\"name\":\"ftp\",\"sessions\":0,\"active\":0,\"transfers\":0,"
                + "\"translated\":0,\"tls-passthrough\":0,\"bytes-to-server\":0,\"bytes-to-client\":0,\"idle-closed\":0,"
                + "\"refused\":{"), json);
        for (FtpRefusal x : FtpRefusal.values()) {
            assertTrue(json.contains("\"" + x.key() + "\":0"), x.key() + " missing in " + json);
        }
    }

    @Test
    void prometheusHasTheProxysSeries() throws Exception {
        try (MetricsServer m = MetricsServer.start(MetricsServerTest.loopback(), false, ControlServices.NO_DATAPLANE, ONE)) {
            String body = MetricsServerTest.scrape(m);
            assertTrue(body.contains("isthmus_ftp_proxy_total{counter=\"transfers\",proxy=\"ftp\"} 0.0"), body);
            assertTrue(body.contains("isthmus_ftp_proxy_active{proxy=\"ftp\"} 0.0"), body);
            assertTrue(body.contains("isthmus_ftp_proxy_refused_total{proxy=\"ftp\",reason=\"bounce\"} 0.0"), body);
            assertTrue(body.contains("isthmus_ftp_proxy_bytes_total{direction=\"to-client\",proxy=\"ftp\"} 0.0"), body);
        }
    }
}
