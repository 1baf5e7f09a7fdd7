package dev.isthmus.xlat;

/**
 * ICMPv6 → ICMPv4 type, code, pointer and MTU tables, RFC 7915 §5.2.
 *
 * <p>Pure functions over ints; {@link #error} packs its three results into one {@code long} so the
 * hot path allocates nothing: type in bits 40-47, code in bits 32-39, the second 32-bit word of
 * the ICMPv4 header (pointer or MTU; the RFC 4884 length is added by the caller) in bits 0-31.
 */
final class Icmp64Mapper {
    /** The ICMPv6 type/code has no ICMPv4 counterpart: silently drop (RFC 7915 §5.2). */
    static final long UNSUPPORTED_TYPE = -1;
    /** A Parameter Problem pointer with no IPv4 counterpart ("n/a" in RFC 7915 §5.2 Figure 6). */
    static final long UNSUPPORTED_POINTER = -2;

    /** IPv4 header 20 bytes smaller than IPv6; 8 more when the IPv6 packet had a Fragment Header. */
    private static final int HEADER_DELTA = 20;
    private static final int FRAGMENT_HEADER = 8;
    /** RFC 791: every IPv4 link carries 68 bytes; a smaller next-hop MTU is meaningless. */
    private static final int IPV4_MIN_MTU = 68;

    private Icmp64Mapper() {}

    static int type(long mapped) {
        return (int) (mapped >>> 40) & 0xff;
    }

    static int code(long mapped) {
        return (int) (mapped >>> 32) & 0xff;
    }

    static int rest(long mapped) {
        return (int) mapped;
    }

    private static long pack(int type, int code, int rest) {
        return (long) type << 40 | (long) code << 32 | (rest & 0xffff_ffffL);
    }

    /** RFC 7915 §5.2 "ICMPv6 informational messages": Echo Request 128 → 8, Echo Reply 129 → 0. */
    static int echoType(int type6) {
        return type6 == 128 ? 8 : type6 == 129 ? 0 : -1;
    }

    /**
     * RFC 4884 §4: the ICMPv6 errors with a length attribute (fifth octet, 64-bit words) are
     * Destination Unreachable (1) and Time Exceeded (3); their ICMPv4 counterparts (3, 11) carry it
     * in the sixth octet, in 32-bit words.
     */
    static boolean carriesLength(int type6) {
        return type6 == 1 || type6 == 3;
    }

    /**
     * Maps an ICMPv6 error message (type below 128) to ICMPv4, RFC 7915 §5.2.
     *
     * @param rest6 the second word of the ICMPv6 header (MTU, pointer, unused)
     * @param innerFragmentHeader whether the packet in error carries a Fragment Header (the PTB
     *     MTU then loses 28 bytes instead of 20, §5.2 "taking into account whether or not the
     *     packet in error includes a Fragment Header")
     * @param ipv4Mtu MTU of the IPv4 next hop
     * @param ipv6Mtu MTU of the IPv6 next hop
     * @return the packed result, or {@link #UNSUPPORTED_TYPE} / {@link #UNSUPPORTED_POINTER}
     */
    static long error(int type6, int code6, int rest6, boolean innerFragmentHeader, int ipv4Mtu, int ipv6Mtu) {
        switch (type6) {
            case 1: {
                // Destination Unreachable → Type 3: codes 0 (no route), 2 (beyond scope) and
                // 3 (address unreachable) → 1 (host unreachable); 1 (administratively prohibited)
                // → 10; 4 (port unreachable) → 3; anything else is silently dropped.
                int code4 = switch (code6) {
                    case 0, 2, 3 -> 1;
                    case 1 -> 10;
                    case 4 -> 3;
                    default -> -1;
                };
                return code4 < 0 ? UNSUPPORTED_TYPE : pack(3, code4, 0);
            }
            case 2:
                // Packet Too Big → Type 3 Code 4 with the MTU "adjusted for the difference
                // between the IPv4 and IPv6 header sizes, taking into account whether or not the
                // packet in error includes a Fragment Header, i.e., minimum(advertised MTU-20,
                // MTU_of_IPv4_nexthop, (MTU_of_IPv6_nexthop)-20)".
                return pack(3, 4, packetTooBigMtu(rest6 & 0xffff_ffffL, innerFragmentHeader, ipv4Mtu, ipv6Mtu));
            case 3:
                // Time Exceeded → Type 11, "The Code is unchanged"; only codes 0 and 1 exist in
                // both (RFC 792, RFC 4443 §3.3).
                return code6 <= 1 ? pack(11, code6, 0) : UNSUPPORTED_TYPE;
            case 4:
                if (code6 == 0) {
                    // Erroneous header field → Parameter Problem 12/0 with the pointer of Figure 6.
                    int p = pointer(rest6 & 0xffff_ffffL);
                    return p < 0 ? UNSUPPORTED_POINTER : pack(12, 0, p << 24);
                }
                if (code6 == 1) {
                    // Unrecognized Next Header → Protocol Unreachable 3/2.
                    return pack(3, 2, 0);
                }
                // Code 2 (unrecognized option) and unknown codes: silently drop.
                return UNSUPPORTED_TYPE;
            default:
                // Unknown error types: silently drop.
                return UNSUPPORTED_TYPE;
        }
    }

    /**
     * RFC 7915 §5.2: the ICMPv4 next-hop MTU for an ICMPv6 Packet Too Big reporting {@code mtu6},
     * the least of what the three links allow once the header size difference (20, or 28 with a
     * Fragment Header) is taken off; kept within 68..65535 since the field is 16 bits wide and no
     * IPv4 link is smaller than 68 (RFC 791).
     */
    static int packetTooBigMtu(long mtu6, boolean fragmentHeader, int ipv4Mtu, int ipv6Mtu) {
        int delta = HEADER_DELTA + (fragmentHeader ? FRAGMENT_HEADER : 0);
        long m = Math.min(mtu6 - delta, Math.min(ipv4Mtu, (long) ipv6Mtu - delta));
        return (int) Math.max(IPV4_MIN_MTU, Math.min(0xffff, m));
    }

    /**
     * RFC 7915 §5.2 Figure 6, IPv6 → IPv4 Parameter Problem pointer: 0 (version/traffic class)
     * → 0, 1 (traffic class/flow label) → 1, 4-5 (payload length) → 2, 6 (next header) → 9,
     * 7 (hop limit) → 8, 8-23 (source) → 12, 24-39 (destination) → 16; 2-3 (flow label) and
     * anything beyond the fixed header are "n/a": -1.
     */
    static int pointer(long p6) {
        if (p6 == 0 || p6 == 1) {
            return (int) p6;
        }
        if (p6 == 4 || p6 == 5) {
            return 2;
        }
        if (p6 == 6) {
            return 9;
        }
        if (p6 == 7) {
            return 8;
        }
        if (p6 >= 8 && p6 <= 23) {
            return 12;
        }
        if (p6 >= 24 && p6 <= 39) {
            return 16;
        }
        return -1;
    }
}
