package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.EamTable.Eam;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pair memo of the 6→4 common path agrees with {@link AddressMapper} and keeps only what that path may translate. */
class Flow64MemoTest {
    private static final String CLIENT6 = "2001:db8:6::5";
    private static final String SERVER6 = "2001:db8:64::c000:221";

    private static AddressMapper mapper() {
        return new AddressMapper(Rfc6052Prefix.parse("2001:db8:64::/96"), new EamTable(List.of(
                Eam.parse("198.51.100.0/24", "2001:db8:6::/120"),
                Eam.parse("203.0.113.0/24", "2001:db8:7::/120"))));
    }

    private static boolean map(Flow64Memo memo, String src, String dst) {
        Ipv6Address s = Ipv6Address.parse(src);
        Ipv6Address d = Ipv6Address.parse(dst);
        return memo.map(s.hi(), s.lo(), d.hi(), d.lo());
    }

    @Test
    void aPairMapsAsTheMapperDoesAndAgainFromTheMemo() {
        Flow64Memo memo = new Flow64Memo(mapper(), XlatSettings.HairpinMode.OFF);
        Ipv6Address s = Ipv6Address.parse(CLIENT6);
        Ipv6Address d = Ipv6Address.parse(SERVER6);
        // RFC 1624 eqn. 3 terms: the IPv6 addresses leave the pseudo-header, the IPv4 ones enter it.
        long v6 = Checksum.add64(s.hi(), Checksum.add64(s.lo(), Checksum.add64(d.hi(), Checksum.add64(d.lo(), 0))));
        int s4 = Ipv4Address.parse("198.51.100.5");
        int d4 = Ipv4Address.parse("192.0.2.33");
        int delta = Checksum.delta(v6, Checksum.add32(s4, Checksum.add32(d4, 0)));
        for (int round = 0; round < 2; round++) {
            assertTrue(map(memo, CLIENT6, SERVER6));
            assertEquals(s4, memo.src4);
            assertEquals(d4, memo.dst4);
            assertEquals(delta, memo.checksumDelta);
            Trace trace = new Trace();
            memo.trace(trace);
            assertEquals(MappingKind.EAM, trace.sourceMapping());
            assertEquals(0, trace.sourceEam());
            assertEquals(MappingKind.POOL6, trace.destinationMapping());
            assertEquals(-1, trace.destinationEam());
        }
    }

    @Test
    void pairsThatShareSlotsStayApart() {
        AddressMapper reference = mapper();
        Flow64Memo memo = new Flow64Memo(mapper(), XlatSettings.HairpinMode.OFF);
        for (int round = 0; round < 3; round++) {
            for (int client = 0; client < 256; client += 3) {
                for (int server = 1; server < 255; server += 17) {
                    String src = "2001:db8:6::" + Integer.toHexString(client);
                    String dst = "2001:db8:64::c000:2" + String.format("%02x", server);
                    assertTrue(map(memo, src, dst), src + " → " + dst);
                    assertTrue(reference.map64(Ipv6Address.parse(src).hi(), Ipv6Address.parse(src).lo()));
                    assertEquals(reference.v4, memo.src4, src);
                    assertTrue(reference.map64(Ipv6Address.parse(dst).hi(), Ipv6Address.parse(dst).lo()));
                    assertEquals(reference.v4, memo.dst4, dst);
                }
            }
        }
    }

    /** Each of these is the full path's to answer (drop, ICMPv6 error or hairpin), never the memo's. */
    @ParameterizedTest
    @CsvSource({
        // RFC 7915 §1.2: IPv6 multicast destination
        "2001:db8:6::5, ff0e::1, OFF",
        // no rule covers the destination (RFC 7915 §5.4)
        "2001:db8:6::5, 2001:db8:99::1, OFF",
        // the destination maps to IPv4 limited broadcast (§1.2)
        "2001:db8:6::5, 2001:db8:64::ffff:ffff, OFF",
        // the destination maps to IPv4 multicast 224.0.0.1
        "2001:db8:6::5, 2001:db8:64::e000:1, OFF",
        // no rule covers the source (§5.1: Destination Unreachable 1/5)
        "2001:db8:99::1, 2001:db8:64::c000:221, OFF",
        // the source maps to 127.0.0.1, an illegal source (§5.1, RFC 1812 §5.3.7)
        "2001:db8:64::7f00:1, 2001:db8:64::c000:221, OFF",
        // RFC 7757 §4.2.1/§4.2.2: the destination hairpins
        "2001:db8:6::5, 2001:db8:64::cb00:7107, SIMPLE",
        "2001:db8:6::5, 2001:db8:64::cb00:7107, INTRINSIC",
    })
    void pairsTheCommonPathMustNotTakeMiss(String src, String dst, XlatSettings.HairpinMode hairpin) {
        Flow64Memo memo = new Flow64Memo(mapper(), hairpin);
        assertFalse(map(memo, src, dst));
        assertFalse(map(memo, src, dst));
        assertTrue(map(memo, CLIENT6, SERVER6), "a good pair still maps after a refusal");
    }
}
