package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.smtp.SmtpSettings;
import dev.isthmus.relay.Families;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code [smtp]} section: defaults, every key, the effective config, one positioned error per rule. */
class SmtpSectionTest {
    static final String CERT = Path.of("src/test/resources/dev/isthmus/alg/smtp/test-cert.pem").toAbsolutePath().toString();
    static final String KEY = Path.of("src/test/resources/dev/isthmus/alg/smtp/test-key.pem").toAbsolutePath().toString();

    static final String MINIMAL = """
            [smtp]
            hostname = "relay.example.net"
            allow = ["2001:db8:6::/64"]
            """;

    static final String FULL = """
            [smtp]
            listen = ["[::]:2525", "0.0.0.0:2525"]
            hostname = "relay.example.net"
            allow = ["2001:db8:6::/64", "192.0.2.0/24"]
            spool = "/tmp/isthmus-spool"
            resolver = ["198.51.100.53", "[2001:db8::53]:5353"]
            smarthost = "2001:db8:9::25"
            max-message-size = 1048576
            prefer-ipv6 = false
            dns64-prefixes = ["64:ff9b::/96"]
            first-retry = 60
            max-retry-interval = 600
            max-queue-lifetime = 86400
            per-destination-concurrency = 5
            max-connections = 100
            max-per-client = 4
            connection-cache-time = 0
            dns64-discovery = false
            refusal-limit = 5
            refusal-window = 30
            refusal-block = 3600
            tls-certificate = "%s"
            tls-key = "%s"

            [smtp.auth]
            users = { alice = "s3cret", "bob@example.org" = "x" }
            """.formatted(CERT, KEY);

    @Test
    void defaults() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(MINIMAL, "smtp.toml");
        assertTrue(c.hasSocketServices());
        SmtpSettings s = c.smtp();
        assertEquals(List.of("[::]:25"), s.listen().stream().map(Families::text).toList());
        assertEquals(Path.of("/var/spool/isthmus/smtp"), s.spool());
        assertEquals(List.of(), s.resolvers());
        assertNull(s.smarthost());
        assertEquals(52_428_800, s.maxMessageSize());
        assertTrue(s.preferIpv6());
        assertEquals(Duration.ofMinutes(5), s.firstRetry());
        assertEquals(Duration.ofMinutes(30), s.maxRetryInterval());
        assertEquals(Duration.ofDays(5), s.maxQueueLifetime());
        assertEquals(20, s.perDestinationConcurrency());
        assertEquals(1000, s.maxConnections());
        assertEquals(50, s.maxPerClient());
        assertEquals(Duration.ofSeconds(2), s.connectionCacheTime());
        assertNull(s.tlsCertificate());
        assertEquals(Map.of(), s.users());
        assertTrue(s.dns64Discovery());
        assertEquals(new SmtpSettings.RefusalLimit(10, Duration.ofMinutes(1), Duration.ofMinutes(10)), s.refusalLimit());
    }

    @Test
    void everyKey() throws ConfigException {
        SmtpSettings s = ConfigLoader.parse(FULL, "smtp.toml").smtp();
        assertEquals(List.of("[::]:2525", "0.0.0.0:2525"), s.listen().stream().map(Families::text).toList());
        assertEquals(List.of("198.51.100.53:53", "[2001:db8::53]:5353"), s.resolvers().stream().map(Families::text).toList());
        assertEquals("[2001:db8:9::25]:25", Families.text(s.smarthost()));
        assertFalse(s.preferIpv6());
        assertEquals("64:ff9b::/96", s.dns64Prefixes().getFirst().toString());
        assertEquals(Duration.ofSeconds(60), s.firstRetry());
        assertEquals(4, s.maxPerClient());
        assertEquals(Duration.ZERO, s.connectionCacheTime(), "0: no connection reuse");
        assertEquals(Map.of("alice", "s3cret", "bob@example.org", "x"), s.users());
        assertFalse(s.dns64Discovery());
        assertEquals(new SmtpSettings.RefusalLimit(5, Duration.ofSeconds(30), Duration.ofHours(1)), s.refusalLimit());
    }

    @Test
    void theEffectiveConfigReadsBackTheSameButShowsNoPassword() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(FULL, "smtp.toml");
        String rendered = c.render();
        assertFalse(rendered.contains("s3cret"), rendered);
        SmtpSettings again = ConfigLoader.parse(rendered.replace("\"...\"", "\"s3cret\""), "show-config.toml").smtp();
        assertEquals(c.smtp().listen(), again.listen());
        assertEquals(c.smtp().smarthost(), again.smarthost());
        assertEquals(c.smtp().maxQueueLifetime(), again.maxQueueLifetime());
        assertEquals(c.smtp().connectionCacheTime(), again.connectionCacheTime());
        assertEquals(c.smtp().allow().texts(), again.allow().texts());
        assertEquals(c.smtp().dns64Discovery(), again.dns64Discovery());
        assertEquals(c.smtp().refusalLimit(), again.refusalLimit());
    }

    @Test
    void theExampleIsValid() throws ConfigException {
        Path examples = Path.of(System.getProperty("user.dir")).resolveSibling("examples");
        assertEquals("relay.example.net", ConfigLoader.load(examples.resolve("smtp.toml")).smtp().hostname());
    }

    static Arguments bad(String rule, int line, String key, String fragment, String toml) {
        return Arguments.of(rule, line, key, fragment, toml);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                bad("allow is required: never an open relay", 1, "smtp", "missing key \"allow\"", """
                        [smtp]
                        hostname = "relay.example.net"
                        """),
                bad("an empty allow list", 3, "smtp.allow", "is empty", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = []
                        """),
                bad("hostname is required", 1, "smtp", "missing key \"hostname\"", """
                        [smtp]
                        allow = ["::/0"]
                        """),
                bad("a hostname that is not one", 2, "smtp.hostname", "is not a host name", """
                        [smtp]
                        hostname = "relay example"
                        allow = ["::/0"]
                        """),
                bad("a listen address without a port", 5, "smtp.listen[1]", "is not ADDRESS:PORT", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        listen = ["[::]:25",
                                  "0.0.0.0"]
                        """),
                bad("a resolver that is a name", 4, "smtp.resolver[0]", "names are not looked up", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        resolver = ["dns.example.net"]
                        """),
                bad("a smarthost that is a name", 4, "smtp.smarthost", "names are not looked up", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        smarthost = "mx.example.net:25"
                        """),
                bad("a tiny max-message-size", 4, "smtp.max-message-size", "1024..", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        max-message-size = 10
                        """),
                bad("first-retry after max-retry-interval", 4, "smtp.first-retry", "longer than max-retry-interval", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        first-retry = 3600
                        """),
                bad("a lifetime shorter than the retry interval", 4, "smtp.max-queue-lifetime", "one try", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        max-queue-lifetime = 60
                        """),
                bad("a dns64 prefix that is not one", 4, "smtp.dns64-prefixes", "64:ff9b::/200", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        dns64-prefixes = ["64:ff9b::/200"]
                        """),
                bad("a connection cache time that is negative", 4, "smtp.connection-cache-time", "out of range 0..300", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        connection-cache-time = -1
                        """),
                bad("dns64-discovery that is not a boolean", 4, "smtp.dns64-discovery", "expected true or false", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        dns64-discovery = "yes"
                        """),
                bad("a negative refusal-limit", 4, "smtp.refusal-limit", "-1", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        refusal-limit = -1
                        """),
                bad("a refusal-window of nothing", 4, "smtp.refusal-window", "0", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        refusal-window = 0
                        """),
                bad("a refusal-block over a week", 4, "smtp.refusal-block", "604800", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        refusal-block = 604801
                        """),
                bad("a certificate without its key", 4, "smtp.tls-certificate", "go together", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        tls-certificate = "%s"
                        """.formatted(CERT)),
                bad("a certificate file that is not there", 4, "smtp.tls-certificate", "cannot read", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        tls-certificate = "/nonexistent/cert.pem"
                        tls-key = "%s"
                        """.formatted(KEY)),
                bad("AUTH without STARTTLS", 5, "smtp.auth.users", "only after STARTTLS", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        [smtp.auth]
                        users = { alice = "s3cret" }
                        """),
                bad("a user without a password", 7, "smtp.auth.users", "user \"alice\"", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        tls-certificate = "%s"
                        tls-key = "%s"
                        [smtp.auth]
                        users = { alice = 1 }
                        """.formatted(CERT, KEY)),
                bad("an unknown key", 4, "smtp.max-message-sise", "max-message-size", """
                        [smtp]
                        hostname = "relay.example.net"
                        allow = ["::/0"]
                        max-message-sise = 1000000
                        """),
                bad("listening where another service does", 5, "smtp.listen", "two sockets cannot listen", """
                        [control]
                        metrics = "[::1]:25"
                        [smtp]
                        hostname = "relay.example.net"
                        listen = "[::1]:25"
                        allow = ["::/0"]
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesOnePositionedError(String rule, int line, String key, String fragment, String toml) {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "smtp.toml"))
                .errors();
        assertEquals(1, errors.size(), errors::toString);
        ConfigError e = errors.getFirst();
        assertAll(
                () -> assertEquals("smtp.toml", e.source()),
                () -> assertEquals(line, e.line(), e::toString),
                () -> assertEquals(key, e.key(), e::toString),
                () -> assertTrue(e.message().contains(fragment), e::toString));
    }
}
