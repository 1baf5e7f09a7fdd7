/**
 * Address mapping: the values and tables that turn an IPv4 address into an IPv6 one and back.
 *
 * <ul>
 *   <li>{@link dev.isthmus.addr.Ipv4Prefix}, {@link dev.isthmus.addr.Ipv6Prefix}: CIDR prefixes
 *       with their host bits always zero;
 *   <li>{@link dev.isthmus.addr.Rfc6052Prefix}: the RFC 6052 Pref64::/n codec (the default
 *       mapping of RFC 7915 §6 and the one NAT64 and DNS64 share);
 *   <li>{@link dev.isthmus.addr.EamTable}: RFC 7757 explicit address mappings, longest prefix
 *       match both ways;
 *   <li>{@link dev.isthmus.addr.Ipv4Pool}: address sets to pick from, such as the RFC 6791 pool.
 * </ul>
 *
 * <p>Parsing and construction happen at configuration time and throw
 * {@link java.lang.IllegalArgumentException} with a message naming the input. The lookup and
 * mapping methods ({@code contains}, {@code embed*}, {@code extract}, {@code find*},
 * {@code map*}, {@code pick}) are for the packet path: they take and return primitives
 * (IPv4 = {@code int}, IPv6 = two {@code long}s), allocate nothing and never throw on any
 * address value.
 *
 * <p>Depends on {@code dev.isthmus.wire} only (for {@link dev.isthmus.wire.Ipv6Address} and
 * {@link dev.isthmus.wire.Ipv4Address} text).
 */
package dev.isthmus.addr;
