package dev.isthmus.dataplane;

import dev.isthmus.wire.PacketSink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Packets that the data plane originates outside the packet loop (the NAT64's TCP probes and
 * stored-SYN ICMP errors, made by its housekeeping thread): written into the device's first
 * queue, so that the kernel routes them as if a worker had translated them. A TUN write of one
 * packet is atomic, so sharing the queue with its worker is safe; the copy and the system call
 * are serialized here. Not for the hot path: one write(2) per packet, a few per second at most.
 */
final class Injector implements PacketSink {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dataplane");
    /** Up to the largest packet a worker writes (an MTU-sized IPv6 packet plus the header). */
    private static final int CAPACITY = 65_536;

    private final int fd;
    private final int vh;
    private final Arena arena = Arena.ofShared();
    private final Syscalls sys = new Syscalls(arena);
    private final MemorySegment buffer = arena.allocate(CAPACITY, 16);
    private boolean closed;
    private boolean failureLogged;

    Injector(int fd, boolean vnetHeader) {
        this.fd = fd;
        this.vh = vnetHeader ? VirtioNetHeader.SIZE : 0;
    }

    /**
     * Writes one packet. After {@link #close} it is discarded; a failed write is logged once
     * (the caller counts what it asked for), never thrown.
     */
    @Override
    public synchronized void emit(MemorySegment segment, int offset, int length) {
        if (closed) {
            return;
        }
        long r = -Syscalls.EINVAL;
        if (length + vh <= CAPACITY) {
            // A zero virtio-net header: no checksum offload, no segmentation (the packet is complete).
            buffer.asSlice(0, vh).fill((byte) 0);
            MemorySegment.copy(segment, offset, buffer, vh, length);
            r = sys.write(fd, buffer.address(), length + vh);
        }
        if (r < 0 && !failureLogged) {
            failureLogged = true;
            LOG.log(System.Logger.Level.WARNING, "cannot write an originated packet into the device: "
                    + Syscalls.errnoName((int) -r) + " (logged once)");
        }
    }

    synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
