package dev.isthmus.relay;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection (or flow) slots: at most {@code total} at once, at most {@code perClient} for one
 * client address, so that one client cannot take all of a relay (or of the HTTP gateway). Shared
 * by the event loops.
 */
public final class ClientLimits {
    private final int total;
    private final int perClient;
    private final AtomicInteger used = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> byClient = new ConcurrentHashMap<>();

    public ClientLimits(int total, int perClient) {
        this.total = total;
        this.perClient = perClient;
    }

    /**
     * Takes a slot for {@code client}, or says which limit refused it (no slot taken). The
     * client's own share is checked first: a client at its share is told so even when every slot
     * is taken, since that is the limit it hit by itself.
     */
    public Refusal acquire(InetAddress client) {
        boolean[] full = {false};
        byClient.compute(client, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= perClient) {
                full[0] = true;
                return n;
            }
            return now + 1;
        });
        if (full[0]) {
            return Refusal.CLIENT_LIMIT;
        }
        if (used.incrementAndGet() > total) {
            release(client);
            return Refusal.TOTAL_LIMIT;
        }
        return null;
    }

    public void release(InetAddress client) {
        used.decrementAndGet();
        byClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }
}
