package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.media.MediaSettings;
import dev.isthmus.alg.sip.proxy.SipSettings;
import dev.isthmus.relay.Families;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code [sip]} section and its {@code [sip.media]} table: defaults, the effective config, one positioned error per rule. */
class SipSectionTest {
    static final String MINIMAL = """
            [sip]
            listen = ["[2001:db8:6::1]:5060", "198.51.100.1:5060"]
            allow = ["2001:db8:6::/64", "198.51.100.0/24"]
            """;

    static final String FULL = """
            [sip]
            listen = ["[2001:db8:6::1]:5070", "198.51.100.1:5070"]
            allow = ["2001:db8:6::/64", "198.51.100.0/24"]
            domain = "voice.example.net"
            relay = "always"
            max-transactions = 500
            max-registrations = 200
            max-connections = 100
            max-per-client = 4
            max-expires = 7200
            first-request-deadline = 5

            [sip.media]
            ipv4 = "198.51.100.1"
            ipv6 = "2001:db8:6::1"
            ports = "40000-40999"
            timeout = 30
            max-calls = 50
            max-streams = 2
            """;

    @Test
    void defaults() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(MINIMAL, "sip.toml");
        assertTrue(c.hasSocketServices());
        SipSettings s = c.sip();
        assertEquals(List.of("[2001:db8:6::1]:5060", "198.51.100.1:5060"), s.listen().stream().map(Families::text).toList());
        assertNull(s.domain());
        assertEquals(SipSettings.RelayMode.AUTO, s.relay());
        assertNull(s.media());
        assertEquals(50_000, s.maxTransactions());
        assertEquals(10_000, s.maxRegistrations());
        assertEquals(1_000, s.maxConnections());
        assertEquals(20, s.maxPerClient());
        assertEquals(Duration.ofHours(1), s.maxExpires());
        assertEquals(Duration.ofSeconds(10), s.firstRequestDeadline());
    }

    @Test
    void everyKey() throws ConfigException {
        SipSettings s = ConfigLoader.parse(FULL, "sip.toml").sip();
        assertEquals("voice.example.net", s.domain());
        assertEquals(SipSettings.RelayMode.ALWAYS, s.relay());
        assertEquals(500, s.maxTransactions());
        assertEquals(200, s.maxRegistrations());
        assertEquals(100, s.maxConnections());
        assertEquals(4, s.maxPerClient());
        assertEquals(Duration.ofSeconds(7200), s.maxExpires());
        assertEquals(Duration.ofSeconds(5), s.firstRequestDeadline());
        assertEquals(new MediaSettings(InetAddress.ofLiteral("198.51.100.1"), InetAddress.ofLiteral("2001:db8:6::1"),
                40000, 40999, Duration.ofSeconds(30), 50, 2), s.media());
    }

    @Test
    void theEffectiveConfigReadsBackTheSame() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(FULL, "sip.toml");
        String rendered = c.render();
        assertTrue(rendered.contains("[sip]\nlisten = [\"[2001:db8:6::1]:5070\", \"198.51.100.1:5070\"]\n"), rendered);
        assertTrue(rendered.contains("\n[sip.media]\nipv4 = \"198.51.100.1\"\nipv6 = \"2001:db8:6::1\"\n"), rendered);
        assertEquals(c.sip(), ConfigLoader.parse(rendered, "show-config.toml").sip());
        IsthmusConfig minimal = ConfigLoader.parse(MINIMAL, "sip.toml");
        assertEquals(minimal.sip(), ConfigLoader.parse(minimal.render(), "show-config.toml").sip());
    }

    static Arguments bad(String rule, int line, String key, String fragment, String toml) {
        return Arguments.of(rule, line, key, fragment, toml);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                bad("listen is required", 1, "sip", "missing key \"listen\"", """
                        [sip]
                        allow = ["::/0"]
                        """),
                bad("a wildcard listen address: Via and Record-Route need a real one", 3, "sip.listen[1]", "is a wildcard", """
                        [sip]
                        listen = ["[2001:db8:6::1]:5060",
                                  "0.0.0.0:5060"]
                        allow = ["::/0"]
                        """),
                bad("two addresses of one family", 2, "sip.listen[1]", "a second IPv4 address", """
                        [sip]
                        listen = ["198.51.100.1:5060", "198.51.100.2:5060"]
                        allow = ["::/0"]
                        """),
                bad("allow is required: never an open relay of toll fraud", 1, "sip", "missing key \"allow\"", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        """),
                bad("a port range that holds no pair", 6, "sip.media.ports", "is not a range", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        [sip.media]
                        ipv4 = "198.51.100.1"
                        ports = "40000-40000"
                        """),
                bad("privileged media ports", 6, "sip.media.ports", "unprivileged", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        [sip.media]
                        ipv4 = "198.51.100.1"
                        ports = "100-200"
                        """),
                bad("relay always without [sip.media]", 4, "sip.relay", "needs a [sip.media] table", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        relay = "always"
                        """),
                bad("an IPv6 address as the relay's ipv4", 5, "sip.media.ipv4", "is not a unicast IPv4 address", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        [sip.media]
                        ipv4 = "2001:db8::1"
                        """),
                bad("an IPv4 address as the relay's ipv6", 5, "sip.media.ipv6", "is not a unicast IPv6 address", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        [sip.media]
                        ipv6 = "198.51.100.1"
                        """),
                bad("an unknown key", 4, "sip.registrar", "unknown key \"registrar\"", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        registrar = "voice.example.net"
                        """),
                bad("an unknown key of [sip.media]", 6, "sip.media.port", "unknown key \"port\"", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        [sip.media]
                        ipv4 = "198.51.100.1"
                        port = "40000-40999"
                        """),
                bad("max-expires below Min-Expires", 4, "sip.max-expires", "below 60 s", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        max-expires = 30
                        """),
                bad("users without a domain: it is their realm", 4, "sip.users", "need a domain", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        [[sip.users]]
                        name = "alice"
                        password = "wonderland"
                        """),
                bad("a user given twice", 11, "sip.users[1].name", "given twice", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        domain = "example.test"
                        [[sip.users]]
                        name = "alice"
                        password = "wonderland"

                        [[sip.users]]
                        password = "looking-glass"
                        name = "alice"
                        """),
                bad("a user without a password", 5, "sip.users[0]", "needs \"name\" and \"password\"", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        domain = "example.test"
                        [[sip.users]]
                        name = "alice"
                        """),
                bad("an algorithm RFC 8760 does not name", 4, "sip.digest-algorithms", "\"MD5\" and/or \"SHA-256\"", """
                        [sip]
                        listen = ["198.51.100.1:5060"]
                        allow = ["::/0"]
                        digest-algorithms = ["SHA-512-256", "MD5"]
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesOnePositionedError(String rule, int line, String key, String fragment, String toml) {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "sip.toml"))
                .errors();
        assertEquals(1, errors.size(), errors::toString);
        ConfigError e = errors.getFirst();
        assertAll(
                () -> assertEquals("sip.toml", e.source()),
                () -> assertEquals(line, e.line(), e::toString),
                () -> assertEquals(key, e.key(), e::toString),
                () -> assertTrue(e.message().contains(fragment), e::toString));
    }
}
