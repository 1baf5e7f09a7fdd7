package dev.isthmus.alg.smtp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Blocking a client by the rate of its relay refusals (issue 21: refusals are "rate-limited per
 * client"; Postfix's anvil does the like): a client refused {@code limit} times within {@code
 * window} (a 554 greeting, 550 relay denied, 503 after the 554) is refused at connect for {@code
 * block}. Only a client outside {@code allow} can earn those refusals, and a client in {@code
 * allow} is never refused by this, so an operator's own mail server cannot lock itself out.
 *
 * <p>The client is its IPv4 address, or its IPv6 /64: one IPv6 host has a /64 to draw addresses
 * from (RFC 4291 §2.5.1, RFC 8981), so counting its single addresses would count nothing. The
 * window is fixed, starting at the first refusal counted in it, as anvil's time unit is.
 *
 * <p>The table holds at most {@code capacity} clients, least recently seen evicted first; evictions
 * are counted: a flood from more /64s than that forgets its quietest
 * members, and the count ({@link SmtpCounters#refusalTableEvictions}) tells the operator. The event loops share one tracker: it is locked.
 */
final class RefusalTracker {
    /** Clients tracked at once: about 100 bytes each, some 1.6 MB at most. */
    static final int CAPACITY = 16_384;

    /** One client: its window of refusals, and the end of its block. */
    private static final class Counts {
        long windowStart;
        int count;
        long blockedUntil;
    }

    private final SmtpSettings.RefusalLimit limit;
    private final Clock clock;
    private final Map<InetAddress, Counts> clients;

    RefusalTracker(SmtpSettings.RefusalLimit limit, Clock clock, int capacity, SmtpCounters counters) {
        this.limit = limit;
        this.clock = clock;
        this.clients = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Counts> eldest) {
                if (size() > capacity) {
                    counters.refusalTableEvicted();
                    return true;
                }
                return false;
            }
        };
    }

    /** Whether {@code client} (unmapped: IPv4-mapped addresses are IPv4) is blocked now. */
    synchronized boolean blocked(InetAddress client) {
        if (!limit.enabled()) {
            return false;
        }
        Counts e = clients.get(key(client));
        return e != null && clock.millis() < e.blockedUntil;
    }

    /** Counts one relay refusal of {@code client}; true when it is the one that starts a block. */
    synchronized boolean refused(InetAddress client) {
        if (!limit.enabled()) {
            return false;
        }
        long now = clock.millis();
        Counts e = clients.computeIfAbsent(key(client), k -> new Counts());
        if (now < e.blockedUntil) {
            return false; // already blocked: a session open before the block; the block is not extended
        }
        if (e.count == 0 || now - e.windowStart >= limit.window().toMillis()) {
            e.windowStart = now;
            e.count = 0;
        }
        if (++e.count < limit.limit()) {
            return false;
        }
        e.count = 0;
        e.blockedUntil = now + limit.block().toMillis();
        return true;
    }

    /** Clients in the table now (tests). */
    synchronized int size() {
        return clients.size();
    }

    /** The /64 of an IPv6 client, an IPv4 client itself. */
    static InetAddress key(InetAddress client) {
        if (!(client instanceof Inet6Address)) {
            return client;
        }
        byte[] b = Arrays.copyOf(client.getAddress(), 16);
        Arrays.fill(b, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are an IPv6 address", e);
        }
    }

    /** The text of a client's key for the log: an IPv4 address, or an IPv6 /64. */
    static String text(InetAddress client) {
        InetAddress k = key(client);
        return k instanceof Inet6Address ? dev.isthmus.wire.Ipv6Address.ofBytes(k.getAddress()) + "/64"
                : k.getHostAddress();
    }
}
