package dev.isthmus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Rfc6052Prefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An IPv6 destination that this process's translator carries to IPv4 is judged by the IPv4 address
 * it reaches (RFC 6052 §2.3 extraction, RFC 7757 §3.3 EAM first): otherwise writing the address
 * in its pool6 form would get past every rule.
 */
class DestinationPolicyTest {
    /** The lab's network-specific prefix, an EAM row and the well-known prefix (RFC 6052 §2.1). */
    static final TranslatedPrefixes TRANSLATED = new TranslatedPrefixes(
            List.of(Rfc6052Prefix.parse("2001:db8:64::/96"), Rfc6052Prefix.parse("64:ff9b::/96")),
            new EamTable(List.of(EamTable.Eam.parse("169.254.169.0/24", "2001:db8:e::/120"))));
    /** The gateway's own addresses, as its interfaces would list them. */
    static final LocalAddresses OWN = new LocalAddresses(() -> Set.of(a("198.51.100.1"), a("2001:db8:64::c633:6402")));

    static InetAddress a(String s) {
        return InetAddress.ofLiteral(s);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // RFC 6052 §2.4's /96 layout: the last 32 bits are the IPv4 address.
        "2001:db8:64::a9fe:a9fe| translated to 169.254.169.254 by pool6 2001:db8:64::/96: link-local",
        "2001:db8:64::7f00:1   | translated to 127.0.0.1 by pool6 2001:db8:64::/96: loopback",
        "2001:db8:64::e000:1   | translated to 224.0.0.1 by pool6 2001:db8:64::/96: multicast",
        "2001:db8:64::c633:6401| translated to 198.51.100.1 by pool6 2001:db8:64::/96: the gateway's own address",
        // The IPv4-translated form of the gateway's own IPv6 address: refused as itself.
        "2001:db8:64::c633:6402| the gateway's own address",
        // RFC 7757 §3.3: the EAM row's suffix copied bit for bit.
        "2001:db8:e::fe        | translated to 169.254.169.254 by EAM 169.254.169.0/24 <-> 2001:db8:e::/120: link-local",
        // RFC 6052 §3.1: the well-known prefix stands for global IPv4 addresses only.
        "64:ff9b::c000:201     | translated to 192.0.2.1 by pool6 64:ff9b::/96: not global, and the well-known prefix"
                + " stands for global addresses only (RFC 6052 §3.1)",
    })
    void aTranslatedDestinationIsJudgedByTheIpv4AddressItReaches(String address, String why) {
        DestinationPolicy p = new DestinationPolicy(AddressSet.NONE, false, OWN, TRANSLATED);
        assertEquals(why.strip(), p.refusal(a(address.strip())));
    }

    @Test
    void aTranslatedDestinationThatReachesAnAllowedAddressPasses() {
        DestinationPolicy p = new DestinationPolicy(AddressSet.NONE, false, OWN, TRANSLATED);
        assertNull(p.refusal(a("2001:db8:64::c000:221")), "192.0.2.33 through the network-specific prefix");
        DestinationPolicy allowing = new DestinationPolicy(AddressSet.parse(List.of("169.254.169.254")), false, OWN,
                TRANSLATED);
        assertNull(allowing.refusal(a("2001:db8:64::a9fe:a9fe")), "allow-destinations names the IPv4 address");
    }

    @Test
    void anEamRowInsidePool6WinsAsInTheTranslator() {
        // RFC 7757 §3.3 (and RFC 7915 §6): the EAM table is consulted before pool6, so this address
        // reaches 192.0.2.254, not the 169.254.169.254 that pool6 alone would extract.
        TranslatedPrefixes t = new TranslatedPrefixes(List.of(Rfc6052Prefix.parse("2001:db8:64::/96")),
                new EamTable(List.of(EamTable.Eam.parse("192.0.2.0/24", "2001:db8:64::a9fe:a900/120"))));
        DestinationPolicy p = new DestinationPolicy(AddressSet.NONE, false, OWN, t);
        assertEquals("192.0.2.254", t.translate(a("2001:db8:64::a9fe:a9fe")).ipv4().getHostAddress());
        assertNull(p.refusal(a("2001:db8:64::a9fe:a9fe")));
    }

    @Test
    void withoutATranslatorAPool6AddressIsAnOrdinaryIpv6Address() {
        DestinationPolicy p = new DestinationPolicy(AddressSet.NONE, false, OWN);
        assertNull(p.refusal(a("2001:db8:64::a9fe:a9fe")));
    }
}
