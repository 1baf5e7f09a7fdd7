package dev.isthmus.alg.turn;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The address family numbers of STUN and TURN (RFC 8489 §14.1; REQUESTED-ADDRESS-FAMILY and
 * ADDITIONAL-ADDRESS-FAMILY of RFC 8656 §18.8 and §18.11, first defined by RFC 6156).
 */
public final class AddressFamily {
    public static final int IPV4 = 0x01;
    public static final int IPV6 = 0x02;

    private AddressFamily() {}

    /** The family number of {@code address}. */
    public static int of(InetAddress address) {
        return address instanceof Inet4Address ? IPV4 : IPV6;
    }

    /** The address length of a family number, or -1 for a number STUN does not define. */
    static int addressLength(int family) {
        return switch (family) {
            case IPV4 -> 4;
            case IPV6 -> 16;
            default -> -1;
        };
    }
}
