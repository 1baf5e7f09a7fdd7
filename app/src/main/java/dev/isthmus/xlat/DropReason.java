package dev.isthmus.xlat;

/**
 * Why the translator did not forward a packet. Every value has a counter; operators see the
 * names (lower case, dashes) in {@code show stats}, metrics and {@code --explain}.
 */
public enum DropReason {
    NONE("not dropped"),
    // --- malformed input ---
    TRUNCATED("shorter than its headers or its length field says"),
    BAD_VERSION("IP version is neither 4 nor 6"),
    BAD_IPV4_HEADER("IPv4 IHL < 5, Total Length shorter than the header, or header checksum wrong"),
    BAD_IPV4_OPTIONS("IPv4 options malformed"),
    BAD_EXTENSION_HEADER("IPv6 extension header chain malformed"),
    BAD_L4_HEADER("TCP/UDP/ICMP header truncated or inconsistent, or IPv6 UDP checksum 0 (RFC 8200 §8.1)"),
    BAD_ICMP_CHECKSUM("ICMP checksum wrong"),
    FRAGMENT_NOT_MULTIPLE_OF_8("IPv4 fragment with MF set whose data length is not a multiple of 8 (RFC 791 §3.2)"),
    FRAGMENT_BEYOND_MAXIMUM("fragment whose offset plus data length exceed 65535 bytes (RFC 791 §3.2, RFC 8200 §4.5)"),
    BAD_OFFLOAD("offload super-packet that is a fragment or neither TCP nor UDP"),
    NO_HEADROOM("buffer has too little room in front of the packet for the translated headers"),
    // --- policy and RFC rules ---
    TTL_EXPIRED("TTL / Hop Limit would reach zero (RFC 7915 §4.1/§5.1)"),
    SOURCE_ROUTE("IPv4 unexpired source route option (RFC 7915 §4.1)"),
    ROUTING_HEADER("IPv6 Routing Header with Segments Left != 0 (RFC 7915 §5.1)"),
    ILLEGAL_SOURCE("illegal IPv4 source address (RFC 7915 §4.1/§5.1, RFC 1812 §5.3.7)"),
    MULTICAST("multicast or broadcast is not translated (RFC 7915 §1.2)"),
    UNTRANSLATABLE_SOURCE("no pool6 or EAM entry covers the source"),
    UNTRANSLATABLE_DESTINATION("no pool6 or EAM entry covers the destination"),
    WKP_NON_GLOBAL("well-known prefix with a non-global IPv4 address (RFC 6052 §3.1)"),
    SOURCE_IN_POOL6("IPv6 source inside pool6 (loop protection)"),
    FRAGMENTED_ICMP("fragmented ICMP is not translated (RFC 7915 §1.2)"),
    EXTENSION_AFTER_FRAGMENT("extension header after the Fragment Header (RFC 7915 §5.1.1)"),
    UDP_ZERO_CHECKSUM("IPv4 UDP with checksum 0 (RFC 7915 §4.5, udp-zero-checksum = drop)"),
    UDP_ZERO_CHECKSUM_FRAGMENT("fragmented IPv4 UDP with checksum 0 cannot be fixed statelessly (RFC 7915 §4.5)"),
    PACKET_TOO_BIG("DF set and larger than the next-hop MTU (RFC 7915 §4.1/§5.1)"),
    SUPER_PACKET_TOO_BIG("offload super-packet too large: over 65535 bytes as IPv4, or UDP datagrams needing fragments"),
    ICMP_TYPE_UNSUPPORTED("ICMP type/code with no counterpart (RFC 7915 §4.2/§5.2)"),
    ICMP_POINTER_UNSUPPORTED("Parameter Problem pointer with no counterpart (RFC 7915 §4.2/§5.2)"),
    ICMP_ERROR_NESTED("ICMP error inside an ICMP error (RFC 7915 §4.3/§5.3)"),
    ICMP_ERROR_BAD_INNER("packet inside an ICMP error cannot be translated"),
    PROTOCOL_UNSUPPORTED("protocol cannot be translated"),
    HAIRPIN_LOOP("hairpinned packet would be hairpinned again"),
    // --- dynamic address pool (DynamicBindings) ---
    DYNAMIC_POOL_EXHAUSTED("new IPv6 source, but every dynamic pool address is bound"),
    NO_DYNAMIC_BINDING("destination in the dynamic pool has no binding (expired or never made)"),
    SOURCE_IN_DYNAMIC_POOL("IPv6 source maps through pool6 into the dynamic pool (would take another node's address)"),
    DYNAMIC_POOL_SPOOFED_SOURCE("IPv4 source in the dynamic pool: only the translator sends from those addresses"),
    // --- stateful NAT64 (nat.Nat64Translator; the table's own verdicts are counted there) ---
    NAT64_REFUSED("refused by the stateful NAT64 table (no mapping, filtered or a limit; see the nat64 counters)"),
    NAT64_FRAGMENT_HELD("fragment ahead of its first fragment: held up to 2 s for it, then translated (RFC 6146 §3.4)"),
    NAT64_FRAGMENT_REFUSED("fragment ahead of its first fragment that cannot be held (too many waiting, or too large)"),
    NAT64_NOT_IN_POOL4("IPv4 destination outside pool4"),
    NAT64_SPOOFED_SOURCE("IPv4 source in pool4: only the translator sends from those addresses"),
    // --- the NAT64's FTP ALG (RFC 6384), on segments of the control connections it follows ---
    FTP_ALG_GAP("FTP control segment ahead of a gap in the stream (the ALG reads in order; TCP sends the"
            + " missing data and this segment again)"),
    FTP_ALG_NO_ROOM("FTP control segment the ALG's rewriting would grow beyond the buffer or 65535 bytes"),
    FTP_ALG_BAD_CHECKSUM("FTP control segment with a wrong TCP checksum (the ALG reads intact segments only)"),
    FTP_ALG_FRAGMENT("fragmented FTP control segment (the ALG rewrites whole segments only)");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    /** What an operator reads. */
    public String description() {
        return description;
    }

    /** The counter name: lower case with dashes. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
