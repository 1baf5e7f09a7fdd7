package dev.isthmus.addr;

import java.lang.management.ManagementFactory;

/** Measures heap allocation of the current thread, to hold the hot-path methods to "allocates nothing". */
final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {}

    /**
     * Bytes allocated while {@code work} runs, after running it once to warm up. A few hundred
     * thousand calls that allocated even one object each would show megabytes; a small remainder
     * is allowed for the measurement itself.
     */
    static long of(Runnable work) {
        work.run();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        work.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** Generous bound for the measurement's own noise; per-call allocation would be far above it. */
    static final long NOISE = 4096;
}
