package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.RelayPorts;
import dev.isthmus.alg.sip.media.MediaCallStats;
import dev.isthmus.alg.sip.media.MediaCounters;
import dev.isthmus.alg.sip.proxy.CallView;
import dev.isthmus.alg.sip.proxy.SipCounters;
import dev.isthmus.alg.sip.proxy.SipRefusal;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SIP proxy's counters in {@code show stats} and the metrics, and {@code show calls}. */
class SipStatsTest {
    static final SocketPlaneStats SIP = new SocketPlaneStats(null, List.of(), null, List.of(), null, null,
            new SipCounters(() -> 2, () -> 1, () -> 3), new MediaCounters());

    static final CallView CALL = new CallView("c1@host", "udp:[2001:db8:6::2]:5061", "udp:198.51.100.2:5060", "ipv6",
            "ipv4", true, 5, new MediaCallStats("c1@host", StandardProtocolFamily.INET6, StandardProtocolFamily.INET,
                    List.of(new MediaCallStats.Stream(0, new RelayPorts(30052), new RelayPorts(30720),
                            new InetSocketAddress("2001:db8:6::2", 6000), null,
                            new InetSocketAddress("198.51.100.2", 6000), new InetSocketAddress("198.51.100.2", 6000),
                            185, 31_080, 184, 30_912, 1)),
                    Duration.ofSeconds(5), Duration.ZERO));

    @Test
    void showStatsHasTheProxyAndMediaBlocks() {
        ControlServer.Responder r = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, SIP, () -> "");
        String text = r.answer(Request.parse("show stats"));
        String json = r.answer(Request.parse("show stats json"));
        assertTrue(text.contains("\nsip\n  requests-received "), text);
        assertTrue(text.contains("  registrations-now               2\n"), text);
        assertTrue(text.contains("\nsip media\n  calls-opened "), text);
        assertFalse(text.contains("  refused "), "refusals that never happened are left out:\n" + text);
        assertTrue(json.contains("\"sip\":{\"requests-received\":0,"), json);
        assertTrue(json.contains("\"calls-now\":1,\"transactions-now\":3,\"refused\":{"), json);
        for (SipRefusal x : SipRefusal.values()) {
            assertTrue(json.contains("\"" + x.key() + "\":0"), x.key() + " missing in " + json);
        }
        assertTrue(json.contains("\"media\":{\"calls-opened\":0,"), json);
    }

    @Test
    void prometheusHasTheProxysSeries() throws Exception {
        try (MetricsServer m = MetricsServer.start(MetricsServerTest.loopback(), false, ControlServices.NO_DATAPLANE, SIP)) {
            String body = MetricsServerTest.scrape(m);
            assertTrue(body.contains("isthmus_sip_events_total{event=\"calls-started\"} 0.0"), body);
            assertTrue(body.contains("isthmus_sip_refused_total{reason=\"loop\"} 0.0"), body);
            assertTrue(body.contains("isthmus_sip_registrations 2.0"), body);
            assertTrue(body.contains("isthmus_sip_media_packets_total 0.0"), body);
            assertTrue(body.contains("isthmus_sip_media_dropped_total{reason=\"wrong-source\"} 0.0"), body);
        }
    }

    @Test
    void showCallsListsCallsAndTheirStreams() {
        ControlServer.Responder r = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, SIP, null, null, null,
                () -> List.of(CALL), () -> "");
        assertEquals("""
                ok
                c1@host  udp:[2001:db8:6::2]:5061 (ipv6) -> udp:198.51.100.2:5060 (ipv4)  confirmed  5 s  media relayed
                  stream 0  caller [2001:db8:6::2]:6000 <-> relay 30052 | relay 30720 <-> callee 198.51.100.2:6000\
                  packets to callee 185, to caller 184, dropped 1
                """, r.answer(Request.parse("show calls")));
        String json = r.answer(Request.parse("show calls json"));
        assertTrue(json.contains("{\"calls\":[{\"call_id\":\"c1@host\",\"caller\":\"udp:[2001:db8:6::2]:5061\","
                + "\"callee\":\"udp:198.51.100.2:5060\",\"caller_family\":\"ipv6\",\"callee_family\":\"ipv4\","
                + "\"confirmed\":true,\"age_seconds\":5,\"relayed\":true,\"streams\":[{\"index\":0,"
                + "\"caller_relay_port\":30052,\"callee_relay_port\":30720,\"caller_announced\":\"[2001:db8:6::2]:6000\","
                + "\"caller_latched\":\"-\","), json);
        assertTrue(json.contains("\"packets_to_callee\":185,\"bytes_to_callee\":31080,\"packets_to_caller\":184,"
                + "\"bytes_to_caller\":30912,\"dropped\":1}]}]}"), json);
    }

    @Test
    void withoutSipShowCallsSaysSo() {
        ControlServer.Responder r = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, () -> "");
        assertEquals("error: the SIP proxy is not configured ([sip])\n", r.answer(Request.parse("show calls")));
    }
}
