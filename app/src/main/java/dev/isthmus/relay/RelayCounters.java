package dev.isthmus.relay;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one relay, written by the event loops and read by {@code show stats} and the
 * metrics endpoint. Connections for TCP, flows (client address and port) for UDP.
 */
public final class RelayCounters {
    private final String name;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder bytesToServer = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder[] refused = adders(Refusal.values().length);

    public RelayCounters(String name) {
        this.name = name;
    }

    /** {@code n} fresh counters, one per ordinal of a reason enum. */
    public static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** The relay's name ({@code [[relay]] name}, by default its listen address). */
    public String name() {
        return name;
    }

    /** Connections (flows) relayed since start. */
    public long accepted() {
        return accepted.sum();
    }

    /** Connections (flows) open now. */
    public long active() {
        return active.get();
    }

    /** Connections (flows) closed because nothing moved for {@code idle-timeout}. */
    public long idleClosed() {
        return idleClosed.sum();
    }

    public long bytesToServer() {
        return bytesToServer.sum();
    }

    public long bytesToClient() {
        return bytesToClient.sum();
    }

    public long refused(Refusal r) {
        return refused[r.ordinal()].sum();
    }

    void opened() {
        accepted.increment();
        active.incrementAndGet();
    }

    void closed() {
        active.decrementAndGet();
    }

    void idle() {
        idleClosed.increment();
    }

    void refuse(Refusal r) {
        refused[r.ordinal()].increment();
    }

    LongAdder toServer() {
        return bytesToServer;
    }

    LongAdder toClient() {
        return bytesToClient;
    }
}
