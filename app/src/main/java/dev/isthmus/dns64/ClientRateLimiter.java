package dev.isthmus.dns64;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client address for UDP queries (a spoofed source can make a DNS server
 * flood its victim; TCP needs a handshake and is not limited). Each client may send {@code
 * rate} queries per second with bursts of as many. The table is bounded: when it is full it
 * starts again empty, which at worst gives every client a fresh bucket.
 */
final class ClientRateLimiter {
    static final int MAX_CLIENTS = 65_536;

    private final int rate;
    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();

    /** @param rate queries per second per client, 0 for no limit */
    ClientRateLimiter(int rate) {
        this.rate = rate;
    }

    boolean allow(InetAddress client, long nowNanos) {
        if (rate == 0) {
            return true;
        }
        if (buckets.size() >= MAX_CLIENTS) {
            buckets.clear();
        }
        return buckets.computeIfAbsent(client, c -> new Bucket(rate, nowNanos)).take(rate, nowNanos);
    }

    private static final class Bucket {
        private double tokens;
        private long lastNanos;

        Bucket(int rate, long nowNanos) {
            this.tokens = rate;
            this.lastNanos = nowNanos;
        }

        synchronized boolean take(int rate, long nowNanos) {
            tokens = Math.min(rate, tokens + (nowNanos - lastNanos) * 1e-9 * rate);
            lastNanos = nowNanos;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
