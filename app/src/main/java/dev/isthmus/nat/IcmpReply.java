package dev.isthmus.nat;

/**
 * The ICMP error the caller should send for a drop, as the RFCs recommend; {@link #NONE} for a
 * silent drop. The table only says which; the translator builds and rate-limits the message.
 */
public enum IcmpReply {
    NONE(0, 0, 0),
    /** ICMPv6 Destination Unreachable, Address Unreachable: no (T,t) could be allocated (RFC 6146 §3.5.1.1). */
    V6_ADDRESS_UNREACHABLE(6, 1, 3),
    /** ICMPv4 Destination Unreachable, Host Unreachable: no BIB entry (RFC 6146 §3.5.1, MAY). */
    V4_HOST_UNREACHABLE(4, 3, 1),
    /** ICMPv4 Port Unreachable: a stored IPv4 SYN timed out (RFC 6146 §3.5.2.2, RFC 5382 REQ-4). */
    V4_PORT_UNREACHABLE(4, 3, 3),
    /** ICMPv4 Communication Administratively Prohibited: filtered (RFC 6146 §3.5.1, RFC 5508 REQ-8). */
    V4_ADMIN_PROHIBITED(4, 3, 13);

    private final int family;
    private final int type;
    private final int code;

    IcmpReply(int family, int type, int code) {
        this.family = family;
        this.type = type;
        this.code = code;
    }

    /** 6 for ICMPv6, 4 for ICMPv4, 0 for none. */
    public int family() {
        return family;
    }

    public int type() {
        return type;
    }

    public int code() {
        return code;
    }
}
