package dev.isthmus.nat.pool;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * What a binding of the dynamic pool must be, checked alike on each way a binding comes in: a
 * {@code [[siit.dynamic-pool.static]]} row of the config, {@code binding add} through the control
 * socket, and every line of the bindings file at start. The pool pairs one IPv6 node with one of
 * its IPv4 addresses (the 1998 NAPT paper's IP4NODE6), so the IPv6 side must be a unicast address
 * of a node that no stateless rule already maps, and the IPv4 side an address of the pool.
 *
 * <p>Conflicts with other bindings are not this class's business: the pool itself refuses those
 * ({@link DynamicPool#addStatic}, {@link DynamicPool#load}), and the config checks its own rows
 * against each other.
 */
public final class BindingRules {
    /**
     * A rule a binding breaks.
     *
     * @param field the side at fault, {@code "ipv6"} or {@code "ipv4"} (the config's key)
     * @param reason why, naming the address (an operator reads it as it is)
     */
    public record Refusal(String field, String reason) {}

    private final Ipv4Prefix pool;
    private final Ipv6Prefix pool6;
    private final List<Ipv6Prefix> eam6;

    /**
     * @param pool the pool's addresses, or null when unknown (the config refused the prefix already)
     * @param pool6 the translator's pool6, or null when it has none
     * @param eam6 the IPv6 side of every {@code [[siit.eam]]} row, in file order
     */
    public BindingRules(Ipv4Prefix pool, Ipv6Prefix pool6, List<Ipv6Prefix> eam6) {
        this.pool = pool;
        this.pool6 = pool6;
        this.eam6 = List.copyOf(eam6);
    }

    /** Every rule {@code ipv6 ipv4} breaks, IPv6 side first; empty when the binding may be made. */
    public List<Refusal> check(Ipv6Address ipv6, int ipv4) {
        List<Refusal> out = new ArrayList<>(2);
        String notANode = notANode(ipv6);
        if (notANode != null) {
            out.add(new Refusal("ipv6", ipv6 + " " + notANode));
        }
        // The stateless rules come first (RFC 7757 §3.3): a binding they shadow would never apply.
        if (pool6 != null && pool6.contains(ipv6)) {
            out.add(new Refusal("ipv6", ipv6 + " is inside pool6 " + pool6 + ", which maps it statelessly"));
        }
        for (int i = 0; i < eam6.size(); i++) {
            if (eam6.get(i).contains(ipv6)) {
                out.add(new Refusal("ipv6", ipv6 + " is covered by siit.eam[" + i + "].ipv6 " + eam6.get(i)));
            }
        }
        if (pool != null && !pool.contains(ipv4)) {
            out.add(new Refusal("ipv4", Ipv4Address.format(ipv4) + " is not in the dynamic pool " + pool));
        }
        return out;
    }

    /** The first rule {@code ipv6 ipv4} breaks, or null when the binding may be made. */
    public String refusal(Ipv6Address ipv6, int ipv4) {
        List<Refusal> r = check(ipv6, ipv4);
        return r.isEmpty() ? null : r.getFirst().reason();
    }

    /**
     * Why {@code a} is no IPv6 node's unicast address that packets from it reach the translator
     * with, or null. RFC 4291 §2.5.2 (unspecified), §2.5.3 (loopback), §2.5.5.2 (IPv4-mapped),
     * §2.5.6 (link-local: routers do not forward it), §2.7 (multicast, never a source; RFC 7915
     * §1.2 leaves it out of translation).
     */
    static String notANode(Ipv6Address a) {
        long hi = a.hi();
        long lo = a.lo();
        if (hi == 0 && lo == 0) {
            return "is the unspecified address (RFC 4291 §2.5.2), no node's address";
        }
        if (hi == 0 && lo == 1) {
            return "is the loopback address (RFC 4291 §2.5.3), never sent beyond the node";
        }
        if (hi == 0 && lo >>> 32 == 0xffffL) {
            return "is IPv4-mapped (RFC 4291 §2.5.5.2), an IPv4 node's address inside a host";
        }
        if (hi >>> 54 == 0x3fa) {
            return "is link-local (RFC 4291 §2.5.6), which no router forwards to the translator";
        }
        if (hi >>> 56 == 0xff) {
            return "is a multicast address (RFC 4291 §2.7), never a source; a binding stands for one node";
        }
        return null;
    }
}
