package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One bad file per validation rule: each must give exactly one error, on the expected line, for
 * the expected key path, with a message that says what is wrong.
 */
class ConfigErrorsTest {

    static ConfigException errors(String toml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(toml, "siit.toml"));
    }

    static Arguments bad(String rule, int line, String key, String fragment, String toml) {
        return Arguments.of(rule, line, key, fragment, toml);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                bad("TOML syntax", 1, "", "TOML syntax error at column 6", """
                        [siit
                        pool6 = "2001:db8:64::/96"
                        """),
                bad("duplicate key is a TOML error", 3, "", "pool6 previously defined at line 2", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        pool6 = "2001:db8:65::/96"
                        """),
                bad("unknown key, with suggestion", 3, "siit.trafic-class", "unknown key \"trafic-class\" (did you mean \"traffic-class\"?)", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        trafic-class = 3
                        """),
                bad("unknown key, underscore for dash", 3, "siit.ipv4_address", "(did you mean \"ipv4-address\"?)", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        ipv4_address = "198.51.100.1"
                        """),
                bad("unknown key, nothing close", 3, "siit.frobnicate", "unknown key \"frobnicate\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        frobnicate = 1
                        """),
                bad("unknown key in an EAM entry", 6, "siit.eam[0].ipv6s", "(did you mean \"ipv6\"?)", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        [[siit.eam]]
                        ipv6 = "2001:db8:6::2/128"
                        ipv4 = "192.0.2.2/32"
                        ipv6s = "2001:db8:6::3/128"
                        """),
                bad("unknown section", 3, "nat46", "unknown section [nat46]", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        [nat46]
                        pool4 = "192.0.2.0/24"
                        """),
                bad("unknown section, with suggestion", 1, "sit", "unknown section [sit] (did you mean \"siit\"?)", """
                        [sit]
                        pool6 = "2001:db8:64::/96"
                        """),
                bad("siit key at the top level", 1, "pool6", "unknown key \"pool6\" (it belongs under [siit])", """
                        pool6 = "2001:db8:64::/96"
                        """),
                bad("wrong type: string for integer", 3, "siit.lowest-ipv6-mtu", "expected an integer, got string \"1500\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        lowest-ipv6-mtu = "1500"
                        """),
                bad("wrong type: string for boolean", 3, "siit.icmp-errors", "expected true or false, got string \"yes\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        icmp-errors = "yes"
                        """),
                bad("wrong type: float", 3, "siit.icmp-error-rate", "expected an integer, got float 2.5", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        icmp-error-rate = 2.5
                        """),
                bad("wrong type: siit not a table", 1, "siit", "expected a table [siit], got integer 1", """
                        siit = 1
                        """),
                bad("wrong type: eam as a plain table", 3, "siit.eam", "expected an array of tables [[siit.eam]]", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        [siit.eam]
                        ipv6 = "2001:db8:6::2/128"
                        ipv4 = "192.0.2.2/32"
                        """),
                bad("wrong type: pool item", 3, "siit.rfc6791v4[1]", "expected a string, got integer 7", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        rfc6791v4 = ["203.0.113.8", 7]
                        """),
                bad("bad IPv6 prefix", 2, "siit.pool6", "bad IPv6 prefix \"2001:zz8::/96\"", """
                        [siit]
                        pool6 = "2001:zz8::/96"
                        """),
                bad("prefix length out of range", 2, "siit.pool6", "length is not in 0-128", """
                        [siit]
                        pool6 = "2001:db8::/129"
                        """),
                bad("prefix without length", 2, "siit.pool6", "the /length is missing", """
                        [siit]
                        pool6 = "2001:db8::"
                        """),
                bad("bad IPv4 address", 3, "siit.ipv4-address", "bad IPv4 address \"198.51.100\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        ipv4-address = "198.51.100"
                        """),
                bad("bad IPv6 address", 3, "siit.rfc6791v6", "bad IPv6 address \"2001:db8::g\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        rfc6791v6 = "2001:db8::g"
                        """),
                bad("host bits set, IPv4", 6, "siit.eam[0].ipv4", "\"1.0.0.1/24\" has host bits set (prefix is 1.0.0.0/24)", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::/120"
                        ipv4 = "1.0.0.1/24"
                        """),
                bad("host bits set, IPv6", 2, "siit.pool6", "\"2001:db8:64::1/96\" has host bits set (prefix is 2001:db8:64::/96)", """
                        [siit]
                        pool6 = "2001:db8:64::1/96"
                        """),
                bad("u-octet set in a /96", 2, "siit.pool6", "bits 64-71 (the u octet)", """
                        [siit]
                        pool6 = "2001:db8:0:0:100::/96"
                        """),
                bad("length not allowed by RFC 6052", 2, "siit.pool6", "has prefix length /80, but RFC 6052 §2.2 allows only", """
                        [siit]
                        pool6 = "2001:db8::/80"
                        """),
                bad("well-known prefix at another length", 2, "siit.pool6", "is the well-known prefix 64:ff9b::/96 at another length", """
                        [siit]
                        pool6 = "64:ff9b::/64"
                        """),
                bad("multicast pool6", 2, "siit.pool6", "is a multicast prefix", """
                        [siit]
                        pool6 = "ff0e::/96"
                        """),
                bad("EAM IPv4 suffix longer than IPv6 suffix", 6, "siit.eam[0].ipv4", "suffix lengths do not fit: ipv4 1.0.0.0/23 leaves 9 bits but ipv6 2001:db8:3::/120 only 8", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::/120"
                        ipv4 = "1.0.0.0/23"
                        """),
                bad("EAM entries overlapping in IPv4", 10, "siit.eam[1].ipv4", "1.0.0.0/25 overlaps siit.eam[0].ipv4 1.0.0.0/24; set overlap = true", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::/120"
                        ipv4 = "1.0.0.0/24"

                        [[siit.eam]]
                        ipv6 = "2001:db8:4::/121"
                        ipv4 = "1.0.0.0/25"
                        """),
                bad("EAM entries overlapping in IPv6", 9, "siit.eam[1].ipv6", "2001:db8:3::80/121 overlaps siit.eam[0].ipv6 2001:db8:3::/120", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::/120"
                        ipv4 = "1.0.0.0/24"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::80/121"
                        ipv4 = "2.0.0.0/25"
                        """),
                bad("duplicate EAM entry", 8, "siit.eam[1]", "duplicate of siit.eam[0]", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::/120"
                        ipv4 = "1.0.0.0/24"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::/120"
                        ipv4 = "1.0.0.0/24"
                        overlap = true
                        """),
                bad("same IPv4 prefix in two entries, even with overlap", 10, "siit.eam[1].ipv4", "1.0.0.0/24 is also the ipv4 of siit.eam[0]", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:3::/120"
                        ipv4 = "1.0.0.0/24"

                        [[siit.eam]]
                        ipv6 = "2001:db8:4::/120"
                        ipv4 = "1.0.0.0/24"
                        overlap = true
                        """),
                bad("pool6 collides with an EAM IPv6 prefix", 5, "siit.eam[0].ipv6", "2001:db8:64::/120 overlaps pool6 2001:db8:64::/96", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:64::/120"
                        ipv4 = "1.0.0.0/24"
                        """),
                bad("EAM entry without ipv4", 4, "siit.eam[0]", "missing key \"ipv4\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"

                        [[siit.eam]]
                        ipv6 = "2001:db8:64::/120"
                        """),
                bad("empty eam array", 3, "siit.eam", "is empty", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        eam = []
                        """),
                bad("rfc6791v4 range reversed", 4, "siit.rfc6791v4[1]", "range \"203.0.113.9-203.0.113.1\" is reversed", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        rfc6791v4 = ["203.0.113.8",
                                     "203.0.113.9-203.0.113.1"]
                        """),
                bad("rfc6791v4 single string with host bits", 3, "siit.rfc6791v4", "\"203.0.113.9/29\" has host bits set (prefix is 203.0.113.8/29)", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        rfc6791v4 = "203.0.113.9/29"
                        """),
                bad("lowest-ipv6-mtu below 1280", 3, "siit.lowest-ipv6-mtu", "1000 is out of range 1280..65535", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        lowest-ipv6-mtu = 1000
                        """),
                bad("ipv4-mtu below 68", 3, "siit.ipv4-mtu", "67 is out of range 68..65535", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        ipv4-mtu = 67
                        """),
                bad("ipv6-mtu below 1280", 3, "siit.ipv6-mtu", "1279 is out of range 1280..65535", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        ipv6-mtu = 1279
                        """),
                bad("icmp-error-rate negative", 3, "siit.icmp-error-rate", "-1 is out of range 0..1000000", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        icmp-error-rate = -1
                        """),
                bad("traffic-class above 255", 3, "siit.traffic-class", "256 is out of range 0..255", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        traffic-class = 256
                        """),
                bad("tos neither copy nor a number", 3, "siit.tos", "expected \"copy\" or an integer 0..255, got string \"keep\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        tos = "keep"
                        """),
                bad("udp-zero-checksum unknown word", 3, "siit.udp-zero-checksum", "expected one of \"drop\" or \"compute\", got string \"fix\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        udp-zero-checksum = "fix"
                        """),
                bad("eam-hairpin unknown word", 3, "siit.eam-hairpin", "expected one of \"off\", \"simple\" or \"intrinsic\"", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        eam-hairpin = "on"
                        """),
                bad("mtu-plateaus empty", 3, "siit.mtu-plateaus", "must not be empty", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        mtu-plateaus = []
                        """),
                bad("mtu-plateaus item out of range", 3, "siit.mtu-plateaus[1]", "67 is out of range 68..65535", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        mtu-plateaus = [1500, 67]
                        """),
                bad("ipv4-address cannot be a source", 3, "siit.ipv4-address", "cannot be a source address", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        ipv4-address = "127.0.0.1"
                        """),
                bad("ipv6-address multicast", 3, "siit.ipv6-address", "cannot be a source address", """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        ipv6-address = "ff02::1"
                        """),
                bad("neither pool6 nor eam", 1, "siit", "at least one of pool6 or [[siit.eam]] is required", """
                        [siit]
                        ipv6-address = "2001:db8:6::1"
                        """),
                bad("ipv6-address required without pool6", 1, "siit", "siit.ipv6-address is required when pool6 is not set", """
                        [siit]
                        [[siit.eam]]
                        ipv6 = "2001:db8:6::2/128"
                        ipv4 = "192.0.2.2/32"
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesOnePositionedError(String rule, int line, String key, String fragment, String toml) {
        List<ConfigError> errors = errors(toml).errors();
        assertEquals(1, errors.size(), () -> "expected one error, got:\n" + errors.stream()
                .map(ConfigError::toString).reduce((a, b) -> a + "\n" + b).orElse(""));
        ConfigError e = errors.getFirst();
        assertAll(
                () -> assertEquals("siit.toml", e.source()),
                () -> assertEquals(line, e.line(), e::toString),
                () -> assertEquals(key, e.key(), e::toString),
                () -> assertTrue(e.message().contains(fragment), () -> "message of " + e),
                () -> assertFalse(e.toString().contains("Exception"), e::toString));
    }

    @Test
    void overlapTrueAllowsOverlappingEntriesAndPool6() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse("""
                [siit]
                pool6 = "2001:db8:64::/96"

                [[siit.eam]]
                ipv6 = "2001:db8:3::/120"
                ipv4 = "1.0.0.0/24"

                [[siit.eam]]
                ipv6 = "2001:db8:4::/121"
                ipv4 = "1.0.0.0/25"
                overlap = true

                [[siit.eam]]
                ipv6 = "2001:db8:64::c000:200/127"
                ipv4 = "192.0.2.0/31"
                overlap = true
                """, "siit.toml");
        assertEquals(3, c.siit().eam().size());
    }

    @Test
    void longerIpv6SuffixIsAllowed() throws ConfigException {
        // RFC 7757 Appendix B: 192.0.2.128/26 <-> 2001:db8:dddd::/64.
        IsthmusConfig c = ConfigLoader.parse("""
                [siit]
                ipv6-address = "2001:db8:6::1"
                [[siit.eam]]
                ipv6 = "2001:db8:dddd::/64"
                ipv4 = "192.0.2.128/26"
                """, "siit.toml");
        assertEquals(1, c.siit().eam().size());
    }

    @Test
    void allErrorsOfAFileAreReportedTogetherInFileOrder() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(ConfigLoaderTest.resource("many-errors.toml")));
        List<ConfigError> errors = e.errors();
        assertEquals(4, errors.size(), e.getMessage());
        assertEquals(List.of(3, 4, 5, 9), errors.stream().map(ConfigError::line).toList());
        assertEquals(List.of("siit.pool6", "siit.trafic-class", "siit.lowest-ipv6-mtu", "siit.eam[0].ipv4"),
                errors.stream().map(ConfigError::key).toList());
        String source = ConfigLoaderTest.resource("many-errors.toml").toString();
        assertEquals(source + ":9: siit.eam[0].ipv4: \"1.0.0.1/24\" has host bits set (prefix is 1.0.0.0/24)",
                errors.get(3).toString());
        // The exception's message is the list, one error per line, ready to print.
        assertEquals(4, e.getMessage().lines().count());
        assertEquals(0, e.getStackTrace().length);
    }

    @Test
    void errorsInSeveralEamEntriesAreAllReported() {
        List<ConfigError> errors = errors("""
                [siit]
                pool6 = "2001:db8:64::/96"
                [[siit.eam]]
                ipv6 = "2001:db8:3::1/120"
                ipv4 = "1.0.0.0/24"
                [[siit.eam]]
                ipv6 = "2001:db8:4::/120"
                ipv4 = "1.0.0.0/33"
                [[siit.eam]]
                ipv6 = 5
                ipv4 = "1.0.1.0/24"
                """).errors();
        assertEquals(List.of("siit.eam[0].ipv6", "siit.eam[1].ipv4", "siit.eam[2].ipv6"),
                errors.stream().map(ConfigError::key).toList());
        assertEquals(List.of(4, 8, 10), errors.stream().map(ConfigError::line).toList());
    }

    @Test
    void syntaxErrorsStopBeforeValidation() {
        List<ConfigError> errors = errors("""
                [siit]
                pool6 = "2001:db8::/80"
                tos = [1,
                """).errors();
        assertTrue(errors.stream().allMatch(e -> e.key().isEmpty()), errors::toString);
        assertTrue(errors.getFirst().message().startsWith("TOML syntax error"), errors::toString);
    }

    @Test
    void malformedHeaderFoundByFuzzingIsASyntaxError() {
        // tomlj's source-preserving mode failed an internal assertion on this input.
        List<ConfigError> errors = errors("[s#it]U\u0004").errors();
        assertTrue(errors.getFirst().message().startsWith("TOML syntax error"), errors::toString);
    }

    /** Issue 19: an error line quotes at most about 100 characters of a value, and says how long it is. */
    @ParameterizedTest
    @MethodSource("longValues")
    void anErrorLineQuotesOnlyTheStartOfALongValue(String what, String toml, String cut) {
        List<ConfigError> errors = errors(toml).errors();
        assertAll(errors.stream().map(e -> () -> {
            assertTrue(e.toString().length() < 300, () -> what + ": " + e);
            assertTrue(e.toString().contains(cut), () -> what + ": " + e);
        }));
    }

    static Stream<Arguments> longValues() {
        String words = "a sentence pasted by mistake ".repeat(40);
        String digits = "1".repeat(5000);
        return Stream.of(
                Arguments.of("value with spaces", "[siit]\npool6 = \"" + words + "\"\n",
                        "\"" + words.substring(0, LongValues.KEPT) + "… (1160 characters)\""),
                Arguments.of("value with an escape", "[siit]\npool6 = \"64:ff9b::/96\"\ntos = \"\\t" + words + "\"\n",
                        "… (1161 characters)"),
                Arguments.of("part of a value", "[control]\nmetrics = \"127.0.0.1:" + digits + "\"\n",
                        "port \"" + digits.substring(0, LongValues.KEPT) + "… (5000 characters)\" is not"),
                Arguments.of("key", "[siit]\npool6 = \"64:ff9b::/96\"\n" + "k".repeat(300) + " = 1\n", "… (300 characters)"),
                Arguments.of("token in a syntax error", "a = 1" + "x".repeat(300) + "\n", "… ("));
    }

    @Test
    void errorFormat() {
        assertEquals("siit.toml:7: siit.eam[1].ipv4: bad",
                new ConfigError("siit.toml", 7, 3, "siit.eam[1].ipv4", "bad").toString());
        assertEquals("siit.toml:1: TOML syntax error", new ConfigError("siit.toml", 1, 1, "", "TOML syntax error").toString());
        assertEquals("siit.toml: no such file", new ConfigError("siit.toml", 0, 0, null, "no such file").toString());
    }

    @Test
    void suggestionsStayWithinTwoEdits() {
        List<String> known = SiitSection.KEYS;
        assertEquals("tos", TableReader.closest("tso", known));
        assertEquals("pool6", TableReader.closest("Pool6", known));
        assertEquals("icmp-errors", TableReader.closest("icmp_errors", known));
        assertEquals(null, TableReader.closest("pool4", List.of("siit")));
        assertEquals(1, TableReader.editDistance("lowest-ipv6-mut", "lowest-ipv6-mtu"));
    }
}
