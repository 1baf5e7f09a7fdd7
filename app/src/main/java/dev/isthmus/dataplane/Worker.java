package dev.isthmus.dataplane;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.JitWarmup;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.Offload;
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
 * translator's segment. The descriptor is non-blocking: the worker reads until EAGAIN (a batch),
 * then polls with a 100 ms timeout, which is also how it notices {@link #stop()}.
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
    /** Reads and polls of {@link #warmUp}: past HotSpot's C2 thresholds, as in {@link JitWarmup}. */
    private static final int SYSCALL_WARMUP_ROUNDS = 20_000;
    /** Publish the statistics at least every this many packets of a long batch. */
    private static final int PUBLISH_EVERY = 64;

    private final int index;
    private final int fd;
    /** Where output goes: {@link #fd}, or /dev/null while {@link #warmUp} runs. */
    private int writeFd;
    private final boolean vnet;
    private final Translator translator;
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
    private MemorySegment header;
    private MemorySegment iov;
    private PacketBuffer spare;
    private int ecn;
    /** The read's checksum was verified by the kernel (virtio-net DATA_VALID). */
    private boolean dataValid;
    /** Set with the virtio-net header only. */
    private UdpCoalescer coalescer;

    Worker(int index, int fd, boolean vnet, XlatSettings settings) {
        this.index = index;
        this.fd = fd;
        this.writeFd = fd;
        this.vnet = vnet;
        this.translator = new Translator(settings, counters, NanoClock.SYSTEM);
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
            PacketBuffer pkt = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            spare = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            header = arena.allocate(16, 8);
            iov = arena.allocate(32, 8);
            iov.set(ValueLayout.JAVA_LONG, 0, header.address());
            iov.set(ValueLayout.JAVA_LONG, 8, VirtioNetHeader.SIZE);
            coalescer = vnet ? new UdpCoalescer(arena) : null;
            // struct pollfd { int fd; short events; short revents; }
            MemorySegment pollfd = arena.allocate(8, 8);
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, Syscalls.POLLIN);
            MemorySegment seg = pkt.segment();
            int vh = vnet ? VirtioNetHeader.SIZE : 0;
            int at = PacketBuffer.HEADROOM - vh;
            long readAddress = seg.address() + at;
            long readMax = seg.byteSize() - at;
            warmUp(arena, seg, at);
            warm.countDown();
            int batch = 0;
            while (running) {
                long n = sys.read(fd, readAddress, readMax);
                if (n < 0) {
                    if (n != -Syscalls.EAGAIN && n != -Syscalls.EINTR) {
                        error("read", (int) -n);
                    }
                    flush();
                    publish();
                    batch = 0;
                    int r = sys.poll(pollfd.address(), 1, POLL_TIMEOUT_MS);
                    if (r < 0 && r != -Syscalls.EINTR) {
                        error("poll", -r);
                    }
                    continue;
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
                    translator.translate(pkt, this, offload);
                } else {
                    translator.translate(pkt, this);
                }
                if (++batch == PUBLISH_EVERY) {
                    publish();
                    batch = 0;
                }
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

    /**
     * Runs the worker's per-packet code many times before the first packet, its output going to
     * /dev/null: the translator over {@link JitWarmup}'s mix with this worker as its sink, and
     * the reads, polls and header steps the loop makes. The JIT has then compiled all of it
     * (FFM downcalls take a slow generic path until then); without it the first thousands of
     * packets — minutes of pings — see several times the steady latency. The private translator
     * counts apart; the worker's own counts are reset.
     */
    private void warmUp(Arena arena, MemorySegment seg, int at) {
        int devNull = sys.open(arena.allocateFrom("/dev/null"), Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
        if (devNull < 0) {
            return;
        }
        writeFd = devNull;
        JitWarmup.run(translator.settings(), this);
        flush();
        MemorySegment pollfd = arena.allocate(8, 8);
        pollfd.set(ValueLayout.JAVA_INT, 0, devNull);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, Syscalls.POLLIN);
        VirtioNetHeader.write(seg, at, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
        for (int i = 0; i < SYSCALL_WARMUP_ROUNDS; i++) {
            // A failing read too (fd -1: EBADF): the live loop's reads end in EAGAIN, and a
            // branch the JIT never saw taken would send the read back to the interpreter.
            sys.read((i & 1) == 0 ? devNull : -1, seg.address() + at, 0);
            sys.poll(pollfd.address(), 1, 0);
            VirtioNetHeader.accept(seg, at, PacketBuffer.HEADROOM, 64, offload);
        }
        sys.close(devNull);
        writeFd = fd;
        offload.clear();
        in = 0;
        out = 0;
        errors = 0;
        supersOut = 0;
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
