package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.ftp.proxy.DataPorts;
import dev.isthmus.alg.ftp.proxy.FtpProxySettings;
import dev.isthmus.relay.Families;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code [[ftp.proxy]]} tables: defaults, the effective config, one positioned error per rule. */
class FtpSectionTest {

    static final String PROXIES = """
            [[ftp.proxy]]
            connect = "198.51.100.2:21"
            allow = ["2001:db8:6::/64"]

            [[ftp.proxy]]
            name = "any"
            listen = "[::]:2121"
            pool6 = "2001:db8:64::/96"
            connect-ports = [21, "2121-2122"]
            allow = ["2001:db8:6::/64"]
            tls = "passthrough"
            server-mode = "active"
            data-ports = "40000-40099"
            first-command-timeout = 5
            """;

    @Test
    void readsProxiesWithTheirDefaults() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(PROXIES, "ftp.toml");
        assertTrue(c.hasSocketServices());
        List<FtpProxySettings> p = c.ftpProxies();
        assertEquals(2, p.size());
        FtpProxySettings d = p.getFirst();
        assertEquals("ftp/[::]:21", d.name());
        assertEquals("[::]:21", Families.text(d.listen()));
        assertNull(d.pool6());
        assertEquals(1024, d.maxConnections());
        assertEquals(64, d.maxPerClient());
        assertEquals(Duration.ofSeconds(900), d.idleTimeout());
        assertEquals(Duration.ofSeconds(10), d.connectTimeout());
        assertEquals(Duration.ofSeconds(30), d.firstCommandTimeout());
        assertEquals(FtpProxySettings.Tls.REFUSE, d.tls(), "TLS is refused unless passthrough is asked for");
        assertEquals(FtpProxySettings.ServerMode.PASSIVE, d.serverMode());
        assertEquals(DataPorts.DEFAULT, d.dataPorts());
        FtpProxySettings t = p.get(1);
        assertTrue(t.transparent());
        assertEquals(List.of(21, "2121-2122"), t.connectPorts().items());
        assertEquals(FtpProxySettings.Tls.PASSTHROUGH, t.tls());
        assertEquals(FtpProxySettings.ServerMode.ACTIVE, t.serverMode());
        assertEquals(new DataPorts(40000, 40099), t.dataPorts());
        assertEquals(Duration.ofSeconds(5), t.firstCommandTimeout());
    }

    @Test
    void theEffectiveConfigReadsBackTheSame() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(PROXIES, "ftp.toml");
        String rendered = c.render();
        assertTrue(rendered.contains("[[ftp.proxy]]\nname = \"any\"\nlisten = \"[::]:2121\"\npool6 = \"2001:db8:64::/96\"\n"),
                rendered);
        assertTrue(rendered.contains("tls = \"refuse\"\nserver-mode = \"passive\"\ndata-ports = \"50000-50999\"\n"),
                rendered);
        assertEquals(c.ftpProxies(), ConfigLoader.parse(rendered, "show-config.toml").ftpProxies());
    }

    @Test
    void theExampleIsValid() throws ConfigException {
        java.nio.file.Path examples = java.nio.file.Path.of(System.getProperty("user.dir")).resolveSibling("examples");
        assertEquals(2, ConfigLoader.load(examples.resolve("ftp-proxy.toml")).ftpProxies().size());
    }

    static Arguments bad(String rule, int line, String key, String fragment, String toml) {
        return Arguments.of(rule, line, key, fragment, toml);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                bad("allow is required: never an open proxy", 1, "ftp.proxy[0]", "missing key \"allow\"", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        """),
                bad("an empty allow list", 3, "ftp.proxy[0].allow", "is empty", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = []
                        """),
                bad("neither connect nor pool6", 1, "ftp.proxy[0]", "missing key \"connect\"", """
                        [[ftp.proxy]]
                        allow = ["::/0"]
                        """),
                bad("both connect and pool6", 3, "ftp.proxy[0].pool6", "not both", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        pool6 = "2001:db8:64::/96"
                        allow = ["::/0"]
                        """),
                bad("connect-ports with connect", 4, "ftp.proxy[0].connect-ports", "only the transparent mode", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        connect-ports = [21]
                        """),
                bad("an unknown tls mode", 4, "ftp.proxy[0].tls", "expected one of", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        tls = "implicit"
                        """),
                bad("an unknown server mode", 4, "ftp.proxy[0].server-mode", "expected one of", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        server-mode = "epsv"
                        """),
                bad("privileged data ports", 4, "ftp.proxy[0].data-ports", "within 1024-65535", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        data-ports = "20-1030"
                        """),
                bad("a backwards data-port range", 4, "ftp.proxy[0].data-ports", "\"51000-50000\"", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        data-ports = "51000-50000"
                        """),
                bad("a zero first-command-timeout", 4, "ftp.proxy[0].first-command-timeout", "out of range", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        first-command-timeout = 0
                        """),
                bad("an unknown key", 4, "ftp.proxy[0].data-port", "data-ports", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        data-port = "50000-50999"
                        """),
                bad("an [ftp] without a proxy", 1, "ftp", "no [[ftp.proxy]]", """
                        [ftp]
                        """),
                bad("two proxies of one name", 8, "ftp.proxy[1].name", "another FTP proxy", """
                        [[ftp.proxy]]
                        name = "ftp"
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        [[ftp.proxy]]
                        listen = "[::]:2121"
                        connect = "198.51.100.3:21"
                        name = "ftp"
                        allow = ["::/0"]
                        """),
                bad("two proxies on one address", 6, "ftp.proxy[1].listen", "two sockets cannot listen", """
                        [[ftp.proxy]]
                        connect = "198.51.100.2:21"
                        allow = ["::/0"]
                        [[ftp.proxy]]
                        name = "second"
                        listen = "[::]:21"
                        connect = "198.51.100.3:21"
                        allow = ["::/0"]
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesOnePositionedError(String rule, int line, String key, String fragment, String toml) {
        List<ConfigError> errors = assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "ftp.toml"))
                .errors();
        assertEquals(1, errors.size(), errors::toString);
        ConfigError e = errors.getFirst();
        assertAll(
                () -> assertEquals("ftp.toml", e.source()),
                () -> assertEquals(line, e.line(), e::toString),
                () -> assertEquals(key, e.key(), e::toString),
                () -> assertTrue(e.message().contains(fragment), e::toString));
    }
}
