package dev.isthmus.nat;

/**
 * The outcome of one table operation. {@link #OK} means: translate with the mapping in the
 * {@link NatResult}; every other value is a drop (or, for {@link #SYN_STORED}, a packet the table
 * has kept). Each value has a counter in {@link NatCounters}; names are shown lower case with
 * dashes.
 */
public enum NatVerdict {
    OK("translate", IcmpReply.NONE),
    // --- no state for the packet ---
    NO_BIB("IPv4 packet to a (T,t) with no BIB entry (RFC 6146 §3.5.1, §3.5.3)", IcmpReply.V4_HOST_UNREACHABLE),
    NO_SESSION("TCP packet other than SYN with no BIB entry (RFC 6146 §3.5.2.2, CLOSED)", IcmpReply.NONE),
    NOT_IN_POOL4("IPv4 destination is not in pool4", IcmpReply.NONE),
    FILTERED("address-dependent filtering: no session to this IPv4 peer (RFC 4787 REQ-8)",
            IcmpReply.V4_ADMIN_PROHIBITED),
    EXTERNAL_SYN_DENIED("IPv4-initiated TCP connections are not allowed by policy (RFC 6146 §3.5.2.2)",
            IcmpReply.NONE),
    SYN_STORED("IPv4 SYN without a mapping kept for TCP_INCOMING_SYN (RFC 6146 §3.5.2.2, RFC 5382 REQ-4)",
            IcmpReply.NONE),
    // --- resources (RFC 6146 §5.3) ---
    POOL_EXHAUSTED("no free (T,t) in pool4 (RFC 6146 §3.5.1.1)", IcmpReply.V6_ADDRESS_UNREACHABLE),
    NOT_A_SUBSCRIBER("IPv6 source outside the deterministic port-block subscribers (RFC 7422)",
            IcmpReply.V6_ADDRESS_UNREACHABLE),
    SESSION_LIMIT("the table holds the maximum number of sessions", IcmpReply.V6_ADDRESS_UNREACHABLE),
    SUBSCRIBER_LIMIT("this IPv6 subscriber holds its maximum number of sessions", IcmpReply.V6_ADDRESS_UNREACHABLE),
    PORT_LIMIT("this IPv6 subscriber holds its maximum number of (T,t) of the protocol (RFC 6888 REQ-4)",
            IcmpReply.V6_ADDRESS_UNREACHABLE),
    BIB_LIMIT("the protocol's BIB holds its maximum number of entries", IcmpReply.V6_ADDRESS_UNREACHABLE),
    STORED_SYN_LIMIT("too many IPv4 SYNs are already stored (dropped silently, RFC 6146 §5.3)", IcmpReply.NONE);

    private final String description;
    private final IcmpReply icmp;

    NatVerdict(String description, IcmpReply icmp) {
        this.description = description;
        this.icmp = icmp;
    }

    public String description() {
        return description;
    }

    /**
     * The ICMP error RFC 6146 suggests for this drop (ICMPv6 1/3 for every allocation failure of
     * an IPv6-side packet); the caller decides, by its own policy and rate limit, whether to send.
     */
    public IcmpReply icmp() {
        return icmp;
    }

    /** The counter name: lower case with dashes. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
