package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.dns64.Dns64Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The {@code [dns64]} section: defaults, the prefix taken from {@code [siit]}, one test per error rule. */
class Dns64ConfigTest {

    private static IsthmusConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, "dns64.toml");
    }

    @Test
    void defaultsAreLoopbackOnlyAndThePrefixIsPool6() throws ConfigException {
        Dns64Settings s = parse("""
                [siit]
                pool6 = "2001:db8:64::/96"
                [dns64]
                upstream = ["192.0.2.53"]
                """).dns64().settings();
        assertAll(
                () -> assertEquals(List.of(Rfc6052Prefix.parse("2001:db8:64::/96")), s.prefixes()),
                () -> assertEquals(List.of(Ipv4Prefix.parse("127.0.0.0/8")), s.allow()),
                () -> assertEquals(List.of(Ipv6Prefix.parse("::1/128")), s.allow6()),
                () -> assertEquals(2, s.listen().size()),
                () -> assertEquals(53, s.upstreams().getFirst().getPort()),
                () -> assertEquals(List.of(Ipv6Prefix.parse("::ffff:0:0/96")), s.excludeAaaa()),
                () -> assertEquals(5, s.excludeIpv4().size()),
                () -> assertEquals(0, s.rateLimit()),
                () -> assertEquals(10, s.tcpMaxPerClient()),
                () -> assertEquals(Duration.ofSeconds(2), s.tcpMessageTimeout()),
                () -> assertEquals(1232, s.udpPayload()));
    }

    @Test
    void everyKeyReadsAndRendersBack() throws ConfigException {
        IsthmusConfig c = parse("""
                [dns64]
                listen = ["[::]:5353", "127.0.0.1:5353"]
                upstream = ["192.0.2.53:5300", "2001:db8::53", "[2001:db8::54]:53"]
                prefix = ["2001:db8:64::/96", "64:ff9b::/96"]
                allow = ["2001:db8:6::/64", "198.51.100.0/24", "::1"]
                exclude-ipv4 = ["10.0.0.0/8"]
                exclude-aaaa = ["::ffff:0:0/96", "2001:db8:dead::/48"]
                cache-size = 5
                cache-max-ttl = 60
                upstream-timeout-ms = 500
                max-inflight = 7
                tcp-connections = 3
                tcp-idle-timeout-ms = 2000
                rate-limit = 100
                udp-payload = 1400
                tcp-max-per-client = 2
                tcp-message-timeout-ms = 500
                """);
        Dns64Settings s = c.dns64().settings();
        assertEquals(2, s.tcpMaxPerClient());
        assertEquals(Duration.ofMillis(500), s.tcpMessageTimeout());
        assertEquals(new InetSocketAddress("2001:db8::53", 53), s.upstreams().get(1));
        assertEquals(List.of(Ipv6Prefix.parse("2001:db8:6::/64"), Ipv6Prefix.parse("::1/128")), s.allow6());
        assertEquals(c, parse(c.render()));
    }

    @Test
    void fewerTcpConnectionsThanTheDefaultShareAreEachClientsShare() throws ConfigException {
        Dns64Settings s = parse("""
                [dns64]
                upstream = "192.0.2.53"
                prefix = "2001:db8:64::/96"
                tcp-connections = 4
                """).dns64().settings();
        assertEquals(4, s.tcpMaxPerClient());
    }

    @Test
    void everyKeyIsDocumented() throws IOException {
        String doc = Files.readString(Path.of("../docs/CONFIG.md"));
        for (String key : Dns64Section.KEYS) {
            assertTrue(doc.contains("| `" + key + "` |"), "docs/CONFIG.md does not list dns64 key " + key);
        }
    }

    @Test
    void theExampleLoads() throws ConfigException {
        Dns64Settings s = ConfigLoader.load(Path.of("../examples/dns64.toml")).dns64().settings();
        assertEquals(List.of(Rfc6052Prefix.parse("2001:db8:64::/96")), s.prefixes());
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("upstream is required", 1, "dns64", "missing key \"upstream\"", """
                        [dns64]
                        prefix = "2001:db8:64::/96"
                        """),
                Arguments.of("no prefix and no pool6", 1, "dns64", "missing key \"prefix\"", """
                        [dns64]
                        upstream = "192.0.2.53"
                        """),
                Arguments.of("a broken [siit] is its own error, not a missing prefix", 2, "siit.pool6", "RFC 6052", """
                        [siit]
                        pool6 = "2001:db8:64::/80"
                        [dns64]
                        upstream = "192.0.2.53"
                        """),
                Arguments.of("an open resolver", 4, "dns64.allow[1]", "open resolver", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/96"
                        allow = ["2001:db8:6::/64", "::/0"]
                        """),
                Arguments.of("an empty allow", 4, "dns64.allow", "must not be empty", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/96"
                        allow = []
                        """),
                Arguments.of("a prefix length RFC 6052 does not define", 3, "dns64.prefix", "RFC 6052 §2.2", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/80"
                        """),
                Arguments.of("a name as upstream", 2, "dns64.upstream[0]", "names are not looked up", """
                        [dns64]
                        upstream = ["dns.example"]
                        prefix = "2001:db8:64::/96"
                        """),
                Arguments.of("a listen address without port", 4, "dns64.listen", "needs brackets", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/96"
                        listen = "::1"
                        """),
                Arguments.of("a misspelt key", 4, "dns64.cache-sise", "did you mean \"cache-size\"", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/96"
                        cache-sise = 10
                        """),
                Arguments.of("a client's share larger than all", 4, "dns64.tcp-max-per-client", "more than tcp-connections", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/96"
                        tcp-max-per-client = 20
                        tcp-connections = 10
                        """),
                Arguments.of("no connection per client", 4, "dns64.tcp-max-per-client", "out of range 1..10000", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/96"
                        tcp-max-per-client = 0
                        """),
                Arguments.of("a message timeout too short for a retransmission", 4, "dns64.tcp-message-timeout-ms",
                        "out of range 100..60000", """
                        [dns64]
                        upstream = "192.0.2.53"
                        prefix = "2001:db8:64::/96"
                        tcp-message-timeout-ms = 10
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void oneErrorPerRule(String rule, int line, String key, String fragment, String toml) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(toml));
        assertEquals(1, e.errors().size(), e.errors().toString());
        ConfigError err = e.errors().getFirst();
        assertEquals(line, err.line(), err.toString());
        assertEquals(key, err.key(), err.toString());
        assertTrue(err.message().contains(fragment), err.toString());
    }
}
