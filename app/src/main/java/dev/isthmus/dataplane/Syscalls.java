package dev.isthmus.dataplane;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux system calls the data plane needs, through the FFM API (no JNI, no helper
 * binary): open, close, ioctl, read, write, writev, poll, and socketpair for the workers' JIT
 * warm-up.
 *
 * <p>Every call returns what the kernel returns, except that a failure comes back as
 * {@code -errno} (read through {@link Linker.Option#captureCallState}), so the packet loop needs
 * neither exceptions nor allocation. One instance per thread: the errno capture buffer is the
 * instance's own.
 *
 * <p>Buffers on the packet path are passed as raw addresses ({@code long}): on x86-64 and
 * AArch64 a pointer travels in the same register as a {@code long}, and the worker's buffers are
 * native memory that lives as long as the worker, so no segment object has to be made per call.
 * {@code read}, {@code write} and {@code writev} on a non-blocking descriptor return at once,
 * which is what {@link Linker.Option#critical} asks of a call.
 */
final class Syscalls {
    // Constants from the kernel's uapi headers (asm-generic/fcntl.h, asm-generic/errno-base.h,
    // asm-generic/poll.h) — x86-64 and AArch64 share them.
    static final int O_RDWR = 0x2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENOBUFS = 105;
    static final short POLLIN = 0x1;
    // linux/socket.h, linux/net.h (x86-64 and AArch64 values).
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = O_NONBLOCK;
    static final int SOCK_CLOEXEC = O_CLOEXEC;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = handle("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    // ioctl(int, unsigned long, ...): the third argument is variadic, a pointer or a value.
    // A value argument is passed as a full 64-bit word: the kernel reads an unsigned long, and
    // the upper half of a register that carries a C int is undefined.
    private static final MethodHandle IOCTL_PTR = handle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = handle("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPTION,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = handle("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPTION,
            Linker.Option.critical(false));
    private static final MethodHandle WRITE = handle("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_OPTION,
            Linker.Option.critical(false));
    private static final MethodHandle WRITEV = handle("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), ERRNO_OPTION,
            Linker.Option.critical(false));
    private static final MethodHandle POLL = handle("poll",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), ERRNO_OPTION);

    private static final MethodHandle SOCKETPAIR = handle("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);

    private final MemorySegment capture;

    /** Syscalls whose errno capture buffer lives in {@code arena} (the calling thread's). */
    Syscalls(Arena arena) {
        this.capture = arena.allocate(CAPTURE_LAYOUT);
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private int errno() {
        return (int) ERRNO.get(capture, 0L);
    }

    /** open(2) of a path given as a NUL-terminated C string; the descriptor or -errno. */
    int open(MemorySegment path, int flags) {
        try {
            int r = (int) OPEN.invokeExact(capture, path, flags, 0);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** close(2); 0 or -errno. */
    int close(int fd) {
        try {
            int r = (int) CLOSE.invokeExact(capture, fd);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** ioctl(2) with a pointer argument; the result or -errno. */
    int ioctl(int fd, long request, MemorySegment arg) {
        try {
            int r = (int) IOCTL_PTR.invokeExact(capture, fd, request, arg);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** ioctl(2) with a value argument; the result or -errno. */
    int ioctl(int fd, long request, long arg) {
        try {
            int r = (int) IOCTL_LONG.invokeExact(capture, fd, request, arg);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** read(2) into native memory at {@code address}; bytes read or -errno. */
    long read(int fd, long address, long length) {
        try {
            long r = (long) READ.invokeExact(capture, fd, address, length);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** write(2) from native memory at {@code address}; bytes written or -errno. */
    long write(int fd, long address, long length) {
        try {
            long r = (long) WRITE.invokeExact(capture, fd, address, length);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** writev(2) of {@code count} iovecs at {@code iov}; bytes written or -errno. */
    long writev(int fd, long iov, int count) {
        try {
            long r = (long) WRITEV.invokeExact(capture, fd, iov, count);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** poll(2) over {@code count} struct pollfd at {@code fds}; ready count, 0 on timeout, or -errno. */
    int poll(long fds, long count, int timeoutMillis) {
        try {
            int r = (int) POLL.invokeExact(capture, fds, count, timeoutMillis);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** socketpair(2) into the two ints at {@code fds}; 0 or -errno. */
    int socketpair(int domain, int type, MemorySegment fds) {
        try {
            int r = (int) SOCKETPAIR.invokeExact(capture, domain, type, 0, fds);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A short name for an errno value, for log lines. */
    static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM (operation not permitted: needs CAP_NET_ADMIN)";
            case ENOENT -> "ENOENT (no such file: is the tun module loaded?)";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES (permission denied)";
            case EBUSY -> "EBUSY (device or resource busy)";
            case EINVAL -> "EINVAL (invalid argument)";
            case ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
    }
}
