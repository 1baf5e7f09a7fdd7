package dev.isthmus.alg.sip.proxy;

import dev.isthmus.alg.sip.SipMessage;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One request the proxy forwards statefully (RFC 3261 §16.2): the server transaction it arrived
 * in (whose retransmissions are answered with the last response, §17.2) and the one client
 * transaction it was forwarded in (§16.6; the proxy does not fork). Keyed twice in
 * {@link Transactions}: by the client's branch and sent-by (§17.2.3) and by the proxy's own branch
 * (§17.1.3).
 */
final class ProxyTransaction {
    /** RFC 3261 §17.1.1.1: the round-trip estimate T1 and the cap T2 of non-INVITE retransmissions. */
    static final long T1_MILLIS = 500;
    static final long T2_MILLIS = 4000;
    /** Timer B and F: 64*T1 (§17.1.1.2, §17.1.2.2). */
    static final long TIMEOUT_MILLIS = 64 * T1_MILLIS;
    /** Timer C: an INVITE with only provisional responses for more than 3 minutes (§16.6 step 11). */
    static final long TIMER_C_MILLIS = 180_000;
    /**
     * How long a finished transaction stays to absorb retransmissions and the ACK of a non-2xx:
     * T4 = 5 s, Timer I's value (§17.2.1), as Kamailio's {@code wt_timer}. Timer J and RFC 6026's
     * Timer L would keep it 64*T1 = 32 s; a client whose final response was lost retransmits within
     * T2 = 4 s, so 5 s absorbs what matters, where 32 s would need 6.4 times the table for the
     * same call rate (the bench capped a 10,000-entry table at 150 calls a second). A later
     * retransmission is forwarded again, and the next hop's transaction layer absorbs it.
     */
    static final long LINGER_MILLIS = 5_000;

    final String serverKey;
    final SipMessage request;
    final Target upstream;
    final boolean invite;
    /** The proxy's branch on the forwarded request; the response's top Via carries it back. */
    String branch;
    SipMessage forwarded;
    Target downstream;
    /** The last response sent upstream (retransmitted when the request is), or null. */
    byte[] lastResponse;
    int bestStatus;
    boolean cancelPending;
    boolean cancelled;
    ScheduledFuture<?> retransmit;
    ScheduledFuture<?> timeout;
    long retransmitInterval = T1_MILLIS;

    ProxyTransaction(String serverKey, SipMessage request, Target upstream) {
        this.serverKey = serverKey;
        this.request = request;
        this.upstream = upstream;
        this.invite = "INVITE".equals(request.method());
    }

    boolean finished() {
        return bestStatus >= 200;
    }

    void stopTimers() {
        if (retransmit != null) {
            retransmit.cancel(false);
            retransmit = null;
        }
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
