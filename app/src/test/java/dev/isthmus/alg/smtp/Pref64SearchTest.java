package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 7050 §3 over RFC 6052 §2.4's table of prefixes, with the well-known addresses
 * 192.0.0.170 (c000:00aa) and 192.0.0.171 (c000:00ab) in place of the table's 192.0.2.33.
 */
class Pref64SearchTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # the synthesized AAAA of ipv4only.arpa | the prefix it was made with
            64:ff9b::c000:aa                         | 64:ff9b::/96
            64:ff9b::c000:ab                         | 64:ff9b::/96
            # /32: the WKA in bits 32-63
            2001:db8:c000:aa::                       | 2001:db8::/32
            # /40: c0 00 00 in bits 40-63, the u-octet, aa in bits 72-79
            2001:db8:1c0:0:aa::                      | 2001:db8:100::/40
            # /48: c0 00 | u | 00 aa
            2001:db8:122:c000:0:aa00::               | 2001:db8:122::/48
            2001:db8:122:c000:0:ab00::               | 2001:db8:122::/48
            # /56: c0 | u | 00 00 aa
            2001:db8:122:3c0:0:aa::                  | 2001:db8:122:300::/56
            # /64: u | c0 00 00 aa (bits 72-103), the u-octet zero before it
            2001:db8:122:344:c0:0:aa00:0             | 2001:db8:122:344::/64
            2001:db8:122:344:c0:0:ab00:0             | 2001:db8:122:344::/64
            # /96 network-specific prefix
            2001:db8:122:344::c000:aa                | 2001:db8:122:344::/96
            2001:db8:64:ff9b::c000:ab                | 2001:db8:64:ff9b::/96
            """)
    void theWkaAtOnePositionGivesThePrefix(String address, String prefix) {
        assertEquals(new Pref64Search.Found(Rfc6052Prefix.parse(prefix)), Pref64Search.search(Ipv6Address.parse(address)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # an ordinary address: no WKA anywhere
            2001:db8::1
            # another IPv4 address embedded (192.0.2.33, RFC 6052 §2.4): not ipv4only.arpa's
            64:ff9b::c000:221
            # the /64 form with the u-octet not zero (RFC 6052 §2.2 wants it zero in every format)
            2001:db8:122:344:1c0:0:aa00:0
            # the Well-Known Prefix is a /96 only (RFC 6052 §2.1): not a /32 with the WKA after it
            64:ff9b:c000:aa::
            # multicast cannot be a Pref64
            ff0e::c000:aa
            """)
    void noWkaNoPrefix(String address) {
        assertEquals(new Pref64Search.NotFound(), Pref64Search.search(Ipv6Address.parse(address)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # a /96 whose own bits 32-63 spell 192.0.0.170: /32 or /96?
            2001:db8:c000:aa::c000:aa | 2001:db8::/32, 2001:db8:c000:aa::/96
            2001:db8:c000:aa::c000:ab | 2001:db8::/32, 2001:db8:c000:aa::/96
            """)
    void theWkaAtSeveralPositionsIsNotGuessed(String address, String candidates) {
        List<Rfc6052Prefix> expected = List.of(candidates.split(", ")).stream().map(Rfc6052Prefix::parse).toList();
        assertEquals(new Pref64Search.Ambiguous(expected), Pref64Search.search(Ipv6Address.parse(address)));
    }
}
