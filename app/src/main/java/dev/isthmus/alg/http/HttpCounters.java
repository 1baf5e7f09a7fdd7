package dev.isthmus.alg.http;

import dev.isthmus.relay.RelayCounters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters of the HTTP gateway, written by the event loops, read by {@code show stats} and metrics. */
public final class HttpCounters {
    /** What a request that was served was. */
    public enum Kind {
        FORWARD("forward"),
        CONNECT("connect"),
        REVERSE("reverse");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    private final LongAdder connections = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder bytesToServer = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder[] requests = RelayCounters.adders(Kind.values().length);
    private final LongAdder[] refused = RelayCounters.adders(HttpRefusal.values().length);

    /** Client connections accepted since start. */
    public long connections() {
        return connections.sum();
    }

    /** Client connections open now. */
    public long active() {
        return active.get();
    }

    /** Requests (CONNECT: tunnels) passed on to a server. */
    public long requests(Kind k) {
        return requests[k.ordinal()].sum();
    }

    public long refused(HttpRefusal r) {
        return refused[r.ordinal()].sum();
    }

    /** Body and tunnel bytes towards servers (heads not counted). */
    public long bytesToServer() {
        return bytesToServer.sum();
    }

    /** Body and tunnel bytes towards clients (heads not counted). */
    public long bytesToClient() {
        return bytesToClient.sum();
    }

    void opened() {
        connections.increment();
        active.incrementAndGet();
    }

    void closed() {
        active.decrementAndGet();
    }

    void request(Kind k) {
        requests[k.ordinal()].increment();
    }

    void refuse(HttpRefusal r) {
        refused[r.ordinal()].increment();
    }

    LongAdder toServer() {
        return bytesToServer;
    }

    LongAdder toClient() {
        return bytesToClient;
    }
}
