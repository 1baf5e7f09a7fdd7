package dev.isthmus.alg.smtp;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The counters of the relay's delivery side, written by its workers, read by {@code show stats},
 * metrics and tests. Counts are per recipient (one message to three recipients, all delivered:
 * delivered += 3), as Postfix's log lines are; attempts count connections tried per destination.
 */
public final class DeliveryCounters {
    private final LongAdder delivered = new LongAdder();
    private final LongAdder deferred = new LongAdder();
    private final LongAdder bounced = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder dsns = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder connectionsReused = new LongAdder();
    private final LongAdder connectionsStale = new LongAdder();
    private final Supplier<QueueView> queue;

    /** The queue's size and oldest arrival, read at the time a counter is asked for. */
    record QueueView(int size, Instant oldest, Instant now) {}

    DeliveryCounters(Supplier<QueueView> queue) {
        this.queue = queue;
    }

    /** Recipients a server accepted (2xx to the end of DATA). */
    public long delivered() {
        return delivered.sum();
    }

    /** Recipient attempts that failed temporarily (4xx, no connection, a timeout): tried again later. */
    public long deferred() {
        return deferred.sum();
    }

    /** Recipients given up on: a 5xx, a null MX, or too long in the queue. */
    public long bounced() {
        return bounced.sum();
    }

    /** Delivery attempts: one per message and destination domain tried. */
    public long attempts() {
        return attempts.sum();
    }

    /** Delivery status notifications queued for senders (RFC 3464). */
    public long dsns() {
        return dsns.sum();
    }

    /** Connections the delivery side opened to servers (each a TCP connect that succeeded). */
    public long connections() {
        return connections.sum();
    }

    /** Transactions that went on a cached, already open connection instead of a new one. */
    public long connectionsReused() {
        return connectionsReused.sum();
    }

    /**
     * Reused connections the server had closed (or was closing, 421) while they were idle: the
     * message went on a new connection instead, and no failure was counted.
     */
    public long connectionsStale() {
        return connectionsStale.sum();
    }

    /** Messages in the queue now (being delivered or waiting for a retry). */
    public int queueSize() {
        return queue.get().size();
    }

    /** How long the oldest message in the queue has waited; zero when the queue is empty. */
    public Duration oldestAge() {
        QueueView v = queue.get();
        return v.oldest() == null ? Duration.ZERO : Duration.between(v.oldest(), v.now());
    }

    void delivered(int n) {
        delivered.add(n);
    }

    void deferred(int n) {
        deferred.add(n);
    }

    void bounced(int n) {
        bounced.add(n);
    }

    void attempt() {
        attempts.increment();
    }

    void dsn() {
        dsns.increment();
    }

    void connectionOpened() {
        connections.increment();
    }

    void connectionReused() {
        connectionsReused.increment();
    }

    void staleConnection() {
        connectionsStale.increment();
    }
}
