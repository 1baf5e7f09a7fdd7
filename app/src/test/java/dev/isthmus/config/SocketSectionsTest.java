package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.http.HttpSettings;
import dev.isthmus.addr.PortSet;
import dev.isthmus.relay.RelaySettings;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code [[relay]]} and {@code [http]} sections: defaults, the effective config, one positioned error per rule. */
class SocketSectionsTest {

    static final String RELAYS = """
            [[relay]]
            listen = "[::]:110"
            connect = "198.51.100.2:110"
            allow = ["2001:db8:6::/64"]

            [[relay]]
            name = "dns"
            protocol = "udp"
            listen = "[::]:53"
            connect = "198.51.100.2:53"
            allow = ["2001:db8:6::/64", "192.0.2.7"]
            max-per-client = 4

            [[relay]]
            name = "trt"
            listen = "[::]:8000"
            pool6 = "2001:db8:64::/96"
            allow = ["2001:db8:6::/64"]
            proxy-protocol = true

            [http.forward]
            allow = ["2001:db8:6::/64"]

            [[http.reverse]]
            host = "www.example.test"
            backend = "198.51.100.2:80"
            """;

    @Test
    void readsRelaysAndTheGatewayWithTheirDefaults() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(RELAYS, "relay.toml");
        assertNull(c.siit());
        assertTrue(c.hasSocketServices());
        List<RelaySettings> r = c.relays();
        assertEquals(3, r.size());
        assertEquals("tcp/[::]:110", r.get(0).name());
        assertEquals(RelaySettings.Protocol.TCP, r.get(0).protocol());
        assertEquals(1024, r.get(0).maxConnections());
        assertEquals(64, r.get(0).maxPerClient());
        assertEquals(Duration.ofSeconds(7440), r.get(0).idleTimeout());
        assertEquals(RelaySettings.Protocol.UDP, r.get(1).protocol());
        assertEquals(Duration.ofSeconds(300), r.get(1).idleTimeout());
        assertEquals(4, r.get(1).maxPerClient());
        assertTrue(r.get(2).transparent());
        assertTrue(r.get(2).proxyProtocol());
        assertEquals(PortSet.ALL_BUT_SMTP, r.get(2).connectPorts(), "default: every port but 25");
        assertFalse(r.get(2).connectPorts().contains(25));
        HttpSettings h = c.http();
        assertEquals("[::]:3128", dev.isthmus.relay.Families.text(h.forward().listen()));
        assertEquals(Set.of(443), h.forward().connectPorts());
        assertEquals("[::]:80", dev.isthmus.relay.Families.text(h.reverse().getFirst().listen()));
        assertEquals(16384, h.maxHeaderBytes());
        // The relays' limits, and a deadline for the request head (issue 19 item 1).
        assertEquals(1024, h.maxConnections());
        assertEquals(64, h.maxPerClient());
        assertEquals(Duration.ofSeconds(10), h.requestHeadTimeout());
    }

    @Test
    void theGatewaysLimitsAreRead() throws ConfigException {
        HttpSettings h = ConfigLoader.parse("""
                [http]
                max-connections = 500
                max-per-client = 8
                request-head-timeout = 3

                [http.forward]
                allow = ["2001:db8:6::/64"]
                """, "http.toml").http();
        assertEquals(500, h.maxConnections());
        assertEquals(8, h.maxPerClient());
        assertEquals(Duration.ofSeconds(3), h.requestHeadTimeout());
    }

    @Test
    void theEffectiveConfigReadsBackTheSame() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(RELAYS, "relay.toml");
        String rendered = c.render();
        assertTrue(rendered.contains("[[relay]]\nname = \"dns\"\nprotocol = \"udp\""), rendered);
        assertTrue(rendered.contains("connect-ports = [443]"), rendered);
        assertTrue(rendered.contains("pool6 = \"2001:db8:64::/96\"\nallow-destinations = []\n"
                + "connect-ports = [\"1-24\", \"26-65535\"]\n"), rendered);
        IsthmusConfig again = ConfigLoader.parse(rendered, "show-config.toml");
        assertEquals(c.relays(), again.relays());
        assertEquals(c.http(), again.http());
    }

    /** Issue 19 item 10: the transparent relay's connect-ports, as [http.forward] has for CONNECT. */
    @Test
    void connectPortsTakePortsAndRanges() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse("""
                [[relay]]
                listen = "[::]:8000"
                pool6 = "2001:db8:64::/96"
                allow = ["2001:db8:6::/64"]
                connect-ports = [22, 80, "443", "1024-65535"]
                """, "relay.toml");
        PortSet p = c.relays().getFirst().connectPorts();
        assertEquals(List.of(22, 80, 443, "1024-65535"), p.items());
        assertTrue(p.contains(22) && p.contains(1024) && p.contains(65535));
        assertFalse(p.contains(25) || p.contains(21) || p.contains(1023));
        assertEquals(c.relays(), ConfigLoader.parse(c.render(), "rendered").relays());
    }

    @Test
    void theExamplesAreValid() throws ConfigException {
        java.nio.file.Path examples = java.nio.file.Path.of(System.getProperty("user.dir")).resolveSibling("examples");
        assertEquals(4, ConfigLoader.load(examples.resolve("relay.toml")).relays().size());
        assertEquals(1, ConfigLoader.load(examples.resolve("http-proxy.toml")).http().reverse().size());
    }

    static Arguments bad(String rule, int line, String key, String fragment, String toml) {
        return Arguments.of(rule, line, key, fragment, toml);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                bad("allow is required: never an open relay", 1, "relay[0]", "missing key \"allow\"", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:110"
                        """),
                bad("an empty allow list", 4, "relay[0].allow", "is empty", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:110"
                        allow = []
                        """),
                bad("connect-ports on a static relay", 5, "relay[0].connect-ports", "only the transparent mode", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:110"
                        allow = ["::/0"]
                        connect-ports = [110]
                        """),
                bad("empty connect-ports", 5, "relay[0].connect-ports", "is empty", """
                        [[relay]]
                        listen = "[::]:8000"
                        pool6 = "2001:db8:64::/96"
                        allow = ["::/0"]
                        connect-ports = []
                        """),
                bad("port 0 in connect-ports", 5, "relay[0].connect-ports[1]", "expected a port 1..65535 or a range", """
                        [[relay]]
                        listen = "[::]:8000"
                        pool6 = "2001:db8:64::/96"
                        allow = ["::/0"]
                        connect-ports = [80, 0]
                        """),
                bad("a backwards range", 5, "relay[0].connect-ports[0]", "string \"2000-1000\"", """
                        [[relay]]
                        listen = "[::]:8000"
                        pool6 = "2001:db8:64::/96"
                        allow = ["::/0"]
                        connect-ports = ["2000-1000"]
                        """),
                bad("a range beyond 65535", 5, "relay[0].connect-ports[0]", "expected a port", """
                        [[relay]]
                        listen = "[::]:8000"
                        pool6 = "2001:db8:64::/96"
                        allow = ["::/0"]
                        connect-ports = ["1024-70000"]
                        """),
                bad("a bad prefix", 4, "relay[0].allow", "2001:db8:6::1/64", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:110"
                        allow = ["2001:db8:6::1/64"]
                        """),
                bad("neither connect nor pool6", 1, "relay[0]", "missing key \"connect\"", """
                        [[relay]]
                        listen = "[::]:110"
                        allow = ["::/0"]
                        """),
                bad("both connect and pool6", 4, "relay[0].pool6", "not both", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:110"
                        pool6 = "2001:db8:64::/96"
                        allow = ["::/0"]
                        """),
                bad("transparent UDP", 4, "relay[0].pool6", "TCP only", """
                        [[relay]]
                        protocol = "udp"
                        listen = "[::]:53"
                        pool6 = "2001:db8:64::/96"
                        allow = ["::/0"]
                        """),
                bad("PROXY protocol on UDP", 6, "relay[0].proxy-protocol", "TCP relays only", """
                        [[relay]]
                        protocol = "udp"
                        listen = "[::]:53"
                        connect = "198.51.100.2:53"
                        allow = ["::/0"]
                        proxy-protocol = true
                        """),
                bad("a port out of range", 3, "relay[0].connect", "port \"70000\" is not 1..65535", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:70000"
                        allow = ["::/0"]
                        """),
                bad("a name instead of an address", 3, "relay[0].connect", "names are not looked up", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "mail.example.test:110"
                        allow = ["::/0"]
                        """),
                bad("two relays on one address", 7, "relay[1].listen", "another TCP relay listens on [::]:110", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:110"
                        allow = ["::/0"]

                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.3:110"
                        allow = ["::/0"]
                        """),
                bad("unknown relay key", 5, "relay[0].max-conections", "did you mean \"max-connections\"", """
                        [[relay]]
                        listen = "[::]:110"
                        connect = "198.51.100.2:110"
                        allow = ["::/0"]
                        max-conections = 5
                        """),
                bad("forward proxy without allow", 1, "http.forward", "missing key \"allow\"", """
                        [http.forward]
                        listen = "[::]:3128"
                        """),
                bad("a CONNECT port out of range", 3, "http.forward.connect-ports[1]", "expected a port", """
                        [http.forward]
                        allow = ["2001:db8:6::/64"]
                        connect-ports = [443, 0]
                        """),
                bad("a reverse site without backend", 1, "http.reverse[0]", "missing key \"backend\"", """
                        [[http.reverse]]
                        host = "www.example.test"
                        """),
                bad("a host with a port", 2, "http.reverse[0].host", "is not a host name", """
                        [[http.reverse]]
                        host = "www.example.test:80"
                        backend = "198.51.100.2:80"
                        """),
                bad("an empty [http]", 1, "http", "nothing to serve", """
                        [http]
                        idle-timeout = 30
                        """),
                bad("no connection at all", 2, "http.max-connections", "0 is out of range 1..1000000", """
                        [http]
                        max-connections = 0
                        [http.forward]
                        allow = ["2001:db8:6::/64"]
                        """),
                bad("no connection per client", 2, "http.max-per-client", "0 is out of range 1..1000000", """
                        [http]
                        max-per-client = 0
                        [http.forward]
                        allow = ["2001:db8:6::/64"]
                        """),
                bad("no time for a request head", 2, "http.request-head-timeout", "0 is out of range 1..600", """
                        [http]
                        request-head-timeout = 0
                        [http.forward]
                        allow = ["2001:db8:6::/64"]
                        """),
                // Issue 19: two sockets on one address and port are a config error naming both places.
                bad("a UDP relay on a DNS64 address", 9, "relay[0].listen",
                        "listens on UDP [::1]:53, as dns64.listen[1] does (line 4): two sockets cannot", """
                        [dns64]
                        prefix = "64:ff9b::/96"
                        upstream = ["192.0.2.53"]
                        listen = ["127.0.0.1:53", "[::1]:53"]

                        [[relay]]
                        protocol = "udp"
                        connect = "198.51.100.2:53"
                        listen = "[::1]:53"
                        allow = ["2001:db8:6::/64"]
                        """),
                bad("a TCP relay on DNS64's default address", 6, "relay[0].listen",
                        "listens on TCP 127.0.0.1:53, as dns64.listen does (the default, line 1)", """
                        [dns64]
                        prefix = "64:ff9b::/96"
                        upstream = ["192.0.2.53"]
                        [[relay]]
                        connect = "198.51.100.2:53"
                        listen = "127.0.0.1:53"
                        allow = ["2001:db8:6::/64"]
                        """),
                bad("one DNS64 address twice", 4, "dns64.listen[1]",
                        "listens on UDP and TCP 127.0.0.1:5353, as dns64.listen[0] does (line 4)", """
                        [dns64]
                        prefix = "64:ff9b::/96"
                        upstream = ["192.0.2.53"]
                        listen = ["127.0.0.1:5353", "127.0.0.1:5353"]
                        """),
                bad("the HTTP proxy on the metrics address", 5, "http.forward.listen",
                        "listens on TCP 127.0.0.1:9464, as control.metrics does (line 2)", """
                        [control]
                        metrics = "127.0.0.1:9464"
                        [http.forward]
                        allow = ["2001:db8:6::/64"]
                        listen = "127.0.0.1:9464"
                        """),
                bad("a TCP relay on the default of the HTTP reverse proxy, written later", 5, "http.reverse[0].listen",
                        "(the default) listens on TCP [::]:80, as relay[0].listen does (line 3)", """
                        [[relay]]
                        connect = "198.51.100.2:80"
                        listen = "[::]:80"
                        allow = ["2001:db8:6::/64"]
                        [[http.reverse]]
                        host = "www.example.test"
                        backend = "198.51.100.2:80"
                        """));
    }

    /**
     * One socket serves [http]'s forward proxy and sites on one address; a TCP and a UDP relay on
     * one port are apart; a wildcard and a specific address are left to the bind.
     */
    @Test
    void listenersThatDoNotClash() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(RELAYS + """
                [[http.reverse]]
                host = "b.example.test"
                backend = "198.51.100.3:80"
                listen = "[::]:3128"

                [[relay]]
                connect = "198.51.100.2:53"
                listen = "[::]:53"
                allow = ["2001:db8:6::/64"]

                [dns64]
                prefix = "64:ff9b::/96"
                upstream = ["192.0.2.53"]
                listen = "[::1]:53"
                """, "relay.toml");
        assertEquals(4, c.relays().size());
        assertEquals(2, c.http().reverse().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesOnePositionedError(String rule, int line, String key, String fragment, String toml) {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "relay.toml"))
                .errors();
        assertEquals(1, errors.size(), errors::toString);
        ConfigError e = errors.getFirst();
        assertAll(
                () -> assertEquals("relay.toml", e.source()),
                () -> assertEquals(line, e.line(), e::toString),
                () -> assertEquals(key, e.key(), e::toString),
                () -> assertTrue(e.message().contains(fragment), e::toString));
    }
}
