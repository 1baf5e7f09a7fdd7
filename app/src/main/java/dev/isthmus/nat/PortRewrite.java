package dev.isthmus.nat;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import java.lang.foreign.MemorySegment;

/**
 * The port half of NAPT on a packet the stateless translator has already translated: one 16-bit
 * port or ICMP identifier replaced, and the checksums that cover it updated incrementally
 * (RFC 1624). Addresses are the stateless translator's; it already fixed the checksums for them.
 */
final class PortRewrite {
    private PortRewrite() {
    }

    /**
     * Replaces the 16-bit field at {@code field} with {@code value} and updates the checksum at
     * {@code checksumAt} (none when negative). Returns the RFC 1624 delta of the whole change,
     * field and checksum, for a checksum that covers both (the outer ICMP checksum of an error).
     *
     * @param udp a UDP checksum: zero means "none" and stays zero; a computed zero is sent as
     *     all ones (RFC 768)
     */
    static int rewrite(MemorySegment s, int field, int value, int checksumAt, boolean udp) {
        int old = BigEndian.u16(s, field);
        BigEndian.set16(s, field, value);
        int delta = Checksum.delta(old, value);
        if (checksumAt < 0) {
            return delta;
        }
        int c = BigEndian.u16(s, checksumAt);
        if (udp && c == 0) {
            return delta;
        }
        int c2 = Checksum.applyDelta(c, delta);
        if (udp && c2 == 0) {
            c2 = 0xffff;
        }
        BigEndian.set16(s, checksumAt, c2);
        return Checksum.fold((long) delta + Checksum.delta(c, c2));
    }

    /** Where the transport checksum sits in a header of {@code protocol} at {@code l4}, or -1. */
    static int checksumAt(int protocol, int l4) {
        return switch (protocol) {
            case IpProtocol.TCP -> l4 + 16;
            case IpProtocol.UDP -> l4 + 6;
            case IpProtocol.ICMP, IpProtocol.ICMPV6 -> l4 + 2;
            default -> -1;
        };
    }

    /**
     * Where the NATed port sits: the source port for {@code source}, else the destination port;
     * for ICMP queries the identifier, which is both (RFC 6146 §3.5.3: i1 → i2).
     */
    static int portAt(int protocol, int l4, boolean source) {
        if (protocol == IpProtocol.ICMP || protocol == IpProtocol.ICMPV6) {
            return l4 + 4;
        }
        return source ? l4 : l4 + 2;
    }
}
