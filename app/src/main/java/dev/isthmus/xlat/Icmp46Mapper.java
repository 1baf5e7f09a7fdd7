package dev.isthmus.xlat;

/**
 * ICMPv4 → ICMPv6 type, code, pointer and MTU tables, RFC 7915 §4.2.
 *
 * <p>Pure functions over ints; {@link #error} packs its results into one {@code long} so the hot
 * path allocates nothing: type in bits 40-47, code in bits 32-39, the second 32-bit word of the
 * ICMPv6 header (pointer or MTU; the RFC 4884 length is added by the caller) in bits 0-31.
 */
final class Icmp46Mapper {
    /** The ICMPv4 type/code has no ICMPv6 counterpart: silently drop (RFC 7915 §4.2). */
    static final long UNSUPPORTED_TYPE = -1;
    /** A Parameter Problem pointer with no IPv6 counterpart ("n/a" or unlisted in §4.2 Figure 3). */
    static final long UNSUPPORTED_POINTER = -2;
    /** The error needs the packet in error's fields ({@link #packetTooBigMtu}): Fragmentation Needed. */
    static final int PACKET_TOO_BIG = 2;

    /** RFC 8200 §5: no IPv6 link is smaller, so no Packet Too Big may report less. */
    static final int IPV6_MIN_MTU = 1280;
    /** IPv6 header 20 bytes larger than the option-less IPv4 one; 8 more with a Fragment Header. */
    private static final int HEADER_DELTA = 20;
    private static final int FRAGMENT_HEADER = 8;

    private Icmp46Mapper() {}

    static int type(long mapped) {
        return (int) (mapped >>> 40) & 0xff;
    }

    static int code(long mapped) {
        return (int) (mapped >>> 32) & 0xff;
    }

    static int rest(long mapped) {
        return (int) mapped;
    }

    static long pack(int type, int code, int rest) {
        return (long) type << 40 | (long) code << 32 | (rest & 0xffff_ffffL);
    }

    /** RFC 7915 §4.2 "ICMPv4 query messages": Echo 8 → 128, Echo Reply 0 → 129; -1 otherwise. */
    static int echoType(int type4) {
        return type4 == 8 ? 128 : type4 == 0 ? 129 : -1;
    }

    /** ICMPv4 error types this translator knows how to translate (§4.2): 3, 11, 12. */
    static boolean isTranslatableError(int type4) {
        return type4 == 3 || type4 == 11 || type4 == 12;
    }

    /**
     * RFC 792 / RFC 1812 §4.3.2: the ICMPv4 error types (an error about one of these must not
     * exist, RFC 7915 §4.3, RFC 1812 §4.3.2.7): Destination Unreachable 3, Source Quench 4,
     * Redirect 5, Time Exceeded 11, Parameter Problem 12.
     */
    static boolean isError(int type4) {
        return type4 == 3 || type4 == 4 || type4 == 5 || type4 == 11 || type4 == 12;
    }

    /**
     * RFC 4884 §4.1/§4.2: the ICMPv6 errors with a length attribute are Destination Unreachable (1)
     * and Time Exceeded (3); Packet Too Big and Parameter Problem use the whole second word.
     */
    static boolean carriesLength(int type6) {
        return type6 == 1 || type6 == 3;
    }

    /**
     * RFC 4884 §4.1: ICMPv4 Destination Unreachable, Time Exceeded and Parameter Problem carry a
     * length attribute in their sixth octet (32-bit words).
     */
    static boolean carriesLength4(int type4) {
        return type4 == 3 || type4 == 11 || type4 == 12;
    }

    /**
     * Maps an ICMPv4 error (type 3, 11 or 12), RFC 7915 §4.2. For Fragmentation Needed (3/4) the
     * result's rest is left 0: the caller computes the MTU with {@link #packetTooBigMtu}, which
     * needs the packet in error.
     *
     * @param rest4 the second word of the ICMPv4 header (pointer, unused, MTU)
     * @return the packed result, or {@link #UNSUPPORTED_TYPE} / {@link #UNSUPPORTED_POINTER}
     */
    static long error(int type4, int code4, int rest4) {
        switch (type4) {
            case 3: {
                // Destination Unreachable → Type 1 (or, for codes 2 and 4, Types 4 and 2).
                return switch (code4) {
                    // 0, 1 net/host unreachable; 5 source route failed; 6, 7 net/host unknown;
                    // 8 source host isolated; 11, 12 net/host unreachable for TOS → 0 (no route).
                    case 0, 1, 5, 6, 7, 8, 11, 12 -> pack(1, 0, 0);
                    // 2 protocol unreachable → Parameter Problem 4/1, "make the Pointer point to
                    // the IPv6 Next Header field (which is 6)".
                    case 2 -> pack(4, 1, 6);
                    // 3 port unreachable → 4 (port unreachable).
                    case 3 -> pack(1, 4, 0);
                    // 4 fragmentation needed and DF set → Packet Too Big 2/0.
                    case 4 -> pack(PACKET_TOO_BIG, 0, 0);
                    // 9, 10 net/host administratively prohibited; 13 communication
                    // administratively prohibited; 15 precedence cutoff → 1 (administratively
                    // prohibited).
                    case 9, 10, 13, 15 -> pack(1, 1, 0);
                    // 14 host precedence violation, and unknown codes: silently drop.
                    default -> UNSUPPORTED_TYPE;
                };
            }
            case 11:
                // Time Exceeded → Type 3, "The Code is unchanged". Only codes 0 (TTL) and 1
                // (reassembly) exist in both (RFC 792, RFC 4443 §3.3); any other code has no
                // meaning in ICMPv6 and is dropped like an unknown code.
                return code4 <= 1 ? pack(3, code4, 0) : UNSUPPORTED_TYPE;
            case 12:
                // Parameter Problem → Type 4 Code 0 for codes 0 (pointer indicates the error) and
                // 2 (bad length), with the pointer of Figure 3; code 1 (missing a required
                // option) and other codes are silently dropped.
                if (code4 == 0 || code4 == 2) {
                    int p = pointer(rest4 >>> 24);
                    return p < 0 ? UNSUPPORTED_POINTER : pack(4, 0, p);
                }
                return UNSUPPORTED_TYPE;
            default:
                // Source Quench 4, Redirect 5, Alternative Host Address 6, Router Advertisement
                // and Solicitation 9/10, Timestamp 13/14, Information 15/16, Address Mask 17/18
                // and unknown types: silently drop.
                return UNSUPPORTED_TYPE;
        }
    }

    /**
     * RFC 7915 §4.2 Figure 3, IPv4 → IPv6 Parameter Problem pointer: 0 (version/IHL) → 0, 1 (TOS)
     * → 1, 2-3 (total length) → 4, 8 (TTL) → 7, 9 (protocol) → 6, 12-15 (source) → 8, 16-19
     * (destination) → 24; identification, flags/offset, header checksum ("n/a") and anything past
     * the fixed header (not listed) → -1.
     */
    static int pointer(int p4) {
        return switch (p4) {
            case 0 -> 0;
            case 1 -> 1;
            case 2, 3 -> 4;
            case 8 -> 7;
            case 9 -> 6;
            case 12, 13, 14, 15 -> 8;
            case 16, 17, 18, 19 -> 24;
            default -> -1;
        };
    }

    /**
     * RFC 7915 §4.2 Code 4: the Packet Too Big MTU for an ICMPv4 Fragmentation Needed reporting
     * next-hop MTU {@code reported}. "The MTU field MUST be adjusted for the difference between the
     * IPv4 and IPv6 header sizes, taking into account whether or not the packet in error includes
     * a Fragment Header, i.e., minimum(advertised MTU+20, MTU_of_IPv6_nexthop,
     * (MTU_of_IPv4_nexthop)+20)" — +28 when the translated packet in error carries a Fragment
     * Header. A router that predates RFC 1191 reports 0: then "the translator MUST use the plateau
     * values specified in [RFC1191] ... (Use the greatest plateau value that is less than the
     * returned Total Length field, but that is larger than or equal to 1280.)" The result is never
     * below 1280 (RFC 8200 §5) and fits the 32-bit field.
     *
     * @param innerTotalLength Total Length of the packet in error (its header field, not what the
     *     error quotes of it)
     * @param plateaus RFC 1191 plateaus, highest first
     */
    static int packetTooBigMtu(int reported, int innerTotalLength, boolean fragmentHeader, int ipv4Mtu,
            int ipv6Mtu, int[] plateaus) {
        long m = reported & 0xffff;
        if (m == 0) {
            m = IPV6_MIN_MTU;
            for (int p : plateaus) {
                if (p < innerTotalLength) {
                    m = Math.max(p, IPV6_MIN_MTU);
                    break;
                }
            }
        }
        int delta = HEADER_DELTA + (fragmentHeader ? FRAGMENT_HEADER : 0);
        long r = Math.min(m + delta, Math.min(ipv6Mtu & 0xffff_ffffL, (ipv4Mtu & 0xffff_ffffL) + delta));
        return (int) Math.max(IPV6_MIN_MTU, r);
    }
}
