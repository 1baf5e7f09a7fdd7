package dev.isthmus.wire;

/** Names of ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) types and common codes, for humans. */
final class IcmpNames {
    private IcmpNames() {}

    static String name(boolean v6, int type, int code) {
        String t = v6 ? v6Type(type) : v4Type(type);
        return t + "/" + code;
    }

    private static String v4Type(int t) {
        return switch (t) {
            case 0 -> "echo-reply";
            case 3 -> "dest-unreachable";
            case 4 -> "source-quench";
            case 5 -> "redirect";
            case 8 -> "echo-request";
            case 11 -> "time-exceeded";
            case 12 -> "parameter-problem";
            case 13 -> "timestamp";
            case 14 -> "timestamp-reply";
            default -> "icmp-type-" + t;
        };
    }

    private static String v6Type(int t) {
        return switch (t) {
            case 1 -> "dest-unreachable";
            case 2 -> "packet-too-big";
            case 3 -> "time-exceeded";
            case 4 -> "parameter-problem";
            case 128 -> "echo-request";
            case 129 -> "echo-reply";
            case 130, 131, 132, 143 -> "mld-" + t;
            case 133 -> "router-solicitation";
            case 134 -> "router-advertisement";
            case 135 -> "neighbor-solicitation";
            case 136 -> "neighbor-advertisement";
            case 137 -> "redirect";
            default -> "icmpv6-type-" + t;
        };
    }
}
