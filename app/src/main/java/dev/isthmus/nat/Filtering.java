package dev.isthmus.nat;

/**
 * Which IPv4 packets a BIB entry lets in (RFC 6146 §1.2.3, RFC 4787 REQ-8, RFC 5382 REQ-3).
 */
public enum Filtering {
    /** Any IPv4 peer may use a BIB entry (the default). */
    ENDPOINT_INDEPENDENT,
    /** Only an IPv4 peer address Z the IPv6 host has already sent to (any port). */
    ADDRESS_DEPENDENT
}
