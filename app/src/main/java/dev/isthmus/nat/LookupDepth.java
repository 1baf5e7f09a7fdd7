package dev.isthmus.nat;

/**
 * The memory reads a successful lookup makes, averaged over what the tables hold now: the
 * algorithmic cost of a hit, which the table's size must not change (open addressing at load
 * ≤ 1/2 with backward-shift deletion keeps the probe sequences short). Measured by walking the
 * indexes, for the benchmarks and tests; not for the packet path.
 *
 * @param bibOutSlots index slots read to find a BIB entry by (X',x), mean over the entries
 * @param bibInSlots the same by (T,t)
 * @param sessionSlots session index slots read to find a session that its BIB entry's record
 *     does not hold, mean over those sessions (0 when there are none)
 * @param sessionsInBibRecord the share of sessions held in their BIB entry's own record, found
 *     with no session-index read at all
 */
public record LookupDepth(double bibOutSlots, double bibInSlots, double sessionSlots, double sessionsInBibRecord) {

    /** The sums the means come from, added up shard by shard. */
    static final class Sums {
        long bibOutSlots;
        long bibInSlots;
        long bibs;
        long sessionSlots;
        long sessions;
        long inBibRecord;

        LookupDepth means() {
            long indexed = sessions - inBibRecord;
            return new LookupDepth(mean(bibOutSlots, bibs), mean(bibInSlots, bibs), mean(sessionSlots, indexed),
                    mean(inBibRecord, sessions));
        }

        private static double mean(long sum, long n) {
            return n == 0 ? 0 : sum / (double) n;
        }
    }
}
