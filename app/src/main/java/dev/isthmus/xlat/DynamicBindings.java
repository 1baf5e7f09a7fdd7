package dev.isthmus.xlat;

/**
 * The NAT-PT style dynamic address pool as the translator sees it: address-only bindings between
 * an IPv6 node (IP6NODE6) and an IPv4 address of the pool that stands for it (IP4NODE6), in the
 * three phases of the seed paper — bind (the first packet from a new IPv6 source takes a free
 * address), look up (every packet that uses a binding keeps it alive) and unbind (after an idle
 * timeout, never while traffic uses it; the implementation's own housekeeping does that).
 *
 * <p>Defined here so that the stateless translator can consult the pool without depending on
 * {@code nat}, which implements it ({@code nat.pool.DynamicPool}); the data plane wires one in.
 *
 * <p>Every method may be called from all workers at once, and none may allocate on the look-up
 * path: results are returned as primitives or written into a caller-owned array.
 */
public interface DynamicBindings {
    /** What {@link #find64} and {@link #bind64} return when there is no binding. */
    long NONE = -1;

    /** Whether {@code ipv4} lies in the pool's IPv4 range (bound or not). */
    boolean inPool(int ipv4);

    /**
     * The IPv4 address bound to the IPv6 address {@code hi:lo} as an unsigned value, or
     * {@link #NONE}; a binding found is refreshed (its idle time starts again).
     */
    long find64(long hi, long lo);

    /**
     * As {@link #find64}, but an IPv6 address without a binding is bound to a free pool address;
     * {@link #NONE} only when the pool is exhausted (the implementation counts and logs that).
     */
    long bind64(long hi, long lo);

    /**
     * The IPv6 address bound to {@code ipv4}, written to {@code ipv6[0]} (high half) and
     * {@code ipv6[1]}; false when the address has no binding. A binding found is refreshed.
     */
    boolean find46(int ipv4, long[] ipv6);
}
