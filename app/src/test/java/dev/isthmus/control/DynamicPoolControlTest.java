package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.nat.pool.BindingFile;
import dev.isthmus.nat.pool.DynamicPoolService;
import dev.isthmus.nat.pool.DynamicPoolSettings;
import dev.isthmus.wire.Ipv6Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code show bindings [json]}, {@code binding add|del} and the pool's block in {@code show stats}. */
class DynamicPoolControlTest {
    private static final Ipv6Address A = Ipv6Address.parse("2001:db8:1::a");

    @TempDir
    Path dir;

    private DynamicPoolService pool;
    private ControlServer.Responder responder;

    @BeforeEach
    void start() throws IOException {
        pool = DynamicPoolService.start(new DynamicPoolSettings(Ipv4Prefix.parse("192.0.2.128/29"), Duration.ofHours(2),
                dir, List.of(new DynamicPoolSettings.Static(Ipv6Address.parse("2001:db8:1::5"),
                        dev.isthmus.wire.Ipv4Address.parse("192.0.2.135")))));
        responder = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, SocketPlaneStats.NONE, pool, () -> "");
    }

    @AfterEach
    void stop() {
        pool.close();
    }

    private String ask(String line) {
        return responder.answer(Request.parse(line));
    }

    @Test
    void showBindingsListsEveryKind() {
        pool.pool().bind64(A.hi(), A.lo());
        assertEquals("ok\n", ask("binding add 2001:db8:1::6 192.0.2.134"));
        String text = ask("show bindings");
        assertTrue(text.startsWith("ok\ndynamic pool 192.0.2.128/29: 3 of 8 addresses bound, idle timeout 7200 s\n"), text);
        assertTrue(text.matches("(?s).*192\\.0\\.2\\.128 +2001:db8:1::a +dynamic +0 s\n.*"), text);
        assertTrue(text.matches("(?s).*192\\.0\\.2\\.134 +2001:db8:1::6 +static +-\n.*"), text);
        assertTrue(text.matches("(?s).*192\\.0\\.2\\.135 +2001:db8:1::5 +config +-\n.*"), text);
        String json = ask("show bindings json");
        assertTrue(json.startsWith("ok\n{\"prefix\":\"192.0.2.128/29\",\"addresses\":8,\"idle_timeout_s\":7200,"
                + "\"bindings\":[{\"ipv4\":\"192.0.2.128\",\"ipv6\":\"2001:db8:1::a\",\"kind\":\"dynamic\",\"last_used\":"), json);
    }

    @Test
    void addAndDeleteKeepTheOtherBindings() {
        long a = pool.pool().bind64(A.hi(), A.lo());
        assertEquals("ok\n", ask("binding add 2001:db8:1::6 192.0.2.134"));
        assertTrue(ask("binding add 2001:db8:1::7 192.0.2.134").startsWith("error: 192.0.2.134 is already bound"));
        assertTrue(ask("binding add 2001:db8:1::7 192.0.2.1").startsWith("error: 192.0.2.1 is not in the dynamic pool"));
        assertTrue(ask("binding add nonsense 192.0.2.130").startsWith("error: "));
        assertTrue(ask("binding del 192.0.2.135").contains("of the config file"));
        assertTrue(ask("binding add 2001:db8:1::7").startsWith("error: \"binding add\" takes 2 arguments"));
        assertEquals("ok\n", ask("binding del 192.0.2.134"));
        assertEquals(a, pool.pool().find64(A.hi(), A.lo()));
        assertEquals(2, pool.pool().bindings().size());
    }

    /** Issue 19 item 8: {@code binding add} refuses what {@code [[siit.dynamic-pool.static]]} refuses. */
    @Test
    void addRefusesWhatTheConfigRefusesAndNamesWhy() throws IOException {
        Path other = Files.createDirectory(dir.resolve("ruled"));
        try (DynamicPoolService ruled = DynamicPoolService.start(new DynamicPoolSettings(
                Ipv4Prefix.parse("192.0.2.128/29"), Duration.ofHours(2), other, List.of(),
                Ipv6Prefix.parse("2001:db8:64::/96"), List.of(Ipv6Prefix.parse("2001:db8:6::/120"))))) {
            ControlServer.Responder r = ControlServer.standardResponder(ControlServices.NO_DATAPLANE,
                    SocketPlaneStats.NONE, ruled, () -> "");
            assertEquals("error: 2001:db8:6::9 is covered by siit.eam[0].ipv6 2001:db8:6::/120\n",
                    r.answer(Request.parse("binding add 2001:db8:6::9 192.0.2.130")));
            assertEquals("error: 2001:db8:64::c000:201 is inside pool6 2001:db8:64::/96, which maps it statelessly\n",
                    r.answer(Request.parse("binding add 2001:db8:64::c000:201 192.0.2.130")));
            assertTrue(r.answer(Request.parse("binding add ::1 192.0.2.130"))
                    .startsWith("error: ::1 is the loopback address (RFC 4291 §2.5.3)"));
            assertTrue(r.answer(Request.parse("binding add ff02::1 192.0.2.130"))
                    .startsWith("error: ff02::1 is a multicast address (RFC 4291 §2.7)"));
            assertTrue(r.answer(Request.parse("binding add fe80::1 192.0.2.130")).startsWith("error: fe80::1 is link-local"));
            assertEquals(0, ruled.pool().bindings().size(), "nothing was bound");
            ruled.close();
            assertTrue(!Files.readString(other.resolve(BindingFile.NAME)).contains("::1 "), "nor persisted");
            assertEquals("ok\n", r.answer(Request.parse("binding add 2001:db8:1::9 192.0.2.130")));
        }
    }

    @Test
    void showStatsHasThePoolBlock() {
        pool.pool().bind64(A.hi(), A.lo());
        String text = ask("show stats");
        assertTrue(text.contains("\ndynamic pool 192.0.2.128/29\n  addresses                       8\n"
                + "  bound-dynamic                   1\n  bound-static                    1\n"), text);
        String json = ask("show stats json");
        assertTrue(json.contains(",\"dynamic_pool\":{\"prefix\":\"192.0.2.128/29\",\"addresses\":8,\"bound-dynamic\":1,"), json);
        assertTrue(json.contains("\"dynamic-pool-exhausted\":0"), json);
    }

    @Test
    void prometheusHasThePoolSeries() throws Exception {
        pool.pool().bind64(A.hi(), A.lo());
        try (MetricsServer m = MetricsServer.start(MetricsServerTest.loopback(), false, ControlServices.NO_DATAPLANE,
                SocketPlaneStats.NONE, pool)) {
            String body = MetricsServerTest.scrape(m);
            assertTrue(body.contains("isthmus_dynamic_pool_addresses{state=\"dynamic\"} 1.0"), body);
            assertTrue(body.contains("isthmus_dynamic_pool_addresses{state=\"free\"} 6.0"), body);
            assertTrue(body.contains("isthmus_dynamic_pool_bindings_total{event=\"created\"} 1.0"), body);
            assertTrue(body.contains("isthmus_dynamic_pool_bindings_total{event=\"refused-exhausted\"} 0.0"), body);
            assertTrue(body.contains("isthmus_dynamic_pool_file_writes_total{result=\"failed\"} 0.0"), body);
        }
    }

    @Test
    void withoutAPoolTheRequestsSaySo() {
        ControlServer.Responder none = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, () -> "");
        assertEquals("error: no dynamic pool is configured ([siit.dynamic-pool])\n",
                none.answer(Request.parse("show bindings")));
        assertEquals("error: no dynamic pool is configured ([siit.dynamic-pool])\n",
                none.answer(Request.parse("binding del 192.0.2.1")));
    }
}
