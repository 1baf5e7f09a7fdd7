package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The cache's rules on a clock the test moves: idle time, uses, age, the bound per next hop, close. */
class ConnectionCacheTest {
    private static final InetSocketAddress MX = new InetSocketAddress("192.0.2.25", 25);
    private static final ConnectionCache.Key KEY = new ConnectionCache.Key("mx.dest.test", MX, true);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ConnectionCache<Conn> cache = new ConnectionCache<>(Duration.ofSeconds(2), 2, now::get);

    private static final class Conn implements ConnectionCache.Connection {
        final int uses;
        final long openedAt;

        Conn(int uses, long openedAt) {
            this.uses = uses;
            this.openedAt = openedAt;
        }

        @Override
        public int uses() {
            return uses;
        }

        @Override
        public long openedAt() {
            return openedAt;
        }
    }

    private Conn conn() {
        return new Conn(1, now.get());
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void theNewestIdleConnectionIsTakenFirst() {
        Conn older = conn();
        Conn newer = conn();
        assertTrue(cache.offer(KEY, older));
        assertTrue(cache.offer(KEY, newer));
        assertSame(newer, cache.take(KEY));
        assertSame(older, cache.take(KEY));
        assertNull(cache.take(KEY));
    }

    @Test
    void onlyTheSameNextHopAndTlsWishShareAConnection() {
        cache.offer(KEY, conn());
        assertNull(cache.take(new ConnectionCache.Key("mx.dest.test", MX, false)));
        assertNull(cache.take(new ConnectionCache.Key("mx2.dest.test", MX, true)));
        assertNull(cache.take(new ConnectionCache.Key("mx.dest.test", new InetSocketAddress("192.0.2.25", 587), true)));
        assertEquals(1, cache.size());
    }

    @Test
    void atMostPerKeyConnectionsAreKept() {
        assertTrue(cache.offer(KEY, conn()));
        assertTrue(cache.offer(KEY, conn()));
        assertFalse(cache.offer(KEY, conn()));
        assertEquals(2, cache.size());
    }

    @Test
    void anIdleConnectionExpiresAfterTheCacheTime() {
        Conn c = conn();
        cache.offer(KEY, c);
        advance(Duration.ofMillis(1999));
        assertEquals(List.of(), cache.expired());
        advance(Duration.ofMillis(1));
        assertNull(cache.take(KEY), "not handed out once expired");
        assertEquals(List.of(c), cache.expired());
        assertEquals(0, cache.size());
    }

    @Test
    void aConnectionUsedTooOftenOrOpenTooLongIsNotKept() {
        assertFalse(cache.offer(KEY, new Conn(ConnectionCache.MAX_USES, now.get())));
        assertFalse(cache.offer(KEY, new Conn(1, now.get() - ConnectionCache.MAX_AGE.toNanos())));
        Conn aging = new Conn(1, now.get() - ConnectionCache.MAX_AGE.toNanos() + Duration.ofSeconds(1).toNanos());
        assertTrue(cache.offer(KEY, aging));
        advance(Duration.ofSeconds(1));
        assertEquals(List.of(aging), cache.expired(), "its lifetime ends before its idle time");
    }

    @Test
    void zeroCacheTimeKeepsNothing() {
        ConnectionCache<Conn> off = new ConnectionCache<>(Duration.ZERO, 2, now::get);
        assertFalse(off.offer(KEY, conn()));
    }

    @Test
    void closeHandsBackEveryIdleConnectionAndKeepsNoMore() {
        Conn c = conn();
        cache.offer(KEY, c);
        assertEquals(List.of(c), cache.close());
        assertFalse(cache.offer(KEY, conn()));
        assertEquals(0, cache.size());
    }
}
