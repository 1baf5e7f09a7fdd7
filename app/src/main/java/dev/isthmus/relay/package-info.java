/**
 * Transport relays (RFC 3142, "TRT"): a socket listening in one address family and a connection
 * in the other, with the bytes (TCP) or datagrams (UDP) copied between them. No packet is
 * translated: each side is an ordinary socket of its own family, so an IPv6-only client reaches
 * an IPv4-only server (or the reverse) through nothing but the kernel's TCP/UDP stacks.
 *
 * <ul>
 *   <li>{@link dev.isthmus.relay.TcpRelay} and {@link dev.isthmus.relay.UdpRelay}: the static
 *       relays ({@code [[relay]]}, like 6tunnel, plus UDP), and the TCP transparent mode of
 *       RFC 3142 in which the destination is the IPv4 address embedded in the IPv6 address the
 *       client connected to;
 *   <li>{@link dev.isthmus.relay.Splice}: the byte pump between two TCP channels (backpressure,
 *       half-close), shared with the HTTP gateway's CONNECT tunnels;
 *   <li>{@link dev.isthmus.addr.AddressSet}, {@link dev.isthmus.relay.DestinationPolicy}: who
 *       may use a relay and where it may connect;
 *   <li>{@link dev.isthmus.relay.SocketPlane}: the Netty epoll event loops every socket-plane
 *       service shares.
 * </ul>
 *
 * <p>Nothing thrown in an event loop escapes it: every refusal and failure is a counted
 * {@link dev.isthmus.relay.Refusal} with a (rate-limited) log line.
 *
 * <p>Socket plane: may use {@code wire} and {@code addr}; never {@code dataplane}.
 */
package dev.isthmus.relay;
