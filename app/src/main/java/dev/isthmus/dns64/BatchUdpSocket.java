package dev.isthmus.dns64;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A UDP socket that receives and sends many datagrams per system call (Linux recvmmsg(2),
 * sendmmsg(2), through the FFM API). On loopback a DNS answer from the cache costs far less in
 * the JVM than in the kernel (the profile of the cached benchmark: ≈ 80 % of the receiving
 * thread's time is in recvfrom and sendto), so the system calls are what a batch saves: one
 * receive for all the queries that are waiting, one send for all their answers.
 *
 * <p>The socket is blocking; {@link #receive} waits for the first datagram and then takes, without
 * waiting, what else is queued ({@code MSG_WAITFORONE}). A receive timeout lets the loop see
 * {@link #shutdown} even if the wake-up is missed. An IPv6 socket accepts IPv4 too (as the JDK's
 * channels do: {@code IPV6_V6ONLY} off); an IPv4 address gets an IPv4 socket, which spares every
 * datagram the IPv6 layer.
 *
 * <p>The descriptor is closed only under the write lock, every send holds the read lock: a
 * send from another thread (an answer that needed the upstream) never reaches a descriptor number
 * that the kernel has given to something else.
 */
final class BatchUdpSocket implements AutoCloseable {
    // Linux uapi constants, the same on x86-64 and AArch64 (asm-generic/socket.h, linux/in6.h).
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int MSG_WAITFORONE = 0x10000;
    private static final int SHUT_RDWR = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;

    /** The largest UDP payload; every slot holds one, so no datagram is ever cut. */
    static final int SLOT = 65_536;
    /** sizeof(struct sockaddr_in6); a sockaddr_in (16) fits too. */
    private static final int SOCKADDR = 28;
    private static final int SOCKADDR_SLOT = 32;
    /**
     * struct mmsghdr on LP64: struct msghdr {void *msg_name; socklen_t msg_namelen; struct iovec
     * *msg_iov; size_t msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags;} (56
     * bytes) then unsigned int msg_len, padded to 64.
     */
    private static final int MMSGHDR = 64;
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_LEN = 56;
    /** struct iovec {void *iov_base; size_t iov_len;}. */
    private static final int IOVEC = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    // Pointers travel as long (as in dataplane.Syscalls): the same register on x86-64 and AArch64.
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = handle("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVMMSG = handle("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SENDMMSG = handle("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = handle("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SHUTDOWN = handle("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int fd;
    private final InetSocketAddress local;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean fdClosed; // guarded by lock

    private BatchUdpSocket(int fd, InetSocketAddress local) {
        this.fd = fd;
        this.local = local;
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, ERRNO_OPTION);
    }

    /**
     * A socket bound to {@code address} (port 0: one the kernel picks).
     *
     * @param receiveTimeoutMillis how long {@link #receive} waits at most before it returns
     *     {@code -EAGAIN}
     * @throws IOException naming the errno when the socket cannot be made or bound
     */
    static BatchUdpSocket bind(InetSocketAddress address, int receiveTimeoutMillis) throws IOException {
        boolean v6 = address.getAddress() instanceof Inet6Address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int fd = (int) SOCKET.invokeExact(capture, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("socket: " + errnoText(errno(capture)));
            }
            try {
                if (v6) {
                    MemorySegment off = arena.allocate(JAVA_INT);
                    off.set(JAVA_INT, 0, 0);
                    check((int) SETSOCKOPT.invokeExact(capture, fd, IPPROTO_IPV6, IPV6_V6ONLY, off.address(), 4),
                            capture, "IPV6_V6ONLY");
                }
                MemorySegment timeval = arena.allocate(16, 8); // struct timeval {long tv_sec; long tv_usec;}
                timeval.set(JAVA_LONG, 0, receiveTimeoutMillis / 1000);
                timeval.set(JAVA_LONG, 8, (receiveTimeoutMillis % 1000) * 1000L);
                check((int) SETSOCKOPT.invokeExact(capture, fd, SOL_SOCKET, SO_RCVTIMEO, timeval.address(), 16),
                        capture, "SO_RCVTIMEO");
                MemorySegment sa = arena.allocate(SOCKADDR_SLOT, 8);
                int length = writeSockaddr(sa, address);
                check((int) BIND.invokeExact(capture, fd, sa.address(), length), capture, "bind");
                MemorySegment lengthField = arena.allocate(JAVA_INT);
                lengthField.set(JAVA_INT, 0, SOCKADDR);
                sa.fill((byte) 0);
                check((int) GETSOCKNAME.invokeExact(capture, fd, sa.address(), lengthField.address()), capture,
                        "getsockname");
                return new BatchUdpSocket(fd, readSockaddr(sa, 0));
            } catch (IOException | RuntimeException e) {
                int ignored = (int) CLOSE.invokeExact(capture, fd);
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    InetSocketAddress localAddress() {
        return local;
    }

    private static void check(int result, MemorySegment capture, String what) throws IOException {
        if (result < 0) {
            throw new IOException(what + ": " + errnoText(errno(capture)));
        }
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static String errnoText(int errno) {
        return switch (errno) {
            case 13 -> "EACCES (permission denied)";
            case 98 -> "EADDRINUSE (address already in use)";
            case 99 -> "EADDRNOTAVAIL (address not available)";
            case 97 -> "EAFNOSUPPORT (address family not supported)";
            default -> "errno " + errno;
        };
    }

    /**
     * Waits for datagrams and takes up to {@link Batch#SLOTS} into {@code b}: their number, or
     * -errno ({@code -EAGAIN} when the receive timeout passed with none).
     */
    int receive(Batch b) {
        for (int i = 0; i < b.received; i++) {
            b.recvHdrs.set(JAVA_INT, (long) i * MMSGHDR + MSG_NAMELEN, SOCKADDR);
        }
        b.received = 0;
        try {
            int n = (int) RECVMMSG.invokeExact(b.capture, fd, b.recvHdrs.address(), Batch.SLOTS, MSG_WAITFORONE, 0L);
            if (n < 0) {
                return -errno(b.capture);
            }
            b.received = n;
            b.answers = 0;
            return n;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Sends the answers queued in {@code b} ({@link Batch#answer}), all of them, in as few calls
     * as the kernel allows. A datagram the kernel refuses is skipped; the errno of the last such is
     * returned (0 when all went).
     */
    int send(Batch b) {
        int failed = 0;
        lock.readLock().lock();
        try {
            if (fdClosed) {
                return EBADF;
            }
            int sent = 0;
            while (sent < b.answers) {
                int n = (int) SENDMMSG.invokeExact(b.capture, fd, b.sendHdrs.address() + (long) sent * MMSGHDR,
                        b.answers - sent, 0);
                if (n > 0) {
                    sent += n;
                } else {
                    int e = n < 0 ? errno(b.capture) : 0;
                    if (e == EINTR) {
                        continue;
                    }
                    failed = e;
                    sent++; // the first datagram failed: drop it, send the rest
                }
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            lock.readLock().unlock();
        }
        b.answers = 0;
        return failed;
    }

    /** Sends one datagram to {@code sockaddr} (as {@link Batch#sockaddr} gave it); 0 or the errno. */
    int sendTo(byte[] datagram, byte[] sockaddr) {
        lock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (fdClosed) {
                return EBADF;
            }
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment buffer = arena.allocate(Math.max(1, datagram.length));
            MemorySegment.copy(datagram, 0, buffer, JAVA_BYTE, 0, datagram.length);
            MemorySegment to = arena.allocate(sockaddr.length);
            MemorySegment.copy(sockaddr, 0, to, JAVA_BYTE, 0, sockaddr.length);
            long r = (long) SENDTO.invokeExact(capture, fd, buffer.address(), (long) datagram.length, 0, to.address(),
                    sockaddr.length);
            return r < 0 ? errno(capture) : 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Wakes a thread waiting in {@link #receive} (which then returns at once, from now on). */
    void shutdown() {
        lock.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (!fdClosed) {
                int ignored = (int) SHUTDOWN.invokeExact(arena.allocate(CAPTURE_LAYOUT), fd, SHUT_RDWR);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (!fdClosed) {
                fdClosed = true;
                int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE_LAYOUT), fd);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** struct sockaddr_in or sockaddr_in6 for {@code a} into {@code sa}; its length. */
    private static int writeSockaddr(MemorySegment sa, InetSocketAddress a) {
        byte[] addr = a.getAddress().getAddress();
        sa.fill((byte) 0);
        sa.set(JAVA_BYTE, 2, (byte) (a.getPort() >>> 8)); // sin_port / sin6_port, network order
        sa.set(JAVA_BYTE, 3, (byte) a.getPort());
        if (addr.length == 4) {
            sa.set(JAVA_SHORT, 0, (short) AF_INET); // sa_family_t, host order
            MemorySegment.copy(addr, 0, sa, JAVA_BYTE, 4, 4);
            return 16;
        }
        sa.set(JAVA_SHORT, 0, (short) AF_INET6);
        MemorySegment.copy(addr, 0, sa, JAVA_BYTE, 8, 16);
        if (a.getAddress() instanceof Inet6Address v6) {
            sa.set(JAVA_INT, 24, v6.getScopeId());
        }
        return SOCKADDR;
    }

    /**
     * The address in the struct sockaddr at {@code off}; an IPv4-mapped IPv6 address (an IPv4
     * client of a dual-stack socket) as the IPv4 address, as the JDK's sockets give it.
     */
    private static InetSocketAddress readSockaddr(MemorySegment sa, long off) {
        int family = sa.get(JAVA_SHORT, off) & 0xffff;
        int port = ((sa.get(JAVA_BYTE, off + 2) & 0xff) << 8) | (sa.get(JAVA_BYTE, off + 3) & 0xff);
        byte[] addr;
        int scope = 0;
        if (family == AF_INET) {
            addr = new byte[4];
            MemorySegment.copy(sa, JAVA_BYTE, off + 4, addr, 0, 4);
        } else {
            addr = new byte[16];
            MemorySegment.copy(sa, JAVA_BYTE, off + 8, addr, 0, 16);
            scope = sa.get(JAVA_INT, off + 24);
        }
        try {
            InetAddress a = addr.length == 16 && scope != 0 && !isMapped(addr)
                    ? Inet6Address.getByAddress(null, addr, scope)
                    : InetAddress.getByAddress(addr); // turns ::ffff:a.b.c.d into an Inet4Address
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /**
     * The native memory of one receiving thread: {@link #SLOTS} datagram slots, each with its
     * sender's address, and the headers for one recvmmsg and one sendmmsg over them. An answer is
     * written into the slot its query came in (the query has been copied out by then) and sent
     * to the address it came from. Confined to the thread that made it.
     */
    static final class Batch implements AutoCloseable {
        static final int SLOTS = 64;

        private final Arena arena = Arena.ofConfined();
        private final MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
        private final MemorySegment recvHdrs = arena.allocate((long) SLOTS * MMSGHDR, 8);
        private final MemorySegment sendHdrs = arena.allocate((long) SLOTS * MMSGHDR, 8);
        private final MemorySegment recvIov = arena.allocate((long) SLOTS * IOVEC, 8);
        private final MemorySegment sendIov = arena.allocate((long) SLOTS * IOVEC, 8);
        private final MemorySegment names = arena.allocate((long) SLOTS * SOCKADDR_SLOT, 8);
        private final MemorySegment slots = arena.allocate((long) SLOTS * SLOT, 64);
        private int received;
        private int answers;
        /** The last sender seen, raw, and its Java form: a client sending many queries costs one. */
        private final byte[] lastName = new byte[SOCKADDR];
        private int lastNameLength = -1;
        private InetSocketAddress lastSender;

        Batch() {
            for (int i = 0; i < SLOTS; i++) {
                long h = (long) i * MMSGHDR;
                recvIov.set(JAVA_LONG, (long) i * IOVEC, slots.address() + (long) i * SLOT);
                recvIov.set(JAVA_LONG, (long) i * IOVEC + 8, SLOT);
                recvHdrs.set(JAVA_LONG, h + MSG_NAME, names.address() + (long) i * SOCKADDR_SLOT);
                recvHdrs.set(JAVA_INT, h + MSG_NAMELEN, SOCKADDR);
                recvHdrs.set(JAVA_LONG, h + MSG_IOV, recvIov.address() + (long) i * IOVEC);
                recvHdrs.set(JAVA_LONG, h + MSG_IOVLEN, 1);
                sendHdrs.set(JAVA_LONG, h + MSG_IOV, sendIov.address() + (long) i * IOVEC);
                sendHdrs.set(JAVA_LONG, h + MSG_IOVLEN, 1);
            }
        }

        /** The datagram received in slot {@code i}, copied out. */
        byte[] datagram(int i) {
            int length = recvHdrs.get(JAVA_INT, (long) i * MMSGHDR + MSG_LEN);
            byte[] d = new byte[Math.min(length, SLOT)];
            MemorySegment.copy(slots, JAVA_BYTE, (long) i * SLOT, d, 0, d.length);
            return d;
        }

        /** Who sent the datagram in slot {@code i}. */
        InetSocketAddress sender(int i) {
            int length = nameLength(i);
            long off = (long) i * SOCKADDR_SLOT;
            if (length == lastNameLength && sameName(off, length)) {
                return lastSender;
            }
            MemorySegment.copy(names, JAVA_BYTE, off, lastName, 0, Math.min(length, SOCKADDR));
            lastNameLength = length;
            lastSender = readSockaddr(names, off);
            return lastSender;
        }

        /** The raw address of the sender of slot {@code i}, for {@link BatchUdpSocket#sendTo}. */
        byte[] sockaddr(int i) {
            byte[] a = new byte[Math.min(nameLength(i), SOCKADDR)];
            MemorySegment.copy(names, JAVA_BYTE, (long) i * SOCKADDR_SLOT, a, 0, a.length);
            return a;
        }

        private int nameLength(int i) {
            return recvHdrs.get(JAVA_INT, (long) i * MMSGHDR + MSG_NAMELEN);
        }

        private boolean sameName(long off, int length) {
            for (int k = 0; k < length; k++) {
                if (names.get(JAVA_BYTE, off + k) != lastName[k]) {
                    return false;
                }
            }
            return true;
        }

        /** Queues {@code answer} (at most {@link #SLOT} bytes) to the sender of slot {@code i}. */
        void answer(int i, byte[] answer) {
            long slot = (long) i * SLOT;
            MemorySegment.copy(answer, 0, slots, JAVA_BYTE, slot, answer.length);
            long h = (long) answers * MMSGHDR;
            long v = (long) answers * IOVEC;
            sendIov.set(JAVA_LONG, v, slots.address() + slot);
            sendIov.set(JAVA_LONG, v + 8, answer.length);
            sendHdrs.set(JAVA_LONG, h + MSG_NAME, names.address() + (long) i * SOCKADDR_SLOT);
            sendHdrs.set(JAVA_INT, h + MSG_NAMELEN, nameLength(i));
            answers++;
        }

        /** The answers queued and not yet sent. */
        int answers() {
            return answers;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "UDP " + Dns64Settings.addressText(local);
    }
}
