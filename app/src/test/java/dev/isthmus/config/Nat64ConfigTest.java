package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.nat.Filtering;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.Nat64Settings;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.PortBlocks;
import dev.isthmus.nat.PortSet;
import dev.isthmus.nat.SessionLog;
import dev.isthmus.nat.StaticBib;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code [nat64]}: what loads, and one positioned error per rule. */
class Nat64ConfigTest {
    private static final String HEAD = """
            [nat64]
            pool6 = "64:ff9b::/96"
            """;
    private static final String POOL4 = """
            [[nat64.pool4]]
            prefix = "192.0.2.2/32"
            """;

    @Test
    void loadsTheIssueExampleWithDefaultsAndRendersBack() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(HEAD + """
                [[nat64.pool4]]
                prefix = "192.0.2.2/32"
                tcp = "1-65535"
                udp = "1-65535"
                icmp = "1-65535"
                [[nat64.bib]]
                protocol = "tcp"
                ipv6 = "[2001:db8::5]:2000"
                ipv4 = "192.0.2.2:2000"
                """, "t.toml");
        Nat64Config n = c.nat64();
        assertAll(
                () -> assertEquals("64:ff9b::/96", n.pool6().toString()),
                () -> assertEquals(List.of(Ipv4Prefix.parse("192.0.2.2/32")), n.routes4()),
                () -> assertEquals(Filtering.ENDPOINT_INDEPENDENT, n.table().filtering()),
                () -> assertEquals(Duration.ofMinutes(5), n.table().udpTimeout()),
                () -> assertEquals(Duration.ofHours(2), n.table().tcpEstablished()),
                () -> assertEquals(List.of(new StaticBib(NatProtocol.TCP, Ipv6Address.parse("2001:db8::5"), 2000,
                        Ipv4Address.parse("192.0.2.2"), 2000)), n.statics()),
                // The own IPv4 address defaults to pool4's first; its IPv6 form is pool6's.
                () -> assertEquals(Ipv4Address.parse("192.0.2.2"), n.toXlatSettings().ownIpv4()),
                () -> assertEquals(Ipv6Address.parse("64:ff9b::c000:202"), n.toXlatSettings().ownIpv6()),
                () -> assertNull(c.siit()));
        assertEquals(c, ConfigLoader.parse(c.render(), "rendered"));
    }

    @Test
    void timersAndFiltering() throws ConfigException {
        Nat64Config n = ConfigLoader.parse(HEAD + """
                filtering = "address-dependent"
                udp-timeout = 120
                icmp-timeout = 90
                tcp-transitory-timeout = 300
                max-sessions = 1000
                max-sessions-per-subscriber = 10
                max-ports-per-subscriber = 200
                """ + POOL4, "t.toml").nat64();
        assertAll(
                () -> assertEquals(Filtering.ADDRESS_DEPENDENT, n.table().filtering()),
                () -> assertEquals(Duration.ofSeconds(120), n.table().udpTimeout()),
                () -> assertEquals(Duration.ofSeconds(90), n.table().icmpTimeout()),
                () -> assertEquals(Duration.ofSeconds(300), n.table().tcpTransitory()),
                () -> assertEquals(1000, n.table().maxSessions()),
                () -> assertEquals(10, n.table().maxSessionsPerSubscriber()),
                () -> assertEquals(200, n.table().maxPortsPerSubscriber(), "RFC 6888 REQ-4"));
    }

    @Test
    void thePortLimitDefaultsTo1024() throws ConfigException {
        // RFC 6888 REQ-4 leaves the value to the operator: 1/64 of an address's ports.
        assertEquals(1024, ConfigLoader.parse(HEAD + POOL4, "t.toml").nat64().table().maxPortsPerSubscriber());
    }

    @Test
    void theFtpAlgFollowsPort21ByDefault() throws ConfigException {
        // RFC 6384 §4 puts the ALG on the FTP control port; RFC 6888 leaves the choice of ALGs open.
        IsthmusConfig c = ConfigLoader.parse(HEAD + POOL4, "t.toml");
        assertEquals(List.of(21), c.nat64().table().ftpAlgPorts().ports());
        assertTrue(c.render().contains("alg-ftp-ports = [21]\n"), c.render());
    }

    @Test
    void ftpAlgPortsLoadAndRenderBackAndAnEmptyListTurnsTheAlgOff() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(HEAD + "alg-ftp-ports = [2121, 21]\n" + POOL4, "t.toml");
        assertEquals(PortSet.of(21, 2121), c.nat64().table().ftpAlgPorts());
        assertEquals(c, ConfigLoader.parse(c.render(), "rendered"));
        IsthmusConfig off = ConfigLoader.parse(HEAD + "alg-ftp-ports = []\n" + POOL4, "t.toml");
        assertTrue(off.nat64().table().ftpAlgPorts().isEmpty());
        assertEquals(off, ConfigLoader.parse(off.render(), "rendered"));
    }

    @Test
    void portBlocksAndTheSessionLogLoadAndRenderBack() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(HEAD + """
                [[nat64.pool4]]
                prefix = "192.0.2.0/30"
                [nat64.port-blocks]
                subscribers = "2001:db8::/48"
                subscriber-length = 52
                size = 4096
                [nat64.log]
                mode = "blocks"
                file = "/var/log/isthmus/nat64.jsonl"
                """, "t.toml");
        Nat64Config n = c.nat64();
        PortBlocks b = n.table().portBlocks();
        assertAll(
                () -> assertEquals("2001:db8::/48", b.subscribers().toString()),
                () -> assertEquals(52, b.subscriberLength()),
                () -> assertEquals(52, n.table().subscriberLength(), "the limits count the same subscribers"),
                () -> assertEquals(Nat64Settings.MAX_PORTS_PER_SUBSCRIBER, n.table().maxPortsPerSubscriber(),
                        "no port limit but the block by default"),
                () -> assertEquals(4096, b.blockSize()),
                () -> assertEquals(1024, b.firstPort(), "default: above the well-known ports"),
                () -> assertEquals(new Nat64Service.LogTarget(SessionLog.Mode.BLOCKS,
                        Path.of("/var/log/isthmus/nat64.jsonl")), n.log()));
        assertEquals(c, ConfigLoader.parse(c.render(), "rendered"));
        assertTrue(c.render().contains("flush-interval-ms = 1000\n"), "the default window is written out");
        assertNull(ConfigLoader.parse(HEAD + POOL4, "t.toml").nat64().log(), "no session log unless asked for");
        Nat64Config atOnce = ConfigLoader.parse(HEAD + POOL4 + """
                [nat64.log]
                file = "/var/log/isthmus/nat64.jsonl"
                flush-interval-ms = 0
                """, "t.toml").nat64();
        assertEquals(0, atOnce.log().flushIntervalMillis(), "0: each record written at once");
    }

    /**
     * The RFC 7915 translator keys mean under [nat64] what they mean under [siit] (one definition,
     * TranslatorKeys): they load, reach the stateless settings the NAT64 translates with, and
     * render back.
     */
    @Test
    void translatorKeysLoadUnderNat64AndReachTheTranslator() throws ConfigException {
        IsthmusConfig c = ConfigLoader.parse(HEAD + """
                traffic-class = 0
                tos = 184
                udp-zero-checksum = "compute"
                lowest-ipv6-mtu = 1400
                mtu-plateaus = [1500, 9000, 1280, 1500]
                icmp-errors = false
                icmp-error-rate = 10
                ipv4-mtu = 1400
                ipv6-mtu = 9000
                rfc6791v6 = "2001:db8:ffff::1"
                """ + POOL4, "t.toml");
        XlatSettings s = c.nat64().toXlatSettings();
        assertAll(
                () -> assertEquals(0, s.trafficClass()),
                () -> assertEquals(184, s.tos()),
                () -> assertTrue(s.udpZeroChecksumCompute()),
                () -> assertEquals(1400, s.lowestIpv6Mtu()),
                // Sorted from the highest down, the duplicate dropped, as under [siit].
                () -> assertArrayEquals(new int[] {9000, 1500, 1280}, s.mtuPlateaus()),
                () -> assertFalse(s.icmpErrors()),
                () -> assertEquals(10, s.icmpErrorsPerSecond()),
                () -> assertEquals(1400, s.ipv4Mtu()),
                () -> assertEquals(9000, s.ipv6Mtu()),
                () -> assertEquals(Ipv6Address.parse("2001:db8:ffff::1"), s.rfc6791v6()),
                // NAT64 hairpins through its own tables (RFC 6146 §3.8), never by EAM.
                () -> assertEquals(XlatSettings.HairpinMode.OFF, s.hairpin()));
        assertEquals(c, ConfigLoader.parse(c.render(), "rendered"));
    }

    /** Without the keys, the [nat64] translator takes the same defaults as [siit]. */
    @Test
    void translatorKeysDefaultAsUnderSiit() throws ConfigException {
        XlatSettings nat64 = ConfigLoader.parse(HEAD + POOL4, "t.toml").nat64().toXlatSettings();
        XlatSettings siit = ConfigLoader.parse("[siit]\npool6 = \"64:ff9b::/96\"\n", "t.toml").siit().toXlatSettings();
        assertAll(
                () -> assertEquals(siit.trafficClass(), nat64.trafficClass()),
                () -> assertEquals(siit.tos(), nat64.tos()),
                () -> assertEquals(siit.udpZeroChecksumCompute(), nat64.udpZeroChecksumCompute()),
                () -> assertEquals(siit.lowestIpv6Mtu(), nat64.lowestIpv6Mtu()),
                () -> assertArrayEquals(siit.mtuPlateaus(), nat64.mtuPlateaus()),
                () -> assertEquals(siit.icmpErrors(), nat64.icmpErrors()),
                () -> assertEquals(siit.icmpErrorsPerSecond(), nat64.icmpErrorsPerSecond()),
                () -> assertEquals(siit.ipv4Mtu(), nat64.ipv4Mtu()),
                () -> assertEquals(siit.ipv6Mtu(), nat64.ipv6Mtu()),
                () -> assertNull(nat64.rfc6791v6()));
    }

    @Test
    void pool6IsRequired() {
        List<ConfigError> errors = ConfigErrorsTest.errors("[nat64]\n" + POOL4).errors();
        assertEquals(1, errors.size(), errors::toString);
        assertTrue(errors.getFirst().message().contains("missing key \"pool6\""), errors::toString);
        assertEquals(1, errors.getFirst().line());
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("no pool4", 1, "nat64", "at least one [[nat64.pool4]]", ""),
                Arguments.of("UDP below RFC 4787 REQ-5", 1, "nat64", "RFC 4787 REQ-5", "udp-timeout = 60\n" + POOL4),
                Arguments.of("unknown filtering", 3, "nat64.filtering", "", "filtering = \"open\"\n" + POOL4),
                Arguments.of("pool4 prefix malformed", 4, "nat64.pool4[0].prefix", "", """
                        [[nat64.pool4]]
                        prefix = "192.0.2.300/32"
                        """),
                Arguments.of("pool4 overlap", 6, "nat64.pool4[1].prefix", "overlaps pool4", POOL4 + """
                        [[nat64.pool4]]
                        prefix = "192.0.2.0/30"
                        """),
                Arguments.of("static outside pool4", 8, "nat64.bib[0].ipv4", "is not in pool4", POOL4 + """
                        [[nat64.bib]]
                        protocol = "udp"
                        ipv6 = "[2001:db8::5]:53"
                        ipv4 = "192.0.2.9:53"
                        """),
                Arguments.of("static without brackets", 7, "nat64.bib[0].ipv6", "is not \"[IPV6]:PORT\"", POOL4 + """
                        [[nat64.bib]]
                        protocol = "udp"
                        ipv6 = "2001:db8::5:53"
                        ipv4 = "192.0.2.2:53"
                        """),
                Arguments.of("static twice", 12, "nat64.bib[1].ipv4", "is also the ipv4 of nat64.bib[0]", POOL4 + """
                        [[nat64.bib]]
                        protocol = "tcp"
                        ipv6 = "[2001:db8::5]:80"
                        ipv4 = "192.0.2.2:80"
                        [[nat64.bib]]
                        protocol = "tcp"
                        ipv6 = "[2001:db8::6]:80"
                        ipv4 = "192.0.2.2:80"
                        """),
                Arguments.of("unknown key", 3, "nat64.udp-timout", "did you mean \"udp-timeout\"",
                        "udp-timout = 300\n" + POOL4),
                Arguments.of("port blocks without subscribers", 5, "nat64.port-blocks", "missing key \"subscribers\"",
                        POOL4 + """
                        [nat64.port-blocks]
                        subscriber-length = 56
                        """),
                Arguments.of("too many subscribers for pool4", 5, "nat64.port-blocks", "port blocks of 2048", POOL4 + """
                        [nat64.port-blocks]
                        subscribers = "2001:db8::/48"
                        subscriber-length = 56
                        """),
                Arguments.of("block size not a power of two", 8, "nat64.port-blocks.size", "", POOL4 + """
                        [nat64.port-blocks]
                        subscribers = "2001:db8::/48"
                        subscriber-length = 52
                        size = 1000
                        """),
                Arguments.of("two subscriber lengths", 3, "nat64.subscriber-length", "differs", "subscriber-length = 64\n"
                        + POOL4 + """
                        [nat64.port-blocks]
                        subscribers = "2001:db8::/48"
                        subscriber-length = 52
                        """),
                Arguments.of("no ports per subscriber", 3, "nat64.max-ports-per-subscriber", "out of range 1..",
                        "max-ports-per-subscriber = 0\n" + POOL4),
                Arguments.of("ports per subscriber a word", 3, "nat64.max-ports-per-subscriber", "",
                        "max-ports-per-subscriber = \"many\"\n" + POOL4),
                Arguments.of("ftp alg port 0", 3, "nat64.alg-ftp-ports[1]", "0 is out of range 1..65535",
                        "alg-ftp-ports = [21, 0]\n" + POOL4),
                Arguments.of("ftp alg port a word", 3, "nat64.alg-ftp-ports[0]", "expected an integer",
                        "alg-ftp-ports = [\"ftp\"]\n" + POOL4),
                Arguments.of("ftp alg port twice", 3, "nat64.alg-ftp-ports[1]", "port 21 is also nat64.alg-ftp-ports[0]",
                        "alg-ftp-ports = [21, 21]\n" + POOL4),
                Arguments.of("ftp alg ports not a list", 3, "nat64.alg-ftp-ports", "expected an array",
                        "alg-ftp-ports = 21\n" + POOL4),
                Arguments.of("log without file", 5, "nat64.log", "missing key \"file\"", POOL4 + """
                        [nat64.log]
                        mode = "blocks"
                        """),
                Arguments.of("unknown log mode", 6, "nat64.log.mode", "", POOL4 + """
                        [nat64.log]
                        mode = "everything"
                        file = "/var/log/isthmus/nat64.jsonl"
                        """),
                Arguments.of("negative flush window", 7, "nat64.log.flush-interval-ms", "out of range 0..10000", POOL4 + """
                        [nat64.log]
                        file = "/var/log/isthmus/nat64.jsonl"
                        flush-interval-ms = -1
                        """),
                Arguments.of("flush window too long", 7, "nat64.log.flush-interval-ms", "out of range 0..10000", POOL4 + """
                        [nat64.log]
                        file = "/var/log/isthmus/nat64.jsonl"
                        flush-interval-ms = 60000
                        """),
                Arguments.of("flush window not an integer", 7, "nat64.log.flush-interval-ms", "", POOL4 + """
                        [nat64.log]
                        file = "/var/log/isthmus/nat64.jsonl"
                        flush-interval-ms = "1s"
                        """),
                Arguments.of("with [siit]", 1, "nat64", "cannot both be set", POOL4 + """
                        [siit]
                        pool6 = "2001:db8:64::/96"
                        """),
                // The translator keys, checked as under [siit] (TranslatorKeys).
                Arguments.of("ipv4-mtu below RFC 791's 68", 3, "nat64.ipv4-mtu", "out of range 68..65535",
                        "ipv4-mtu = 40\n" + POOL4),
                Arguments.of("ipv6-mtu below RFC 8200's 1280", 3, "nat64.ipv6-mtu", "out of range 1280..65535",
                        "ipv6-mtu = 1200\n" + POOL4),
                Arguments.of("lowest-ipv6-mtu below 1280", 3, "nat64.lowest-ipv6-mtu", "out of range 1280..65535",
                        "lowest-ipv6-mtu = 576\n" + POOL4),
                Arguments.of("tos above a byte", 3, "nat64.tos", "out of range 0..255", "tos = 256\n" + POOL4),
                Arguments.of("traffic-class a word", 3, "nat64.traffic-class", "expected \"copy\" or an integer",
                        "traffic-class = \"zero\"\n" + POOL4),
                Arguments.of("plateau out of range", 3, "nat64.mtu-plateaus[1]", "out of range 68..65535",
                        "mtu-plateaus = [1500, 20]\n" + POOL4),
                Arguments.of("udp-zero-checksum unknown", 3, "nat64.udp-zero-checksum", "",
                        "udp-zero-checksum = \"fix\"\n" + POOL4),
                Arguments.of("rfc6791v6 multicast", 3, "nat64.rfc6791v6", "cannot be a source address",
                        "rfc6791v6 = \"ff02::1\"\n" + POOL4),
                // EAM hairpinning and the RFC 6791 IPv4 pool stay [siit] keys (TranslatorKeys says why).
                Arguments.of("eam-hairpin is [siit]'s", 3, "nat64.eam-hairpin", "belongs under [siit]",
                        "eam-hairpin = \"simple\"\n" + POOL4),
                Arguments.of("rfc6791v4 is [siit]'s", 3, "nat64.rfc6791v4", "belongs under [siit]",
                        "rfc6791v4 = \"203.0.113.8\"\n" + POOL4));
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
