package dev.isthmus.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The process's open-file limit ({@code RLIMIT_NOFILE}), read and raised through getrlimit(2) and
 * setrlimit(2) with the FFM API. {@code isthmus run} raises the soft limit to the hard one at
 * start: the soft limit of a login shell (often 1024) is a relic of select(2), which nothing here
 * uses, and every connection of the socket plane is a descriptor. The socket plane then keeps a
 * reserve below the limit ({@code relay.DescriptorBudget}).
 */
final class OpenFileLimit {
    /** asm-generic/resource.h, the same on x86-64 and AArch64. */
    static final int RLIMIT_NOFILE = 7;
    /** {@code RLIM_INFINITY}: all ones in the kernel's unsigned 64-bit {@code rlim_t}. */
    static final long INFINITY = -1L;

    /** {@code struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }}, two unsigned 64-bit words. */
    private static final StructLayout RLIMIT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"));
    private static final VarHandle CUR = RLIMIT.varHandle(MemoryLayout.PathElement.groupElement("rlim_cur"));
    private static final VarHandle MAX = RLIMIT.varHandle(MemoryLayout.PathElement.groupElement("rlim_max"));

    /**
     * The soft and hard limits; {@link Long#MAX_VALUE} stands for unlimited.
     *
     * @param soft what the kernel enforces: a descriptor numbered this or higher is not given out
     * @param hard how far the soft limit may be raised without privilege
     */
    record Limits(long soft, long hard) {
        @Override
        public String toString() {
            return text(soft) + " (hard limit " + text(hard) + ")";
        }

        private static String text(long v) {
            return v == Long.MAX_VALUE ? "unlimited" : Long.toString(v);
        }
    }

    private OpenFileLimit() {}

    /** The limits now. */
    static Limits get() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(RLIMIT);
            call(Calls.GETRLIMIT, arena, r, "getrlimit");
            return new Limits(value((long) CUR.get(r, 0L)), value((long) MAX.get(r, 0L)));
        }
    }

    /** Raises the soft limit to the hard one (when lower) and returns the limits then in force. */
    static Limits raiseSoftToHard() {
        Limits now = get();
        if (now.soft() >= now.hard()) {
            return now;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(RLIMIT);
            long hard = now.hard() == Long.MAX_VALUE ? INFINITY : now.hard();
            CUR.set(r, 0L, hard);
            MAX.set(r, 0L, hard);
            call(Calls.SETRLIMIT, arena, r, "setrlimit");
        }
        return get();
    }

    private static long value(long raw) {
        return raw == INFINITY ? Long.MAX_VALUE : raw;
    }

    private static void call(MethodHandle h, Arena arena, MemorySegment rlimit, String name) {
        MemorySegment capture = arena.allocate(Linker.Option.captureStateLayout());
        int r;
        try {
            r = (int) h.invokeExact(capture, RLIMIT_NOFILE, rlimit);
        } catch (Throwable t) {
            throw new IllegalStateException(name + ": " + t, t);
        }
        if (r != 0) {
            int errno = (int) Calls.ERRNO.get(capture, 0L);
            throw new IllegalStateException(name + "(RLIMIT_NOFILE) failed: errno " + errno);
        }
    }

    /** The downcalls, linked on first use (a caller without native access gets IllegalCallerException). */
    private static final class Calls {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
        static final VarHandle ERRNO = Linker.Option.captureStateLayout()
                .varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle GETRLIMIT = handle("getrlimit");
        static final MethodHandle SETRLIMIT = handle("setrlimit");

        private static MethodHandle handle(String name) {
            MemorySegment symbol = LINKER.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
            return LINKER.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
        }
    }
}
