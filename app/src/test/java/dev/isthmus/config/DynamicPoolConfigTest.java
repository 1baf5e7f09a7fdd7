package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code [siit.dynamic-pool]}: what loads, and one positioned error per rule. */
class DynamicPoolConfigTest {
    private static final String HEAD = """
            [siit]
            pool6 = "2001:db8:64::/96"
            ipv4-address = "192.0.2.1"
            rfc6791v4 = "203.0.113.8"
            [[siit.eam]]
            ipv6 = "2001:db8:6::/120"
            ipv4 = "198.51.100.0/24"
            """;

    @Test
    void loadsWithDefaultsAndRendersBack() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(HEAD + """
                [siit.dynamic-pool]
                ipv4 = "192.0.2.128/25"
                data-directory = "/var/lib/isthmus"
                [[siit.dynamic-pool.static]]
                ipv6 = "2001:db8:1::80"
                ipv4 = "192.0.2.200"
                """, "t.toml");
        DynamicPoolConfig p = c.siit().dynamicPool();
        assertAll(
                () -> assertEquals(Ipv4Prefix.parse("192.0.2.128/25"), p.ipv4()),
                () -> assertEquals(Path.of("/var/lib/isthmus"), p.dataDirectory()),
                () -> assertEquals(Duration.ofHours(2), p.idleTimeout()),
                () -> assertEquals(List.of(new DynamicPoolConfig.Static(Ipv6Address.parse("2001:db8:1::80"),
                        Ipv4Address.parse("192.0.2.200"))), p.statics()));
        assertEquals(c, ConfigLoader.parse(c.render(), "rendered"));
        assertEquals(1, p.toSettings(c.siit().pool6(), c.siit().eam()).statics().size());
        assertEquals("2001:db8:6::9 is covered by siit.eam[0].ipv6 2001:db8:6::/120", p.toSettings(c.siit().pool6(),
                c.siit().eam()).rules().refusal(Ipv6Address.parse("2001:db8:6::9"), Ipv4Address.parse("192.0.2.201")),
                "run-time bindings meet the section's stateless rules");
    }

    @Test
    void withoutTheSectionThereIsNoPool() throws ConfigException {
        assertEquals(null, ConfigLoader.parse(HEAD, "t.toml").siit().dynamicPool());
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("overlaps an EAM's IPv4 side", 10, "siit.dynamic-pool.ipv4", "overlaps siit.eam[0].ipv4", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "198.51.100.128/25"
                        """),
                Arguments.of("contains ipv4-address", 10, "siit.dynamic-pool.ipv4", "contains siit.ipv4-address", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.0/30"
                        """),
                Arguments.of("overlaps rfc6791v4", 10, "siit.dynamic-pool.ipv4", "overlaps siit.rfc6791v4", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "203.0.113.0/28"
                        """),
                Arguments.of("overlaps dataplane.routes", 10, "siit.dynamic-pool.ipv4", "overlaps dataplane.routes", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [dataplane]
                        routes = ["192.0.2.0/24"]
                        """),
                Arguments.of("too large", 10, "siit.dynamic-pool.ipv4", "at most 65536", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "10.0.0.0/8"
                        """),
                Arguments.of("no source addresses", 10, "siit.dynamic-pool.ipv4", "RFC 1812", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "240.0.0.0/16"
                        """),
                Arguments.of("host bits", 10, "siit.dynamic-pool.ipv4", "", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.129/25"
                        """),
                Arguments.of("no data-directory", 8, "siit.dynamic-pool", "missing key \"data-directory\"", """
                        [siit.dynamic-pool]
                        ipv4 = "192.0.2.128/25"
                        """),
                Arguments.of("no ipv4", 8, "siit.dynamic-pool", "missing key \"ipv4\"", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        """),
                Arguments.of("idle-timeout zero", 11, "siit.dynamic-pool.idle-timeout", "out of range", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        idle-timeout = 0
                        """),
                Arguments.of("unknown key", 11, "siit.dynamic-pool.idle-timout", "did you mean \"idle-timeout\"", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        idle-timout = 5
                        """),
                Arguments.of("static outside the pool", 13, "siit.dynamic-pool.static[0].ipv4", "is not in the dynamic pool", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "2001:db8:1::1"
                        ipv4 = "192.0.2.1"
                        """),
                Arguments.of("static in pool6", 12, "siit.dynamic-pool.static[0].ipv6", "inside pool6", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "2001:db8:64::1"
                        ipv4 = "192.0.2.130"
                        """),
                Arguments.of("static in an EAM", 12, "siit.dynamic-pool.static[0].ipv6", "covered by siit.eam[0]", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "2001:db8:6::9"
                        ipv4 = "192.0.2.130"
                        """),
                Arguments.of("static loopback", 12, "siit.dynamic-pool.static[0].ipv6", "::1 is the loopback address", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "::1"
                        ipv4 = "192.0.2.130"
                        """),
                Arguments.of("static multicast", 12, "siit.dynamic-pool.static[0].ipv6", "ff02::1 is a multicast", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "ff02::1"
                        ipv4 = "192.0.2.130"
                        """),
                Arguments.of("static link-local", 12, "siit.dynamic-pool.static[0].ipv6", "fe80::1 is link-local", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "fe80::1"
                        ipv4 = "192.0.2.130"
                        """),
                Arguments.of("static twice", 16, "siit.dynamic-pool.static[1].ipv4", "is also the ipv4 of", """
                        [siit.dynamic-pool]
                        data-directory = "/d"
                        ipv4 = "192.0.2.128/25"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "2001:db8:1::1"
                        ipv4 = "192.0.2.130"
                        [[siit.dynamic-pool.static]]
                        ipv6 = "2001:db8:1::2"
                        ipv4 = "192.0.2.130"
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesOnePositionedError(String rule, int line, String key, String fragment, String tail) {
        List<ConfigError> errors = ConfigErrorsTest.errors(HEAD + tail).errors();
        assertEquals(1, errors.size(), errors::toString);
        ConfigError e = errors.getFirst();
        assertAll(
                () -> assertEquals(line, e.line(), e::toString),
                () -> assertEquals(key, e.key(), e::toString),
                () -> assertTrue(e.message().contains(fragment), e::toString));
    }
}
