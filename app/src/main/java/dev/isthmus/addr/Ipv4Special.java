package dev.isthmus.addr;

/**
 * Special-purpose IPv4 ranges the translator must treat differently (RFC 6890 registry,
 * RFC 1812 §5.3.7 martians). Allocation-free predicates for the hot path.
 */
public final class Ipv4Special {
    private Ipv4Special() {}

    /**
     * RFC 6052 §3.1: addresses that are not global and so must not be represented with the
     * well-known prefix: the RFC 6890 special-purpose blocks whose "Global" is False (private-use,
     * shared, loopback, link-local, documentation, benchmarking, reserved, IETF protocol
     * assignments except the globally reachable 192.0.0.9 and 192.0.0.10), plus multicast
     * and limited broadcast, which are not unicast at all.
     */
    public static boolean isNonGlobal(int a) {
        int o1 = a >>> 24;
        return switch (o1) {
            case 0, 10, 127 -> true;
            case 100 -> (a & 0xffc0_0000) == 0x6440_0000;              // 100.64.0.0/10
            case 169 -> (a & 0xffff_0000) == 0xa9fe_0000;              // 169.254.0.0/16
            case 172 -> (a & 0xfff0_0000) == 0xac10_0000;              // 172.16.0.0/12
            case 192 -> (a & 0xffff_ff00) == 0xc000_0000 && a != 0xc000_0009 && a != 0xc000_000a // 192.0.0.0/24
                    || (a & 0xffff_ff00) == 0xc000_0200                // 192.0.2.0/24
                    || (a & 0xffff_0000) == 0xc0a8_0000;               // 192.168.0.0/16
            case 198 -> (a & 0xfffe_0000) == 0xc612_0000               // 198.18.0.0/15
                    || (a & 0xffff_ff00) == 0xc633_6400;               // 198.51.100.0/24
            case 203 -> (a & 0xffff_ff00) == 0xcb00_7100;              // 203.0.113.0/24
            default -> o1 >= 224;                                      // 224/4 multicast, 240/4 reserved, broadcast
        };
    }

    /**
     * RFC 7915 §4.1 / RFC 1812 §5.3.7: sources no router forwards — 0.0.0.0/8, 127.0.0.0/8,
     * multicast 224.0.0.0/4, reserved 240.0.0.0/4 and the limited broadcast address.
     */
    public static boolean isIllegalSource(int a) {
        int o1 = a >>> 24;
        return o1 == 0 || o1 == 127 || o1 >= 224;
    }

    /** Multicast (224.0.0.0/4) or limited broadcast: not translated, RFC 7915 §1.2. */
    public static boolean isMulticastOrBroadcast(int a) {
        return (a >>> 28) == 0xe || a == 0xffff_ffff;
    }
}
