package dev.isthmus.alg.smtp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Delivery connections kept open, idle, between messages to the same next hop (as Postfix's
 * connection cache): the next message to that hop sends MAIL at once instead of connecting,
 * greeting, EHLO and STARTTLS again. A connection is kept at most {@code idleTime} idle, used
 * for at most {@link #MAX_USES} transactions and {@link #MAX_AGE} in all (a server may hold
 * state per session, and a long-lived one pins a single MX), and at most {@code perKey} are kept
 * per next hop (the destination's concurrency limit: the cache never holds more connections to
 * a destination than could be in use at once).
 *
 * <p>The cache does no I/O: what leaves it (expired, or at close) is handed back for the caller
 * to QUIT, so a slow server never blocks the lock.
 *
 * @param <C> the connection
 */
final class ConnectionCache<C extends ConnectionCache.Connection> {
    /** Transactions on one connection (Postfix's smtp_connection_reuse_count_limit, which it leaves unbounded). */
    static final int MAX_USES = 100;
    /** Postfix's smtp_connection_reuse_time_limit. */
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    /** What a cached connection tells the cache. */
    interface Connection {
        /** Transactions begun on it. */
        int uses();

        /** When it was opened, on the cache's clock (nanoseconds). */
        long openedAt();
    }

    /**
     * Which connections are interchangeable: the same next-hop name and address (a connection
     * is never reused for another smarthost or MX), and the same TLS wish (a cleartext
     * fallback after a failed handshake only serves another fallback).
     */
    record Key(String host, InetSocketAddress address, boolean tls) {}

    private record Idle<C>(C connection, long since) {}

    private final Map<Key, Deque<Idle<C>>> idle = new HashMap<>();
    private final long idleNanos;
    private final int perKey;
    private final LongSupplier nanos;
    private boolean closed;

    ConnectionCache(Duration idleTime, int perKey, LongSupplier nanos) {
        this.idleNanos = idleTime.toNanos();
        this.perKey = perKey;
        this.nanos = nanos;
    }

    /** The most recently used idle connection to the hop (the least likely to be stale), or null. */
    synchronized C take(Key key) {
        Deque<Idle<C>> q = idle.get(key);
        if (q == null) {
            return null;
        }
        Idle<C> newest = q.peekLast();
        if (newest == null || expired(newest, nanos.getAsLong())) {
            return null; // and every older one expired too: the sweep QUITs them
        }
        q.pollLast();
        if (q.isEmpty()) {
            idle.remove(key);
        }
        return newest.connection();
    }

    /** Keeps the connection for the next message; false when it may not be kept (the caller closes it). */
    synchronized boolean offer(Key key, C c) {
        long now = nanos.getAsLong();
        if (closed || idleNanos == 0 || c.uses() >= MAX_USES || now - c.openedAt() >= MAX_AGE.toNanos()) {
            return false;
        }
        Deque<Idle<C>> q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (q.size() >= perKey) {
            return false;
        }
        q.addLast(new Idle<>(c, now));
        return true;
    }

    /** Takes out the connections idle too long or too old, for the caller to close. */
    synchronized List<C> expired() {
        long now = nanos.getAsLong();
        List<C> out = new ArrayList<>();
        for (Iterator<Deque<Idle<C>>> qs = idle.values().iterator(); qs.hasNext(); ) {
            Deque<Idle<C>> q = qs.next();
            q.removeIf(i -> expired(i, now) && out.add(i.connection()));
            if (q.isEmpty()) {
                qs.remove();
            }
        }
        return out;
    }

    /** Idle connections now, every hop together. */
    synchronized int size() {
        return idle.values().stream().mapToInt(Deque::size).sum();
    }

    /** Keeps nothing more; takes out every idle connection, for the caller to close. */
    synchronized List<C> close() {
        closed = true;
        List<C> out = new ArrayList<>();
        idle.values().forEach(q -> q.forEach(i -> out.add(i.connection())));
        idle.clear();
        return out;
    }

    private boolean expired(Idle<C> i, long now) {
        return now - i.since() >= idleNanos || now - i.connection().openedAt() >= MAX_AGE.toNanos();
    }
}
