package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.config.SiitConfig.EamEntry;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import dev.isthmus.xlat.XlatSettings.HairpinMode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Good files: every field, the defaults, the example, and the rendered form. */
class ConfigLoaderTest {

    static Path resource(String name) {
        try {
            return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static IsthmusConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, "test.toml");
    }

    @Test
    void fullFileSetsEveryField() throws ConfigException {
        SiitConfig c = ConfigLoader.load(resource("full.toml")).siit();
        assertAll(
                () -> assertEquals(Ipv6Prefix.parse("2001:db8:100::/40"), c.pool6()),
                () -> assertEquals(List.of(
                                new EamEntry(Ipv6Prefix.parse("2001:db8:3::/120"), Ipv4Prefix.parse("1.0.0.0/24"), false),
                                new EamEntry(Ipv6Prefix.parse("2001:db8:3::17/128"), Ipv4Prefix.parse("1.0.0.23/32"), true),
                                new EamEntry(Ipv6Prefix.parse("2001:db8:dddd::/64"), Ipv4Prefix.parse("192.0.2.128/26"), false)),
                        c.eam()),
                // Canonical text: the spaces around the range dash are gone.
                () -> assertEquals(List.of("203.0.113.8", "203.0.113.16/30", "203.0.113.32-203.0.113.40"), c.rfc6791v4()),
                () -> assertEquals(Ipv6Address.parse("2001:db8:ffff::1"), c.rfc6791v6()),
                () -> assertEquals(0, c.trafficClass()),
                () -> assertEquals(184, c.tos()),
                () -> assertTrue(c.udpZeroChecksumCompute()),
                () -> assertEquals(1400, c.lowestIpv6Mtu()),
                // Sorted descending, the duplicate 1500 dropped.
                () -> assertEquals(List.of(9000, 1500, 1280, 576), c.mtuPlateaus()),
                () -> assertEquals(HairpinMode.SIMPLE, c.eamHairpin()),
                () -> assertFalse(c.icmpErrors()),
                () -> assertEquals(0, c.icmpErrorRate()),
                () -> assertEquals(9000, c.ipv4Mtu()),
                () -> assertEquals(9000, c.ipv6Mtu()),
                () -> assertEquals(Ipv4Address.parse("198.51.100.1"), c.ipv4Address()),
                () -> assertEquals(Ipv6Address.parse("2001:db8:6::1"), c.ipv6Address()));
    }

    @Test
    void fullFileBecomesXlatSettings() throws ConfigException {
        XlatSettings s = ConfigLoader.load(resource("full.toml")).siit().toXlatSettings();
        assertAll(
                () -> assertEquals(Rfc6052Prefix.of(Ipv6Prefix.parse("2001:db8:100::/40")), s.pool6()),
                () -> assertEquals(3, s.eam().size()),
                // The /128 inside the /120 wins by longest-prefix match (RFC 7757 §3.3).
                () -> assertEquals(1, s.eam().find4(Ipv4Address.parse("1.0.0.23"))),
                () -> assertEquals(0, s.eam().find4(Ipv4Address.parse("1.0.0.24"))),
                () -> assertEquals(1 + 4 + 9, s.rfc6791v4().size()),
                () -> assertTrue(s.rfc6791v4().contains(Ipv4Address.parse("203.0.113.40"))),
                () -> assertEquals(Ipv6Address.parse("2001:db8:ffff::1"), s.rfc6791v6()),
                () -> assertEquals(184, s.tos()),
                () -> assertEquals(0, s.trafficClass()),
                () -> assertTrue(s.udpZeroChecksumCompute()),
                () -> assertEquals(1400, s.lowestIpv6Mtu()),
                () -> assertArrayEquals(new int[] {9000, 1500, 1280, 576}, s.mtuPlateaus()),
                () -> assertEquals(9000, s.ipv4Mtu()),
                () -> assertEquals(9000, s.ipv6Mtu()),
                () -> assertEquals(Ipv4Address.parse("198.51.100.1"), s.ownIpv4()),
                () -> assertEquals(Ipv6Address.parse("2001:db8:6::1"), s.ownIpv6()),
                () -> assertEquals(HairpinMode.SIMPLE, s.hairpin()),
                () -> assertFalse(s.icmpErrors()),
                () -> assertEquals(0, s.icmpErrorsPerSecond()));
    }

    @Test
    void defaultsFillEverythingButPool6() throws ConfigException {
        SiitConfig c = parse("""
                [siit]
                pool6 = "2001:db8:64::/96"
                """).siit();
        XlatSettings s = c.toXlatSettings();
        assertAll(
                () -> assertEquals(List.of(), c.eam()),
                () -> assertTrue(s.eam().isEmpty()),
                () -> assertEquals(List.of(), c.rfc6791v4()),
                () -> assertTrue(s.rfc6791v4().isEmpty()),
                () -> assertNull(c.rfc6791v6()),
                () -> assertEquals(-1, s.trafficClass()),
                () -> assertEquals(-1, s.tos()),
                () -> assertFalse(s.udpZeroChecksumCompute()),
                () -> assertEquals(1280, s.lowestIpv6Mtu()),
                () -> assertArrayEquals(XlatSettings.RFC1191_PLATEAUS, s.mtuPlateaus()),
                () -> assertEquals(HairpinMode.INTRINSIC, s.hairpin()),
                () -> assertTrue(s.icmpErrors()),
                () -> assertEquals(100, s.icmpErrorsPerSecond()),
                () -> assertEquals(1500, s.ipv4Mtu()),
                () -> assertEquals(1500, s.ipv6Mtu()),
                // RFC 7600 dummy address, and its pool6 embedding (RFC 6052 §2.2, /96).
                () -> assertEquals(XlatSettings.IPV4_DUMMY_ADDRESS, s.ownIpv4()),
                () -> assertEquals(Ipv6Address.parse("2001:db8:64::c000:8"), s.ownIpv6()));
    }

    @Test
    void ipv6AddressDefaultsToThePool6EmbeddingOfIpv4Address() throws ConfigException {
        // RFC 6052 §2.4 example: 192.0.2.33 under a /40 is 2001:db8:1c0:2:21::.
        SiitConfig c = parse("""
                [siit]
                pool6 = "2001:db8:100::/40"
                ipv4-address = "192.0.2.33"
                """).siit();
        assertEquals(Ipv6Address.parse("2001:db8:1c0:2:21::"), c.ipv6Address());
    }

    @Test
    void eamOnlyWithIpv6Address() throws ConfigException {
        SiitConfig c = parse("""
                [siit]
                ipv6-address = "2001:db8:6::1"
                [[siit.eam]]
                ipv6 = "2001:db8:6::2"
                ipv4 = "192.0.2.2"
                """).siit();
        assertNull(c.pool6());
        assertNull(c.toXlatSettings().pool6());
        assertEquals(List.of(new EamEntry(Ipv6Prefix.parse("2001:db8:6::2/128"), Ipv4Prefix.parse("192.0.2.2/32"), false)),
                c.eam());
    }

    @Test
    void inlineTableArrayAndSingleStringPoolAreAccepted() throws ConfigException {
        SiitConfig c = parse("""
                siit.pool6 = "64:ff9b::/96"
                siit.rfc6791v4 = "203.0.113.0/29"
                siit.eam = [ { ipv6 = "2001:db8:6::/120", ipv4 = "198.51.100.0/24" } ]
                """).siit();
        assertEquals(List.of("203.0.113.0/29"), c.rfc6791v4());
        assertEquals(1, c.eam().size());
        assertTrue(Rfc6052Prefix.of(c.pool6()).isWellKnown());
    }

    @Test
    void emptyFileHasNoSections() throws ConfigException {
        assertNull(parse("# nothing configured yet\n").siit());
    }

    @Test
    void labExampleLoads() throws ConfigException {
        // Maven runs tests in the module directory, app/.
        SiitConfig c = ConfigLoader.load(Path.of("../examples/siit.toml")).siit();
        assertAll(
                () -> assertEquals(Ipv6Prefix.parse("2001:db8:64::/96"), c.pool6()),
                () -> assertEquals(List.of(new EamEntry(Ipv6Prefix.parse("2001:db8:6::2/128"),
                        Ipv4Prefix.parse("192.0.2.2/32"), false)), c.eam()),
                () -> assertEquals(List.of("203.0.113.8"), c.rfc6791v4()),
                () -> assertEquals(Ipv4Address.parse("198.51.100.1"), c.ipv4Address()),
                () -> assertEquals(Ipv6Address.parse("2001:db8:6::1"), c.ipv6Address()));
        c.toXlatSettings();
    }

    @Test
    void everyKeyIsDocumented() throws IOException {
        String doc = Files.readString(Path.of("../docs/CONFIG.md"));
        for (String key : SiitSection.KEYS) {
            // The [siit] table links every key to its own paragraph.
            String row = key.equals("eam") ? "| [`[[siit.eam]]`](#siiteam) |" : "| [`" + key + "`](#";
            assertTrue(doc.contains(row), "docs/CONFIG.md does not list " + key);
        }
        for (String key : SiitSection.EAM_KEYS) {
            assertTrue(doc.contains("| `" + key + "` |"), "docs/CONFIG.md does not list eam key " + key);
        }
    }

    @Test
    void renderReadsBackToTheSameConfig() throws ConfigException {
        for (String name : List.of("full.toml")) {
            IsthmusConfig c = ConfigLoader.load(resource(name));
            assertEquals(c, parse(c.render()), name);
        }
        IsthmusConfig minimal = parse("[siit]\npool6 = \"2001:db8:64::/96\"\n");
        assertEquals(minimal, parse(minimal.render()));
        IsthmusConfig eamOnly = parse("""
                [siit]
                ipv6-address = "2001:db8:6::1"
                [[siit.eam]]
                ipv6 = "2001:db8:6::2"
                ipv4 = "192.0.2.2"
                """);
        assertEquals(eamOnly, parse(eamOnly.render()));
        assertEquals(new IsthmusConfig(null), parse(new IsthmusConfig(null).render()));
    }

    @Test
    void renderWritesDefaultsOut() throws ConfigException {
        String text = parse("[siit]\npool6 = \"2001:db8:64::/96\"\n").render();
        assertTrue(text.contains("traffic-class = \"copy\"\n"), text);
        assertTrue(text.contains("mtu-plateaus = [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68]\n"), text);
        assertTrue(text.contains("ipv4-address = \"192.0.0.8\"\n"), text);
        assertTrue(text.contains("ipv6-address = \"2001:db8:64::c000:8\"\n"), text);
        assertTrue(text.contains("eam-hairpin = \"intrinsic\"\n"), text);
    }

    @Test
    void missingFileIsAConfigError(@TempDir Path dir) {
        Path p = dir.resolve("absent.toml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(p));
        assertEquals(p + ": no such file", e.getMessage());
    }

    @Test
    void binaryFileIsAConfigError(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("bad.toml");
        Files.write(p, new byte[] {'[', 's', (byte) 0xff, ']'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(p));
        assertEquals(p + ":1: is not valid UTF-8 text at column 3 (byte 0xFF); TOML files must be UTF-8", e.getMessage());
    }

    /** Issue 19: the error names the line of the bad byte, and its column in characters. */
    @Test
    void invalidUtf8IsReportedAtItsLine(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("latin1.toml");
        // "# café" in UTF-8, then a Latin-1 "é" (0xE9) in a comment on line 3.
        byte[] head = "[siit]\n# caf\u00e9\npool6 = \"64:ff9b::/96\" # caf".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Arrays.copyOf(head, head.length + 2);
        bytes[head.length] = (byte) 0xe9;
        bytes[head.length + 1] = '\n';
        Files.write(p, bytes);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(p));
        ConfigError error = e.errors().getFirst();
        assertEquals(3, error.line());
        assertEquals(29, error.column());
        assertEquals(p + ":3: is not valid UTF-8 text at column 29 (byte 0xE9); TOML files must be UTF-8", e.getMessage());
    }

    @Test
    void aTruncatedSequenceAtTheEndIsReportedToo(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("cut.toml");
        Files.write(p, new byte[] {'#', ' ', (byte) 0xc3});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(p));
        assertEquals(p + ":1: is not valid UTF-8 text at column 3 (byte 0xC3); TOML files must be UTF-8", e.getMessage());
    }
}
