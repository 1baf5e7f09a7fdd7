package dev.isthmus.nat;

import dev.isthmus.wire.IpProtocol;

/** The three kinds of BIB of RFC 6146 §3.1: TCP, UDP and ICMP query (identifier instead of port). */
public enum NatProtocol {
    TCP,
    UDP,
    ICMP;

    private static final NatProtocol[] VALUES = values();

    /** By ordinal, for the packed table fields. */
    static NatProtocol of(int ordinal) {
        return VALUES[ordinal];
    }

    /** From an IP protocol number (ICMP and ICMPv6 are both {@link #ICMP}); null for any other. */
    public static NatProtocol ofIpProtocol(int p) {
        return switch (p) {
            case IpProtocol.TCP -> TCP;
            case IpProtocol.UDP -> UDP;
            case IpProtocol.ICMP, IpProtocol.ICMPV6 -> ICMP;
            default -> null;
        };
    }

    /** Lower-case name, as {@code show bib --protocol} and the session log spell it. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
