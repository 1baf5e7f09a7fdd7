package dev.isthmus.dns64;

import dev.isthmus.relay.ClientLimits;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.Refusal;
import java.net.InetAddress;
import java.util.function.Predicate;

/**
 * Who may hold one of the TCP connection slots, decided when a connection is accepted, before
 * a byte of it is read; and the report of the connections closed later for being too slow.
 *
 * <p>A connection is refused, in this order, when its client is outside {@code allow} (RFC 9210
 * §4: a recursive service protects itself with access control, in the application when not in
 * the network; checking only its queries would let a stranger hold a slot for as long as it
 * sends no complete one), when its client address already has {@code tcp-max-per-client}
 * connections (RFC 7766 §6.2.2: a server may limit the connections of one client address,
 * loosely, since one address may be many clients behind a NAT), and when {@code tcp-connections}
 * are open (RFC 7766 §10). Every refusal is counted under its own name and logged, at most
 * {@code RateLimitedLog}'s lines a second: the refusals of an attack must not flood the journal.
 *
 * <p>Shared by the accepting threads (one per listen address) and the connections' threads,
 * which release their slots.
 */
final class TcpLimits {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dns64");

    private final Predicate<InetAddress> allowed;
    private final int total;
    private final int perClient;
    private final Dns64Counters counters;
    private final RateLimitedLog log = new RateLimitedLog(LOG);
    /** The slots: the same per-client and total limits as the relays' and the HTTP gateway's. */
    private final ClientLimits slots;

    TcpLimits(Predicate<InetAddress> allowed, int total, int perClient, Dns64Counters counters) {
        this.allowed = allowed;
        this.total = total;
        this.perClient = perClient;
        this.counters = counters;
        this.slots = new ClientLimits(total, perClient);
    }

    /**
     * Takes a slot for a new connection from {@code client}; false (nothing taken) when it is
     * refused, the refusal counted and logged: the caller closes the connection at once.
     */
    boolean admit(InetAddress client) {
        Dns64Counter refusal = take(client);
        if (refusal == null) {
            return true;
        }
        counters.count(refusal);
        log.warn("DNS64 TCP connection from " + Dns64Settings.hostText(client) + " refused: " + switch (refusal) {
            case TCP_REFUSED_CLIENT -> "not in allow";
            case TCP_CLIENT_LIMIT -> perClient + " connections from it are open (tcp-max-per-client)";
            default -> total + " connections are open (tcp-connections)";
        });
        return false;
    }

    private Dns64Counter take(InetAddress client) {
        if (!allowed.test(client)) {
            return Dns64Counter.TCP_REFUSED_CLIENT;
        }
        Refusal r = slots.acquire(client);
        if (r == null) {
            return null;
        }
        return r == Refusal.CLIENT_LIMIT ? Dns64Counter.TCP_CLIENT_LIMIT : Dns64Counter.TCP_REJECTED;
    }

    /** Gives back the slot {@link #admit} took for {@code client}. */
    void release(InetAddress client) {
        slots.release(client);
    }

    /** Counts and logs a connection closed because a message did not arrive whole in time. */
    void messageTimedOut(InetAddress client, long timeoutMillis) {
        counters.count(Dns64Counter.TCP_MESSAGE_TIMEOUTS);
        log.warn("DNS64 TCP connection from " + Dns64Settings.hostText(client) + " closed: a message was not whole "
                + timeoutMillis + " ms after its first byte (tcp-message-timeout-ms)");
    }
}
