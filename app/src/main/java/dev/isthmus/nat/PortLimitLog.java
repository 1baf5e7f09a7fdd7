package dev.isthmus.nat;

import dev.isthmus.addr.Ipv6Prefix;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The log line for {@link NatVerdict#PORT_LIMIT} (RFC 6888 REQ-4), at most one a second: a
 * subscriber that opens flows in a loop is refused at packet rate and must not flood the journal.
 * The line names the subscriber it was written for and how many refusals went unlogged before it;
 * the verdict's counter sees every refusal. Workers call it outside every shard lock; it takes no
 * lock, and allocates only for the line it writes.
 */
final class PortLimitLog {
    private static final long SECOND = 1_000_000_000L;

    private final System.Logger log;
    /** The second of the last line, in the callers' clock. */
    private final AtomicLong lastSecond = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong unlogged = new AtomicLong();

    PortLimitLog(System.Logger log) {
        this.log = log;
    }

    /** One refusal of a new BIB entry of protocol {@code p} to subscriber {@code hi/lo/length}. */
    void refused(NatProtocol p, long hi, long lo, int length, int limit, long nowNanos) {
        long second = Math.floorDiv(nowNanos, SECOND);
        long last = lastSecond.get();
        if (last == second || !lastSecond.compareAndSet(last, second)) {
            unlogged.incrementAndGet();
            return;
        }
        long before = unlogged.getAndSet(0);
        log.log(System.Logger.Level.WARNING, "nat64: subscriber " + new Ipv6Prefix(hi, lo, length) + " holds "
                + limit + " " + p.key() + " ports (max-ports-per-subscriber): new " + p.key()
                + " mappings refused (port-limit)" + (before > 0 ? "; " + before + " refusals not logged before" : ""));
    }
}
