/**
 * Stateful NAT64 state (RFC 6146 §3): the binding information bases, the sessions, the TCP state
 * machine, timers, pool4 port allocation, limits, expiry and the session log. Packet translation
 * is not here: the stateful translator asks these tables for the mapping and rewrites the packet
 * with {@code xlat}.
 *
 * <ul>
 *   <li>{@link dev.isthmus.nat.Nat64Table}: the tables, shared by every worker (see its comment
 *       for the sharding and why);
 *   <li>{@link dev.isthmus.nat.NatResult}: one per worker, the mapping and the worker's
 *       {@link dev.isthmus.nat.NatCounters};
 *   <li>{@link dev.isthmus.nat.NatVerdict}: every outcome, with the ICMP error RFC 6146 suggests
 *       for a drop ({@link dev.isthmus.nat.IcmpReply});
 *   <li>{@link dev.isthmus.nat.TcpState}: the §3.5.2.2 states and transitions;
 *   <li>{@link dev.isthmus.nat.Nat64Settings}, {@link dev.isthmus.nat.Pool4},
 *       {@link dev.isthmus.nat.PortBlocks}: what the config fills in;
 *   <li>{@link dev.isthmus.nat.Nat64Listener}, {@link dev.isthmus.nat.SessionLog}: events out;
 *       {@link dev.isthmus.nat.TimerPackets}: the packets the timers ask for (TCP probes, ICMP
 *       for stored SYNs), handed to the data plane by {@link dev.isthmus.nat.Nat64Service}.
 * </ul>
 *
 * <p>Vocabulary (RFC 6146 §2): X',x the IPv6 host and port; Y' = Pref64::Z the IPv6 name of the
 * IPv4 peer Z,z; T,t the pool4 transport address; for ICMP queries i1 (IPv6 side) and i2 (IPv4
 * side) are identifiers in the port fields. "Outbound" is IPv6 → IPv4 (a 6→4 packet),
 * "inbound" IPv4 → IPv6.
 *
 * <p>How the translator uses it, per packet (nothing is allocated):
 *
 * <pre>{@code
 * Nat64Table table = new Nat64Table(settings, listener);      // once
 * NatResult r = new NatResult();                              // once per worker
 * // 6→4: after RFC 6146 §3.4 gave (X',x) → (Y',y), Z = pool6.extract(Y')
 * NatVerdict v = table.outbound(r, NatProtocol.TCP, srcHi, srcLo, srcPort, z4, dstPort, tcpFlags, clock.nanoTime());
 * if (v == NatVerdict.OK) { rewrite source to (r.t4(), r.t4Port()), destination to Z; }
 * else if (v.icmp() == IcmpReply.V6_ADDRESS_UNREACHABLE) { send ICMPv6 1/3; }  // else drop, counted
 * // 4→6: (Z,z) → (T,t)
 * v = table.inbound(r, NatProtocol.TCP, src4, srcPort, dst4, dstPort, tcpFlags, now, packet, offset, length);
 * if (v == NatVerdict.OK) { destination (r.x6Hi(), r.x6Lo(), r.x6Port()), source pool6.embed(Z); }
 * // ICMP errors: table.findOutbound / findInbound on the inner tuple reversed: never changes state
 * // housekeeping thread, every second: table.expire(clock.nanoTime(), budget)
 * }</pre>
 */
package dev.isthmus.nat;
