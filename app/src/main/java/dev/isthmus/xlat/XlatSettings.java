package dev.isthmus.xlat;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;

/**
 * Everything the stateless translator needs to know, fixed for the translator's lifetime.
 *
 * <p>The knobs are RFC 7915's "configurable" points; the link facts ({@code ipv4Mtu},
 * {@code ipv6Mtu}, own addresses) are what the live data plane learns from the system and what
 * offline translation takes from the config.
 *
 * @param pool6 RFC 6052 prefix; {@code null} when only explicit mappings are configured
 * @param eam explicit address mappings, RFC 7757 (may be empty, never null)
 * @param rfc6791v4 IPv4 sources for ICMPv4 errors whose IPv6 source cannot be translated
 *     (RFC 6791 / RFC 7915 §5.1); empty means "use {@code ownIpv4}"
 * @param rfc6791v6 IPv6 source for ICMPv6 errors whose IPv4 source cannot be translated;
 *     {@code null} means "use {@code ownIpv6}"
 * @param tos IPv4 TOS for 6→4, or -1 to copy the Traffic Class (RFC 7915 §5.1)
 * @param trafficClass IPv6 Traffic Class for 4→6, or -1 to copy the TOS (RFC 7915 §4.1)
 * @param udpZeroChecksumCompute 4→6 UDP with checksum 0: compute it (true) or drop and log
 *     (false, the default), RFC 7915 §4.5
 * @param lowestIpv6Mtu the smallest MTU on the IPv6 side; larger IPv4 DF=0 packets are
 *     fragmented to it (RFC 7915 §4.1, default 1280)
 * @param mtuPlateaus descending RFC 1191 plateaus, used when an ICMPv4 Fragmentation Needed
 *     carries MTU 0 (RFC 7915 §4.2)
 * @param ipv4Mtu MTU of the link the translated IPv4 packets leave on
 * @param ipv6Mtu MTU of the link the translated IPv6 packets leave on
 * @param ownIpv4 the translator's IPv4 address, source of the ICMPv4 errors it originates
 * @param ownIpv6 the translator's IPv6 address, source of the ICMPv6 errors it originates
 * @param hairpin RFC 7757 §4.2 hairpinning mode
 * @param icmpErrors whether the translator originates ICMP errors at all (RFC 7915 §4.4/§5.4)
 * @param icmpErrorsPerSecond rate limit of originated ICMP errors (0 = unlimited)
 */
public record XlatSettings(
        Rfc6052Prefix pool6,
        EamTable eam,
        Ipv4Pool rfc6791v4,
        Ipv6Address rfc6791v6,
        int tos,
        int trafficClass,
        boolean udpZeroChecksumCompute,
        int lowestIpv6Mtu,
        int[] mtuPlateaus,
        int ipv4Mtu,
        int ipv6Mtu,
        int ownIpv4,
        Ipv6Address ownIpv6,
        HairpinMode hairpin,
        boolean icmpErrors,
        int icmpErrorsPerSecond) {

    /** RFC 1191 §7 table of plateaus, highest first. */
    public static final int[] RFC1191_PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    /** RFC 7600: 192.0.0.8, the IPv4 dummy address, when no IPv4 address is configured. */
    public static final int IPV4_DUMMY_ADDRESS = 0xc0000008;

    /** RFC 7757 §4.2 hairpinning of EAM-mapped IPv6 nodes reached through pool6. */
    public enum HairpinMode {
        OFF,
        /** §4.2.1: hairpin when the translated IPv4 destination matches an EAM. */
        SIMPLE,
        /** §4.2.2: decide while translating 6→4 (destination via RFC 6052, result in the EAMT). */
        INTRINSIC;

        /**
         * Whether a 6→4 packet (not an ICMP error) goes back through 4→6: its destination was mapped
         * by {@code dstKind} to an IPv4 address that {@code dstIsEam4} says is the IPv4 side of an
         * EAM entry.
         */
        boolean hairpins(MappingKind dstKind, boolean dstIsEam4) {
            return this == SIMPLE ? dstIsEam4 : this == INTRINSIC && dstKind == MappingKind.POOL6 && dstIsEam4;
        }
    }
}
