package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.dataplane.DataplaneSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code [dataplane]} and {@code [control]} sections: values, defaults, and one error per rule. */
class DataplaneControlConfigTest {

    private static final String SIIT = "[siit]\npool6 = \"2001:db8:64::/96\"\n";

    static IsthmusConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, "run.toml");
    }

    @Test
    void absentSectionsTakeTheirDefaults() throws ConfigException {
        IsthmusConfig c = parse(SIIT);
        assertEquals(DataplaneConfig.DEFAULT, c.dataplane());
        assertEquals(new DataplaneConfig("isthmus0", 0, true, true, 1500, List.of(), List.of()), c.dataplane());
        assertEquals(new ControlConfig(Path.of("/run/isthmus/isthmus.sock"), null), c.control());
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        IsthmusConfig c = parse(SIIT + """
                [dataplane]
                device = "xlat.0"
                workers = 4
                manage-routes = false
                offload = false
                mtu = 9000
                routes = ["2001:db8:aaaa::/120", "203.0.113.0/24"]
                [control]
                socket = "/tmp/isthmus-test.sock"
                metrics = "[::1]:9464"
                """);
        assertEquals(new DataplaneConfig("xlat.0", 4, false, false, 9000, List.of(Ipv4Prefix.parse("203.0.113.0/24")),
                List.of(Ipv6Prefix.parse("2001:db8:aaaa::/120"))), c.dataplane());
        assertEquals(Path.of("/tmp/isthmus-test.sock"), c.control().socket());
        assertEquals(9464, c.control().metrics().getPort());
        assertTrue(c.control().metrics().getAddress().isLoopbackAddress());
        DataplaneSettings s = c.dataplane().toDataplaneSettings(c.siit().toXlatSettings());
        assertEquals("xlat.0", s.device());
        assertEquals(4, s.effectiveWorkers());
        assertEquals("other", s.withDevice("other").device());
    }

    @Test
    void publicMetricsNeedTheExplicitKey() throws ConfigException {
        IsthmusConfig c = parse(SIIT + "[control]\nmetrics = \"0.0.0.0:9464\"\nallow-public-metrics = true\n");
        assertEquals(new InetSocketAddress("0.0.0.0", 9464), c.control().metrics());
    }

    @Test
    void renderReadsBack() throws ConfigException {
        for (String extra : List.of("", """
                [dataplane]
                device = "dp9"
                workers = 2
                offload = false
                routes = ["203.0.113.0/24", "2001:db8:aaaa::/120"]
                [control]
                metrics = "127.0.0.1:9100"
                """, "[control]\nmetrics = \"[2001:db8::1]:80\"\nallow-public-metrics = true\n")) {
            IsthmusConfig c = parse(SIIT + extra);
            assertEquals(c, parse(c.render()), c.render());
        }
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of(4, "dataplane.device", "not a valid interface name",
                        "[dataplane]\ndevice = \"much-too-long-name0\"\n"),
                Arguments.of(4, "dataplane.device", "not a valid interface name", "[dataplane]\ndevice = \"a/b\"\n"),
                Arguments.of(4, "dataplane.workers", "out of range 0..256", "[dataplane]\nworkers = -1\n"),
                Arguments.of(4, "dataplane.mtu", "out of range 1280..65535", "[dataplane]\nmtu = 1000\n"),
                Arguments.of(4, "dataplane.offload", "expected true or false", "[dataplane]\noffload = \"yes\"\n"),
                Arguments.of(4, "dataplane.manage-routs", "did you mean \"manage-routes\"", "[dataplane]\nmanage-routs = true\n"),
                Arguments.of(4, "dataplane.routes[1]", "host bits", "[dataplane]\nroutes = [\"192.0.2.0/24\", \"192.0.2.1/24\"]\n"),
                Arguments.of(4, "dataplane.routes[0]", "the /length is missing", "[dataplane]\nroutes = [\"2001:db8::1\"]\n"),
                Arguments.of(4, "control.metrics", "not a loopback address", "[control]\nmetrics = \"192.0.2.1:9464\"\n"),
                Arguments.of(4, "control.metrics", "port \"99999\" is not 1..65535", "[control]\nmetrics = \"127.0.0.1:99999\"\n"),
                Arguments.of(4, "control.metrics", "names are not looked up", "[control]\nmetrics = \"localhost:9464\"\n"),
                Arguments.of(4, "control.metrics", "needs brackets", "[control]\nmetrics = \"::1:9464\"\n"),
                Arguments.of(4, "control.socket", "not an absolute path", "[control]\nsocket = \"isthmus.sock\"\n"),
                Arguments.of(4, "control.sockett", "did you mean \"socket\"", "[control]\nsockett = \"/run/x.sock\"\n"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("rules")
    void oneErrorWithLineAndKey(int line, String key, String fragment, String section) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(SIIT + section));
        assertEquals(1, e.errors().size(), e.getMessage());
        ConfigError err = e.errors().getFirst();
        assertEquals(line, err.line(), e.getMessage());
        assertEquals(key, err.key(), e.getMessage());
        assertTrue(err.message().contains(fragment), e.getMessage());
    }

    @Test
    void allErrorsOfBothSectionsAreReported() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(SIIT + """
                [dataplane]
                workers = 1000
                mtu = 1
                [control]
                metrics = "nothing"
                """));
        assertEquals(3, e.errors().size(), e.getMessage());
    }

    @Test
    void topLevelKeyOfASectionSaysWhereItBelongs() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("offload = false\n" + SIIT));
        ConfigError err = e.errors().getFirst();
        assertEquals(1, err.line());
        assertEquals("offload", err.key());
        assertTrue(err.message().contains("it belongs under [dataplane]"), e.getMessage());
    }
}
