package dev.isthmus.dataplane;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.JitWarmup;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.Offload;
import dev.isthmus.xlat.DynamicBindings;
import dev.isthmus.xlat.PacketTranslator;
import dev.isthmus.xlat.Translator;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One worker thread on one TUN queue: read → translate → write back to the same queue.
 *
 * <p>Each worker owns its descriptor, its packet buffer (native, with {@link PacketBuffer#HEADROOM}
 * in front so IPv4→IPv6 grows in place), its translator and its counters; nothing is shared
 * with other workers and nothing is allocated per packet — the sink writes straight from the
 * translator's segment. The descriptor is non-blocking: the worker polls with a 100 ms timeout
 * (which is also how it notices {@link #stop()}), then reads until EAGAIN (a batch).
 *
 * <p>With a virtio-net header the read lands so that the 10-byte header sits at the end of the
 * headroom and the packet just behind it; the header is turned into {@link Offload} facts for
 * the translator, and each output is written with {@code writev} as [header, packet] — except
 * UDP datagrams, which wait in a {@link UdpCoalescer} until the batch ends so that a burst of one
 * flow leaves as one super-packet.
 */
final class Worker implements Runnable, PacketSink {
    /** Counted down when the JIT warm-up is over and the worker reads its queue (or has failed). */
    private final CountDownLatch warm = new CountDownLatch(1);

    private static final System.Logger LOG = System.getLogger("dev.isthmus.dataplane");
    private static final int POLL_TIMEOUT_MS = 100;
    /** Publish the statistics at least every this many packets of a long batch. */
    private static final int PUBLISH_EVERY = 64;

    private final int index;
    private final int fd;
    /** Where output goes: {@link #fd}, or /dev/null while {@link #warmUp} runs. */
    private int writeFd;
    private final boolean vnet;
    private final PacketTranslator translator;
    private final XlatCounters counters = new XlatCounters();
    private final Offload offload = new Offload();
    private volatile boolean running = true;

    // Published statistics (single writer: this worker).
    private volatile long packetsIn;
    private volatile long packetsOut;
    private volatile long ioErrors;
    private volatile long superPacketsIn;
    private volatile long offloadRefused;
    private volatile long superPacketsOut;

    // The worker's own counts, published in batches.
    private long in;
    private long out;
    private long errors;
    private long supers;
    private long refused;
    private long supersOut;
    /** errno values (below 64) already logged, so each kind of failure is logged once. */
    private long loggedErrnos;

    // Native memory of the running worker (set in run()).
    private Syscalls sys;
    private PacketBuffer pkt;
    /** Bytes of virtio-net header in front of each packet read: 0 or {@link VirtioNetHeader#SIZE}. */
    private int vh;
    /** Where a read lands in {@link #pkt}: the header, if any, ends where the headroom does. */
    private int at;
    private MemorySegment header;
    private MemorySegment iov;
    private PacketBuffer spare;
    private int ecn;
    /** The read's checksum was verified by the kernel (virtio-net DATA_VALID). */
    private boolean dataValid;
    /** Set with the virtio-net header only. */
    private UdpCoalescer coalescer;

    Worker(int index, int fd, boolean vnet, XlatSettings settings) {
        this(index, fd, vnet, settings, null);
    }

    /** @param dynamic the dynamic address pool all workers share, or null */
    Worker(int index, int fd, boolean vnet, XlatSettings settings, DynamicBindings dynamic) {
        this(index, fd, vnet, c -> new Translator(settings, c, NanoClock.SYSTEM, dynamic));
    }

    /** With a translator of the factory's making (the stateful NAT64's, {@code nat}). */
    Worker(int index, int fd, boolean vnet, PacketTranslator.Factory factory) {
        this.index = index;
        this.fd = fd;
        this.writeFd = fd;
        this.vnet = vnet;
        this.translator = factory.create(counters);
    }

    XlatCounters counters() {
        return counters;
    }

    long packetsIn() {
        return packetsIn;
    }

    long packetsOut() {
        return packetsOut;
    }

    long ioErrors() {
        return ioErrors;
    }

    long superPacketsIn() {
        return superPacketsIn;
    }

    long offloadRefused() {
        return offloadRefused;
    }

    long superPacketsOut() {
        return superPacketsOut;
    }

    /**
     * Waits until the worker has warmed up and reads its queue, or has stopped; false when that
     * takes longer than {@code millis}.
     */
    boolean awaitWarm(long millis) throws InterruptedException {
        return warm.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Asks the worker to finish; it notices within one poll timeout. */
    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            sys = new Syscalls(arena);
            pkt = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            spare = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            header = arena.allocate(16, 8);
            iov = arena.allocate(32, 8);
            iov.set(ValueLayout.JAVA_LONG, 0, header.address());
            iov.set(ValueLayout.JAVA_LONG, 8, VirtioNetHeader.SIZE);
            coalescer = vnet ? new UdpCoalescer(arena) : null;
            vh = vnet ? VirtioNetHeader.SIZE : 0;
            at = PacketBuffer.HEADROOM - vh;
            warmUp(arena);
            warm.countDown();
            long pollfd = pollfd(arena, fd);
            while (running) {
                serve(translator, fd, pollfd, POLL_TIMEOUT_MS);
            }
            flush();
            publish();
        } catch (RuntimeException | Error e) {
            // Never die silently: the translator does not throw on any input, so this is a bug.
            LOG.log(System.Logger.Level.ERROR, "worker " + index + " stopped by an unexpected error", e);
            throw e;
        } finally {
            warm.countDown();
        }
    }

    /** A struct pollfd { int fd; short events; short revents; } for POLLIN on {@code fd}. */
    private static long pollfd(Arena arena, int fd) {
        MemorySegment pollfd = arena.allocate(8, 8);
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, Syscalls.POLLIN);
        return pollfd.address();
    }

    /**
     * One wake-up: polls {@code readFd} for up to {@code timeoutMillis}, reads it until it is
     * empty (a batch), translating each packet with {@code t}, then writes what waits in the
     * coalescer and publishes the counts.
     *
     * <p>A method of its own, entered once per wake-up, so that the JIT compiles it from the
     * warm-up on: a loop that never returns runs in the interpreter until on-stack replacement,
     * which at a ping's rate takes minutes, and an interpreted loop costs a sleeping worker tens
     * of microseconds per wake-up (measured with ftrace: poll's return to read's entry 18 µs,
     * against 2 µs when warm).
     */
    private void serve(PacketTranslator t, int readFd, long pollfd, int timeoutMillis) {
        int r = sys.poll(pollfd, 1, timeoutMillis);
        if (r < 0 && r != -Syscalls.EINTR) {
            error("poll", -r);
        }
        MemorySegment seg = pkt.segment();
        long readAddress = seg.address() + at;
        long readMax = seg.byteSize() - at;
        int batch = 0;
        while (true) {
            long n = sys.read(readFd, readAddress, readMax);
            if (n < 0) {
                if (n != -Syscalls.EAGAIN && n != -Syscalls.EINTR) {
                    error("read", (int) -n);
                }
                break;
            }
            in++;
            int len = (int) n - vh;
            pkt.set(PacketBuffer.HEADROOM, Math.max(0, len));
            if (vnet) {
                ecn = len < 0 ? VirtioNetHeader.REFUSE
                        : VirtioNetHeader.accept(seg, at, PacketBuffer.HEADROOM, len, offload);
                if (ecn < 0) {
                    refused++;
                    continue;
                }
                if (offload.segmentSize > 0) {
                    supers++;
                }
                dataValid = (VirtioNetHeader.flags(seg, at) & VirtioNetHeader.F_DATA_VALID) != 0;
                t.translate(pkt, this, offload);
            } else {
                t.translate(pkt, this);
            }
            if (++batch == PUBLISH_EVERY) {
                publish();
                batch = 0;
            }
        }
        flush();
        publish();
    }

    /**
     * Runs the worker's per-packet code many times before the first packet: {@link JitWarmup}'s
     * rounds go through {@link #serve} itself, read from a socket pair (with virtio-net headers
     * of each kind the kernel writes, when the device has them) and written to /dev/null, so the
     * JIT has compiled the loop, the system calls and the translator when the first real packet
     * arrives (FFM downcalls take a slow generic path until then); without it the first
     * thousands of packets — minutes of pings — see several times the steady latency. The
     * warm-up translators count apart; the worker's own counts are reset.
     */
    private void warmUp(Arena arena) {
        int devNull = sys.open(arena.allocateFrom("/dev/null"), Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
        MemorySegment pair = arena.allocate(8, 4);
        if (devNull < 0 || sys.socketpair(Syscalls.AF_UNIX,
                Syscalls.SOCK_DGRAM | Syscalls.SOCK_NONBLOCK | Syscalls.SOCK_CLOEXEC, pair) < 0) {
            return; // no warm-up: slower first packets, nothing worse
        }
        int feedFd = pair.get(ValueLayout.JAVA_INT, 0);
        int readFd = pair.get(ValueLayout.JAVA_INT, 4);
        long pollfd = pollfd(arena, readFd);
        writeFd = devNull;
        MemorySegment frame = arena.allocate(PacketBuffer.DEFAULT_CAPACITY);
        int[] round = {0};
        JitWarmup.run(translator.settings(), (t, packets) -> {
            // Every eighth round five times over: a batch longer than PUBLISH_EVERY.
            int repeat = round[0] % 8 == 0 ? 5 : 1;
            for (int k = 0; k < repeat; k++) {
                for (byte[] p : packets) {
                    int length = WarmupFrames.frame(frame, p, vnet, round[0]);
                    if (sys.write(feedFd, frame.address(), length) < 0) {
                        serve(t, readFd, pollfd, 0); // the socket is full: empty it and go on
                        sys.write(feedFd, frame.address(), length);
                    }
                }
                if (vnet) {
                    // Headers the worker refuses: a legacy UFO request, and a read shorter than the header.
                    sys.write(feedFd, frame.address(), WarmupFrames.refused(frame, packets.getFirst()));
                    sys.write(feedFd, frame.address(), VirtioNetHeader.SIZE - 1);
                }
            }
            serve(t, readFd, pollfd, 0);
            round[0]++;
        });
        sys.close(feedFd);
        sys.close(readFd);
        sys.close(devNull);
        writeFd = fd;
        offload.clear();
        in = 0;
        out = 0;
        errors = 0;
        supers = 0;
        refused = 0;
        supersOut = 0;
        publish();
    }

    private void publish() {
        packetsIn = in;
        packetsOut = out;
        ioErrors = errors;
        superPacketsIn = supers;
        offloadRefused = refused;
        superPacketsOut = supersOut;
    }

    @Override
    public void emit(MemorySegment segment, int offset, int length) {
        if (!segment.isNative()) {
            // The translator's buffers are all native; this only guards against a future heap one.
            spare.load(segment, offset, length);
            segment = spare.segment();
            offset = spare.offset();
        }
        if (coalescer != null && offload.segmentSize == 0
                && coalescer.coalescable(segment, offset, length, dataValid, offload.partialChecksum)) {
            if (coalescer.mustFlushBefore(segment, offset, length)) {
                flush();
            }
            coalescer.add(segment, offset, length, offload.partialChecksum);
            out++;
            if (coalescer.full()) {
                flush();
            }
            return;
        }
        flush();
        long address = segment.address() + offset;
        long r;
        if (vnet) {
            VirtioNetHeader.forOutput(header, 0, segment, offset, length, offload, ecn);
            iov.set(ValueLayout.JAVA_LONG, 16, address);
            iov.set(ValueLayout.JAVA_LONG, 24, length);
            r = sys.writev(writeFd, iov.address(), 2);
        } else {
            r = sys.write(writeFd, address, length);
        }
        if (r < 0) {
            error("write", (int) -r);
        } else {
            out++;
        }
    }

    /** Writes the datagrams waiting in the coalescer, if any: one packet or one super-packet. */
    private void flush() {
        if (coalescer == null || !coalescer.pending()) {
            return;
        }
        long before = coalescer.coalesced();
        long r = sys.write(writeFd, coalescer.address(), coalescer.seal());
        if (r < 0) {
            error("write", (int) -r);
        } else if (coalescer.coalesced() != before) {
            supersOut++;
        }
    }

    private void error(String call, int errno) {
        errors++;
        if (errno >= 64 || (loggedErrnos & 1L << errno) == 0) {
            if (errno < 64) {
                loggedErrnos |= 1L << errno;
            }
            LOG.log(System.Logger.Level.WARNING, "worker " + index + ": " + call + " on the TUN queue failed: "
                    + Syscalls.errnoName(errno) + " (counted; each kind is logged once)");
        }
    }
}
