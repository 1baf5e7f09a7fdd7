package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.turn.server.TurnSettings;
import dev.isthmus.relay.Families;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code [turn]} section: defaults, every key, the effective config, one positioned error per rule. */
class TurnSectionTest {
    static final String MINIMAL = """
            [turn]
            realm = "example.test"
            relay-ipv4 = "198.51.100.1"
            allow = ["2001:db8:6::/64"]
            static-auth-secret = "s3cret"
            """;

    static final String FULL = """
            [turn]
            listen = ["[2001:db8:6::1]:3478", "198.51.100.1:3479"]
            realm = "example.test"
            relay-ipv4 = "198.51.100.1"
            relay-ipv6 = "2001:db8:6::1"
            ports = "50000-50999"
            allow = ["2001:db8:6::/64", "192.0.2.0/24"]
            allow-peers = ["10.0.0.0/8"]
            static-auth-secret = "s3cret"
            user-quota = 2
            total-quota = 50
            max-lifetime = 1200

            [[turn.users]]
            name = "alice"
            password = "wonderland"

            [[turn.users]]
            name = "bob"
            password = "builder"
            """;

    @Test
    void defaults() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(MINIMAL, "turn.toml");
        assertTrue(c.hasSocketServices());
        TurnSettings s = c.turn();
        assertEquals(List.of("[::]:3478"), s.listen().stream().map(Families::text).toList());
        assertEquals(49152, s.firstPort());
        assertEquals(65535, s.lastPort());
        assertNull(s.relayIpv6());
        assertEquals(List.of(), s.allowPeers().texts());
        assertEquals(Map.of(), s.users());
        assertEquals(10, s.userQuota());
        assertEquals(1000, s.totalQuota());
        assertEquals(Duration.ofSeconds(3600), s.maxLifetime());
    }

    @Test
    void everyKey() throws ConfigException {
        TurnSettings s = ConfigLoader.parse(FULL, "turn.toml").turn();
        assertEquals(List.of("[2001:db8:6::1]:3478", "198.51.100.1:3479"), s.listen().stream().map(Families::text).toList());
        assertEquals("example.test", s.realm());
        assertEquals("198.51.100.1", s.relayIpv4().getHostAddress());
        assertEquals("2001:db8:6:0:0:0:0:1", s.relayIpv6().getHostAddress());
        assertEquals(50000, s.firstPort());
        assertEquals(50999, s.lastPort());
        assertEquals(List.of("10.0.0.0/8"), s.allowPeers().texts());
        assertEquals(Map.of("alice", "wonderland", "bob", "builder"), s.users());
        assertEquals("s3cret", s.staticAuthSecret());
        assertEquals(2, s.userQuota());
        assertEquals(50, s.totalQuota());
        assertEquals(Duration.ofSeconds(1200), s.maxLifetime());
    }

    @Test
    void theEffectiveConfigReadsBackTheSameButShowsNoSecret() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(FULL, "turn.toml");
        String rendered = c.render();
        assertFalse(rendered.contains("s3cret") || rendered.contains("wonderland"), rendered);
        TurnSettings again = ConfigLoader.parse(rendered, "show-config.toml").turn();
        assertEquals(c.turn().listen(), again.listen());
        assertEquals(c.turn().relayIpv6(), again.relayIpv6());
        assertEquals(c.turn().allow().texts(), again.allow().texts());
        assertEquals(c.turn().users().keySet(), again.users().keySet());
        assertEquals(c.turn().maxLifetime(), again.maxLifetime());
    }

    static Arguments bad(String rule, int line, String key, String fragment, String toml) {
        return Arguments.of(rule, line, key, fragment, toml);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                bad("allow is required: never an open relay", 1, "turn", "missing key \"allow\"", """
                        [turn]
                        realm = "example.test"
                        relay-ipv4 = "198.51.100.1"
                        static-auth-secret = "s3cret"
                        """),
                bad("realm is required", 1, "turn", "missing key \"realm\"", """
                        [turn]
                        relay-ipv4 = "198.51.100.1"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        """),
                bad("a relay address is required", 1, "turn", "relay-ipv4", """
                        [turn]
                        realm = "example.test"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        """),
                bad("credentials are required", 1, "turn", "no credentials", """
                        [turn]
                        realm = "example.test"
                        relay-ipv4 = "198.51.100.1"
                        allow = ["::/0"]
                        """),
                bad("relay-ipv4 of the wrong family", 3, "turn.relay-ipv4", "not an IPv4 address", """
                        [turn]
                        realm = "example.test"
                        relay-ipv4 = "2001:db8::1"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        """),
                bad("a wildcard relay address", 3, "turn.relay-ipv6", "cannot be a relayed address", """
                        [turn]
                        realm = "example.test"
                        relay-ipv6 = "::"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        """),
                bad("a bad port range", 4, "turn.ports", "FIRST-LAST", """
                        [turn]
                        realm = "example.test"
                        relay-ipv4 = "198.51.100.1"
                        ports = "60000-50000"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        """),
                bad("max-lifetime below the default lifetime", 6, "turn.max-lifetime", "600..", """
                        [turn]
                        realm = "example.test"
                        relay-ipv4 = "198.51.100.1"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        max-lifetime = 60
                        """),
                bad("a user without a password", 6, "turn.users[0]", "name and password", """
                        [turn]
                        realm = "example.test"
                        relay-ipv4 = "198.51.100.1"
                        allow = ["::/0"]

                        [[turn.users]]
                        name = "alice"
                        """),
                bad("an unknown key", 6, "turn.user-quotas", "user-quota", """
                        [turn]
                        realm = "example.test"
                        relay-ipv4 = "198.51.100.1"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        user-quotas = 3
                        """),
                bad("listening where another service does", 4, "turn.listen", "two sockets cannot listen", """
                        [control]
                        metrics = "[::1]:3478"
                        [turn]
                        listen = "[::1]:3478"
                        realm = "example.test"
                        relay-ipv4 = "198.51.100.1"
                        allow = ["::/0"]
                        static-auth-secret = "s3cret"
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesOnePositionedError(String rule, int line, String key, String fragment, String toml) {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "turn.toml"))
                .errors();
        assertEquals(1, errors.size(), errors::toString);
        ConfigError e = errors.getFirst();
        assertAll(
                () -> assertEquals("turn.toml", e.source()),
                () -> assertEquals(line, e.line(), e::toString),
                () -> assertEquals(key, e.key(), e::toString),
                () -> assertTrue(e.message().contains(fragment), e::toString));
    }
}
