package dev.isthmus.xlat;

import java.lang.management.ManagementFactory;

/** Heap allocation of the current thread, to hold the 6→4 hot path to "allocates nothing". */
final class Xlat64Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Generous bound for the measurement's own noise; per-call allocation would be far above it. */
    static final long NOISE = 4096;

    private Xlat64Allocations() {}

    /** Bytes allocated while {@code work} runs, after running it twice to warm up. */
    static long of(Runnable work) {
        work.run();
        work.run();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        work.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
