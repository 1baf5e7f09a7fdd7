package dev.isthmus.relay;

/**
 * One log line per refusal, at most {@value #LINES_PER_SECOND} a second: a client (or an attacker)
 * that is refused in a loop must not flood the journal. Lines beyond the limit are counted and
 * reported in one line when the next second's first line is logged; the counters always see
 * every refusal.
 */
public final class RateLimitedLog {
    static final int LINES_PER_SECOND = 10;

    private final System.Logger log;
    private long second;
    private int lines;
    private long suppressed;

    public RateLimitedLog(System.Logger log) {
        this.log = log;
    }

    /** Logs {@code message} at WARNING unless this second's budget is spent. */
    public void warn(String message) {
        String skipped = null;
        synchronized (this) {
            long now = System.nanoTime() / 1_000_000_000L;
            if (now != second) {
                if (suppressed > 0) {
                    skipped = suppressed + " similar lines suppressed";
                }
                second = now;
                lines = 0;
                suppressed = 0;
            }
            if (lines == LINES_PER_SECOND) {
                suppressed++;
                return;
            }
            lines++;
        }
        if (skipped != null) {
            log.log(System.Logger.Level.WARNING, skipped);
        }
        log.log(System.Logger.Level.WARNING, message);
    }
}
