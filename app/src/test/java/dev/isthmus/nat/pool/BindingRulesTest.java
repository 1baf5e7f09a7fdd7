package dev.isthmus.nat.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one check of a binding that the config, {@code binding add} and the bindings file share. */
class BindingRulesTest {
    static final BindingRules RULES = new BindingRules(Ipv4Prefix.parse("192.0.2.128/29"),
            Ipv6Prefix.parse("2001:db8:64::/96"), List.of(Ipv6Prefix.parse("2001:db8:6::/120")));

    /** Each kind the issue found accepted, and the rest of RFC 4291's non-node addresses. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            2001:db8:6::9          | 192.0.2.130 | ipv6 | is covered by siit.eam[0].ipv6 2001:db8:6::/120
            2001:db8:64::c000:201  | 192.0.2.130 | ipv6 | is inside pool6 2001:db8:64::/96
            ::1                    | 192.0.2.130 | ipv6 | is the loopback address (RFC 4291 §2.5.3)
            ff02::1                | 192.0.2.130 | ipv6 | is a multicast address (RFC 4291 §2.7)
            ::                     | 192.0.2.130 | ipv6 | is the unspecified address (RFC 4291 §2.5.2)
            fe80::1                | 192.0.2.130 | ipv6 | is link-local (RFC 4291 §2.5.6)
            febf:ffff::1           | 192.0.2.130 | ipv6 | is link-local (RFC 4291 §2.5.6)
            ::ffff:198.51.100.1    | 192.0.2.130 | ipv6 | is IPv4-mapped (RFC 4291 §2.5.5.2)
            2001:db8:1::1          | 192.0.2.1   | ipv4 | 192.0.2.1 is not in the dynamic pool 192.0.2.128/29
            """)
    void eachKindIsRefusedWithItsReason(String ipv6, String ipv4, String field, String reason) {
        List<BindingRules.Refusal> r = RULES.check(Ipv6Address.parse(ipv6), Ipv4Address.parse(ipv4));
        assertEquals(1, r.size(), r::toString);
        assertEquals(field, r.getFirst().field());
        assertTrue(r.getFirst().reason().contains(reason), r.getFirst().reason());
        assertEquals(r.getFirst().reason(), RULES.refusal(Ipv6Address.parse(ipv6), Ipv4Address.parse(ipv4)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"2001:db8:1::1", "fec0::1", "fc00::1", "2001:db8:6::100", "2001:db8:64:0:1::1", "::2", "::fffe:0:1"})
    void nodeAddressesOutsideTheStatelessRulesAreAccepted(String ipv6) {
        assertNull(RULES.refusal(Ipv6Address.parse(ipv6), Ipv4Address.parse("192.0.2.135")));
    }

    @Test
    void everyBrokenRuleIsListed() {
        List<BindingRules.Refusal> r = new BindingRules(null, Ipv6Prefix.parse("ff00::/8"), List.of())
                .check(Ipv6Address.parse("ff02::1"), Ipv4Address.parse("192.0.2.1"));
        assertEquals(List.of("ipv6", "ipv6"), r.stream().map(BindingRules.Refusal::field).toList(),
                "multicast and inside pool6; no pool known, so no IPv4 rule");
    }
}
