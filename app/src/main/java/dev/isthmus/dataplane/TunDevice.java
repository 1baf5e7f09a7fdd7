package dev.isthmus.dataplane;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Linux TUN device opened with N queues (Documentation/networking/tuntap.rst, "Multiqueue
 * tuntap interface"): {@code /dev/net/tun} is opened once per queue and each descriptor is
 * attached to the same device with {@code TUNSETIFF} and {@code IFF_MULTI_QUEUE}. Every
 * descriptor is non-blocking; the workers poll.
 *
 * <p>A device that another isthmus holds is never taken over: before anything else the device's
 * lock file ({@code /run/isthmus/NAME.netINODE.lock}, the network namespace's inode in the name
 * since device names are per namespace) is locked ({@link LockFile}, removed again by
 * {@link #close}); a second {@code isthmus run} for the same device fails there. (Without the lock a second multi-queue
 * open would silently attach more queues to the first one's device.) A device some other
 * program holds without {@code IFF_MULTI_QUEUE} refuses the attach with EBUSY or EINVAL.
 */
final class TunDevice implements AutoCloseable {
    // linux/if_tun.h: _IOW('T', 202, int), _IOW('T', 208, unsigned int), _IOW('T', 216, int).
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final short IFF_TUN = 0x0001;
    static final short IFF_MULTI_QUEUE = 0x0100;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_USO4 = 0x20;
    static final int TUN_F_USO6 = 0x40;
    /** linux/if.h IFNAMSIZ, the terminating NUL included. */
    static final int IFNAMSIZ = 16;
    /** struct ifreq: the name, then a union whose first member for TUNSETIFF is short flags. */
    private static final int IFREQ_SIZE = 40;
    /** linux/tun.c MAX_TAP_QUEUES. */
    static final int MAX_QUEUES = 256;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /** Where the per-device lock files live; a test may point it elsewhere. */
    static final Path LOCK_DIR = Path.of(System.getProperty("isthmus.run.dir", "/run/isthmus"));

    private final String name;
    private final int[] fds;
    private final boolean vnetHeader;
    private final int offloadFlags;
    private final LockFile lock;

    private TunDevice(String name, int[] fds, boolean vnetHeader, int offloadFlags, LockFile lock) {
        this.name = name;
        this.fds = fds;
        this.vnetHeader = vnetHeader;
        this.offloadFlags = offloadFlags;
        this.lock = lock;
    }

    /** True when {@code name} is a valid interface name (IFNAMSIZ, and the characters we allow). */
    static boolean validName(String name) {
        return NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /**
     * Opens {@code queues} queues of device {@code name} (created if it does not exist).
     *
     * @param offload whether to ask for IFF_VNET_HDR and TUNSETOFFLOAD (checksum, TSO, USO)
     * @throws IOException with an operator-readable message when the device cannot be had
     */
    static TunDevice open(String name, int queues, boolean offload) throws IOException {
        if (!validName(name)) {
            throw new IOException("invalid device name \"" + name + "\": 1 to 15 characters of A-Z a-z 0-9 _ . -");
        }
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IOException("queue count " + queues + " is out of range 1.." + MAX_QUEUES);
        }
        Path lockFile = LOCK_DIR.resolve(name + "." + netnsId() + ".lock");
        LockFile lock;
        try {
            Files.createDirectories(LOCK_DIR, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            lock = LockFile.acquire(lockFile);
        } catch (IOException e) {
            throw new IOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = LockFile.holder(lockFile);
            throw new IOException("device " + name + " is in use by another isthmus (lock " + lockFile + " is held"
                    + (holder == null ? "" : " by " + holder) + ")");
        }
        List<Integer> opened = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            Syscalls sys = new Syscalls(arena);
            MemorySegment path = arena.allocateFrom("/dev/net/tun");
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            short flags = (short) (IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | (offload ? IFF_VNET_HDR : 0));
            String actual = name;
            for (int q = 0; q < queues; q++) {
                int fd = sys.open(path, Syscalls.O_RDWR | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC);
                if (fd < 0) {
                    throw new IOException("cannot open /dev/net/tun: " + Syscalls.errnoName(-fd));
                }
                opened.add(fd);
                ifr.fill((byte) 0);
                byte[] n = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
                ifr.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, flags);
                int r = sys.ioctl(fd, TUNSETIFF, ifr);
                if (r < 0) {
                    int errno = -r;
                    String why = switch (errno) {
                        case Syscalls.EBUSY -> "the device exists and is held by another program";
                        case Syscalls.EINVAL -> "the device exists with other flags (not a multi-queue TUN"
                                + (offload ? " with a virtio-net header" : "") + "?)";
                        case Syscalls.EPERM -> "permission denied: isthmus run needs CAP_NET_ADMIN";
                        default -> Syscalls.errnoName(errno);
                    };
                    throw new IOException("cannot attach queue " + q + " of TUN device " + name + ": " + why
                            + " (TUNSETIFF: " + Syscalls.errnoName(errno) + ")");
                }
                actual = ifr.getString(0, StandardCharsets.US_ASCII);
            }
            int features = 0;
            if (offload) {
                MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
                size.set(ValueLayout.JAVA_INT, 0, VirtioNetHeader.SIZE);
                int r = sys.ioctl(opened.getFirst(), TUNSETVNETHDRSZ, size);
                if (r < 0) {
                    throw new IOException("TUNSETVNETHDRSZ on " + name + ": " + Syscalls.errnoName(-r));
                }
                features = setOffload(sys, opened.getFirst());
            }
            int[] fds = opened.stream().mapToInt(Integer::intValue).toArray();
            return new TunDevice(actual, fds, offload, features, lock);
        } catch (IOException | RuntimeException e) {
            try (Arena arena = Arena.ofConfined()) {
                Syscalls sys = new Syscalls(arena);
                for (int fd : opened) {
                    sys.close(fd);
                }
            }
            lock.close();
            throw e;
        }
    }

    /**
     * TUNSETOFFLOAD with the most the kernel accepts: checksum + TSO4/6 + USO4/6 (USO since Linux
     * 6.2; an older kernel answers EINVAL for unknown bits), then without USO, then checksum
     * only. Returns the accepted TUN_F_* bits (0 when none).
     */
    private static int setOffload(Syscalls sys, int fd) {
        int[] tries = {
            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
            TUN_F_CSUM,
        };
        for (int f : tries) {
            if (sys.ioctl(fd, TUNSETOFFLOAD, f) == 0) {
                return f;
            }
        }
        sys.ioctl(fd, TUNSETOFFLOAD, 0);
        return 0;
    }

    /** The network namespace's identity (inode of /proc/self/ns/net), for the lock file name. */
    private static String netnsId() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[4026531840]
            return link.replaceAll("[^0-9]", "");
        } catch (IOException | UnsupportedOperationException e) {
            return "0";
        }
    }

    /** The device's name as the kernel reports it. */
    String name() {
        return name;
    }

    int queues() {
        return fds.length;
    }

    int fd(int queue) {
        return fds[queue];
    }

    /** Whether every read and write carries a virtio-net header. */
    boolean vnetHeader() {
        return vnetHeader;
    }

    /** The TUN_F_* offload bits the kernel accepted. */
    int offloadFlags() {
        return offloadFlags;
    }

    /** The accepted offload features by name (csum, tso4, tso6, uso4, uso6). */
    static Set<String> featureNames(int flags) {
        Set<String> s = new LinkedHashSet<>();
        if ((flags & TUN_F_CSUM) != 0) {
            s.add("csum");
        }
        if ((flags & TUN_F_TSO4) != 0) {
            s.add("tso4");
        }
        if ((flags & TUN_F_TSO6) != 0) {
            s.add("tso6");
        }
        if ((flags & TUN_F_USO4) != 0) {
            s.add("uso4");
        }
        if ((flags & TUN_F_USO6) != 0) {
            s.add("uso6");
        }
        return s;
    }

    /** Closes every queue (a non-persistent device disappears with its last queue) and the lock. */
    @Override
    public void close() {
        try (Arena arena = Arena.ofConfined()) {
            Syscalls sys = new Syscalls(arena);
            for (int fd : fds) {
                sys.close(fd);
            }
        }
        lock.close();
    }
}
