package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.Nat64Settings;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.NatResult;
import dev.isthmus.nat.Pool4;
import dev.isthmus.nat.StaticBib;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The NAT64 requests of the control socket, against a live table. */
class Nat64ControlTest {
    private static final int T = Ipv4Address.parse("192.0.2.2");
    private static final Ipv6Address X = Ipv6Address.parse("2001:db8:6::2");
    private Nat64Service nat64;
    private ControlServer.Responder responder;

    @BeforeEach
    void start() throws IOException {
        XlatSettings xs = new XlatSettings(Rfc6052Prefix.parse("2001:db8:64::/96"), new EamTable(List.of()),
                Ipv4Pool.empty(), null, -1, -1, true, 1280, null, 1500, 1500, T,
                Ipv6Address.parse("2001:db8:64::c000:202"), XlatSettings.HairpinMode.OFF, true, 0);
        nat64 = Nat64Service.start(Nat64Settings.builder(Pool4.of("192.0.2.2/32")).build(),
                List.of(new StaticBib(NatProtocol.TCP, X, 2000, T, 2000)), xs, null);
        NatResult r = new NatResult();
        nat64.table().outbound(r, NatProtocol.UDP, X.hi(), X.lo(), 40000, Ipv4Address.parse("198.51.100.2"), 53, 0,
                System.nanoTime());
        responder = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, SocketPlaneStats.NONE, null, nat64,
                () -> "");
    }

    @AfterEach
    void stop() {
        nat64.close();
    }

    private String ask(String line) {
        return responder.answer(Request.parse(line));
    }

    @Test
    void showBibAndSessions() {
        String all = ask("show bib all text");
        assertTrue(all.startsWith("ok\n") && all.contains("tcp   [2001:db8:6::2]:2000") && all.contains("static")
                && all.contains("udp   [2001:db8:6::2]:40000"), all);
        String udp = ask("show bib udp json");
        assertTrue(udp.contains("\"protocol\":\"udp\",\"ipv6\":\"2001:db8:6::2\",\"ipv6_port\":40000,\"ipv4\":\"192.0.2.2\"")
                && !udp.contains("\"tcp\""), udp);
        String sessions = ask("show sessions udp 2001:db8:6::/64 json");
        assertTrue(sessions.contains("\"remote\":\"198.51.100.2\",\"remote_port\":53"), sessions);
        assertEquals("ok\n{\"sessions\":[]}\n", ask("show sessions udp 2001:db8:7::/64 json"));
        assertTrue(ask("show sessions tcp all text").lines().count() == 2, "header only: no TCP session");
    }

    @Test
    void staticEntriesComeAndGoWithoutTouchingTheRest() {
        assertEquals("ok\n", ask("bib add udp [2001:db8:6::5]:53 192.0.2.2:53"));
        assertTrue(ask("show bib udp text").contains("[2001:db8:6::5]:53"));
        assertTrue(ask("bib add udp [2001:db8:6::6]:53 192.0.2.2:53").startsWith("error: the IPv4 transport address"),
                "a (T,t) in use");
        assertTrue(ask("bib add udp [2001:db8:6::6]:53 192.0.2.9:53").contains("not in pool4"));
        assertTrue(ask("bib add sctp [2001:db8:6::6]:53 192.0.2.2:54").startsWith("error: protocol"));
        assertTrue(ask("bib add udp 2001:db8:6::6:53 192.0.2.2:54").contains("is not \"[IPV6]:PORT\""));
        assertEquals("ok\n", ask("bib del udp 192.0.2.2:53"));
        assertTrue(ask("bib del udp 192.0.2.2:53").startsWith("error: no static udp BIB entry"));
        assertEquals(1, nat64.table().stats().sessions(), "the dynamic session is still there");
    }

    @Test
    void statsAndMetrics() throws IOException {
        String text = ask("show stats");
        assertTrue(text.contains("\nnat64\n") && text.matches("(?s).*  sessions +1\n.*"), text);
        String json = ask("show stats json");
        assertTrue(json.contains("\"nat64\":{\"sessions\":1,\"bib\":{\"tcp\":1,\"udp\":1,\"icmp\":0}"), json);
        PrometheusRegistry registry = new PrometheusRegistry();
        Nat64Stats.register(registry, nat64);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        String m = out.toString(StandardCharsets.UTF_8);
        assertTrue(m.contains("isthmus_nat64_sessions 1.0") && m.contains("isthmus_nat64_bib_entries{protocol=\"udp\"} 1.0")
                && m.contains("isthmus_nat64_packets_total{protocol=\"tcp\",verdict=\"no-bib\"} 0"), m);
        // The FTP ALG is on by default (alg-ftp-ports = [21]): its rows and series are there.
        assertTrue(text.matches("(?s).*  ftp-alg-sessions +0\n.*  ftp-alg-not-followed +0\n.*"), text);
        assertTrue(json.contains("\"ftp-alg\":{\"sessions\":0,\"rewritten\":0,"), json);
        assertTrue(m.contains("isthmus_nat64_ftp_alg_sessions 0.0")
                && m.contains("isthmus_nat64_ftp_alg_total{event=\"rewritten\"} 0"), m);
    }

    @Test
    void withoutNat64TheRequestsSaySo() {
        ControlServer.Responder none = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, () -> "");
        assertEquals("error: stateful NAT64 is not configured ([nat64])\n", none.answer(Request.parse("show bib all text")));
    }
}
