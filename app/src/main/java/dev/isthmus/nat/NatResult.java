package dev.isthmus.nat;

/**
 * What one table operation found: a reusable object, one per worker (the style of
 * {@code xlat.AddressMapper}, so the hot path allocates nothing). After {@link NatVerdict#OK}
 * the whole mapping is filled in: the IPv6 host (X',x), the pool4 transport address (T,t), the
 * IPv4 peer (Z,z; Y' is Pref64::Z, which the translator embeds). For ICMP queries the ports are
 * the identifiers (i1 = x, i2 = t) and z is 0. It also carries the worker's {@link NatCounters}.
 */
public final class NatResult {
    NatVerdict verdict = NatVerdict.OK;
    NatProtocol protocol = NatProtocol.UDP;
    long x6Hi;
    long x6Lo;
    int x6Port;
    int t4;
    int t4Port;
    int z4;
    int z4Port;
    TcpState state = TcpState.CLOSED;
    boolean stateless;
    boolean sessionCreated;
    boolean bibCreated;
    private final NatCounters counters = new NatCounters();

    public NatVerdict verdict() {
        return verdict;
    }

    public NatProtocol protocol() {
        return protocol;
    }

    /** X', high 64 bits. */
    public long x6Hi() {
        return x6Hi;
    }

    public long x6Lo() {
        return x6Lo;
    }

    /** x (or i1). */
    public int x6Port() {
        return x6Port;
    }

    /** T. */
    public int t4() {
        return t4;
    }

    /** t (or i2). */
    public int t4Port() {
        return t4Port;
    }

    public int z4() {
        return z4;
    }

    public int z4Port() {
        return z4Port;
    }

    /** The TCP state after the packet; CLOSED for UDP/ICMP and for TCP translated without a session. */
    public TcpState state() {
        return state;
    }

    /**
     * True when a TCP packet is to be translated by its BIB entry alone, without a session (RFC 6146
     * §3.5.2.2, CLOSED state: "other packets SHOULD be translated … if there is a BIB entry").
     */
    public boolean stateless() {
        return stateless;
    }

    public boolean sessionCreated() {
        return sessionCreated;
    }

    public boolean bibCreated() {
        return bibCreated;
    }

    public NatCounters counters() {
        return counters;
    }

    void reset(NatProtocol p) {
        protocol = p;
        state = TcpState.CLOSED;
        stateless = false;
        sessionCreated = false;
        bibCreated = false;
    }

    NatVerdict done(NatVerdict v) {
        verdict = v;
        counters.add(protocol, v);
        return v;
    }
}
