package dev.isthmus.alg.smtp;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 7050 §3: the Pref64::/n a DNS64 used, read from its AAAA answer for {@code ipv4only.arpa}.
 * The answer is a well-known IPv4 address (WKA: 192.0.0.170 or 192.0.0.171, RFC 7050 §2)
 * embedded as RFC 6052 §2.2 says; where the WKA sits tells the prefix length:
 *
 * <pre>
 *  PL   bits 0 ............................ 63 | 64-71 | 72 ......................... 127
 *  32   prefix (32)      | WKA (32)             |   u   | suffix
 *  40   prefix (40)         | WKA 1st-3rd octet  |   u   | 4th octet | suffix
 *  48   prefix (48)            | WKA 1st-2nd     |   u   | 3rd-4th   | suffix
 *  56   prefix (56)               | 1st octet    |   u   | 2nd-4th   | suffix
 *  64   prefix (64)                             |   u   | WKA (32)  | suffix
 *  96   prefix (96)                                                 | WKA (32)
 * </pre>
 *
 * <p>Every position is tried; a WKA at exactly one of them gives the prefix. At none: not a
 * synthesized address. At more than one (the prefix itself holds the bytes of a WKA): RFC 7050
 * §3 has the node not guess, and neither does this; the caller looks at the other AAAA records
 * of the answer (the one with the other WKA is usually unambiguous).
 *
 * <p>Addresses come from outside (a DNS answer): every input gives a {@link Result}, no exception.
 */
final class Pref64Search {
    /** RFC 7050 §2: ipv4only.arpa's two A records, 192.0.0.170 and 192.0.0.171. */
    static final int WKA_170 = 0xc00000aa;
    static final int WKA_171 = 0xc00000ab;
    /** RFC 6052 §2.2's prefix lengths, the positions a WKA can sit at. */
    static final int[] LENGTHS = {32, 40, 48, 56, 64, 96};

    private Pref64Search() {}

    /** What one AAAA of ipv4only.arpa says. */
    sealed interface Result {}

    /** The WKA at one position: the DNS64's prefix. */
    record Found(Rfc6052Prefix prefix) implements Result {}

    /** No WKA at any position: not an address a DNS64 made from ipv4only.arpa's A records. */
    record NotFound() implements Result {}

    /** A WKA at several positions: which prefix was used cannot be told from this address. */
    record Ambiguous(List<Rfc6052Prefix> candidates) implements Result {}

    static Result search(Ipv6Address a) {
        if ((a.lo() >>> 56) != 0) {
            // RFC 6052 §2.2: bits 64-71 (the u-octet) are zero in every format, the /96 included.
            return new NotFound();
        }
        List<Rfc6052Prefix> at = new ArrayList<>(2);
        for (int length : LENGTHS) {
            Rfc6052Prefix p = prefix(a, length);
            if (p != null) {
                int v4 = p.extract(a.hi(), a.lo());
                if (v4 == WKA_170 || v4 == WKA_171) {
                    at.add(p);
                }
            }
        }
        return switch (at.size()) {
            case 0 -> new NotFound();
            case 1 -> new Found(at.getFirst());
            default -> new Ambiguous(List.copyOf(at));
        };
    }

    /** The first {@code length} bits of {@code a} as a Pref64::/n, or null when RFC 6052 rules it out there. */
    private static Rfc6052Prefix prefix(Ipv6Address a, int length) {
        try {
            return Rfc6052Prefix.of(Ipv6Prefix.of(a, length));
        } catch (IllegalArgumentException e) {
            // 64:ff9b:: at a length other than 96 (RFC 6052 §2.1), or multicast: no prefix at this position.
            return null;
        }
    }
}
