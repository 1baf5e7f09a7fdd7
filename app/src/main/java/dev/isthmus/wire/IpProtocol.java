package dev.isthmus.wire;

/** IANA protocol numbers (IPv4 Protocol / IPv6 Next Header) that the translator reasons about. */
public final class IpProtocol {
    public static final int HOPOPTS = 0;
    public static final int ICMP = 1;
    public static final int IGMP = 2;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int IPV6 = 41;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ESP = 50;
    public static final int AH = 51;
    public static final int ICMPV6 = 58;
    public static final int NONE = 59;
    public static final int DSTOPTS = 60;
    public static final int MOBILITY = 135;
    public static final int HIP = 139;
    public static final int SHIM6 = 140;

    private IpProtocol() {}

    /**
     * IPv6 extension headers with the generic (next header, length in 8-octet units) layout that a
     * translator skips (RFC 7915 §5.1: Hop-by-Hop, Routing, Destination Options).
     */
    public static boolean isSkippableExtension(int nh) {
        return nh == HOPOPTS || nh == ROUTING || nh == DSTOPTS;
    }

    /** Any IPv6 extension header from the RFC 8200 / IANA list, including the Fragment Header. */
    public static boolean isExtension(int nh) {
        return nh == HOPOPTS || nh == ROUTING || nh == FRAGMENT || nh == DSTOPTS || nh == AH
                || nh == ESP || nh == MOBILITY || nh == HIP || nh == SHIM6;
    }

    public static String name(int p) {
        return switch (p) {
            case HOPOPTS -> "HOPOPT";
            case ICMP -> "ICMP";
            case IGMP -> "IGMP";
            case TCP -> "TCP";
            case UDP -> "UDP";
            case IPV6 -> "IPv6";
            case ROUTING -> "IPv6-Route";
            case FRAGMENT -> "IPv6-Frag";
            case ESP -> "ESP";
            case AH -> "AH";
            case ICMPV6 -> "ICMPv6";
            case NONE -> "IPv6-NoNxt";
            case DSTOPTS -> "IPv6-Opts";
            default -> "proto-" + p;
        };
    }
}
