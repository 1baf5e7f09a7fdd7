package dev.isthmus.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code isthmus run} initialises at start, before any listener accepts, because its first
 * use needs new file descriptors and a first use that meets {@code EMFILE} would break it for the
 * rest of the process's life.
 *
 * <p>What was poisoned in the incident of issue 19: the JDK parks a virtual thread that waits for
 * I/O with its poller, {@code sun.nio.ch.Poller}, whose static initialiser creates the poller
 * threads and their epoll descriptors ({@code EPoll.create}). It ran first when the control socket
 * served its first request on a virtual thread, which was in the middle of a connection flood:
 * {@code epoll_create} failed with "Too many open files", the initialiser threw, and the JVM marks
 * a class whose initialiser threw as erroneous for good, so every later virtual-thread read
 * failed with {@code NoClassDefFoundError: sun.nio.ch.Poller}. The control server's connection
 * threads died before answering, the client saw its connection close ("Broken pipe"), long after
 * the flood had ended. The same fate awaits a classpath jar the class loader first opens while no
 * descriptor is left: the loader drops a jar it cannot open, and its classes are then missing.
 */
final class EarlyInit {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.cli");
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private EarlyInit() {}

    /** Both of the below; a failure is logged (the process can still run, only less robustly). */
    static void run() {
        openClassPath();
        try {
            startVirtualThreadPoller();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot start the JDK's virtual-thread I/O poller early: " + e);
        }
    }

    /**
     * Makes the application class loader open every jar of the class path now: it opens them
     * lazily, in order, as a lookup needs them, so a lookup that finds nothing opens them all.
     */
    static void openClassPath() {
        ClassLoader.getSystemClassLoader().getResource("dev/isthmus/cli/no-such-resource");
    }

    /**
     * Parks a virtual thread in a blocking read, which makes the JDK initialise its poller (and
     * create its epoll descriptors) now; a byte written to the pipe then ends it.
     *
     * @throws IOException when the pipe cannot be made or the poller cannot start
     */
    static void startVirtualThreadPoller() throws IOException {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().name("isthmus-poller-start").start(() -> {
                try {
                    source.read(ByteBuffer.allocate(1));
                } catch (IOException | RuntimeException | LinkageError e) {
                    failed.set(e);
                }
            });
            long end = System.nanoTime() + WAIT_NANOS;
            // WAITING: parked in the poller, so past its initialisation.
            while (reader.isAlive() && reader.getState() != Thread.State.WAITING && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            sink.write(ByteBuffer.wrap(new byte[] {1}));
            try {
                reader.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failed.get() != null) {
                throw new IOException("a virtual thread's read failed: " + failed.get(), failed.get());
            }
        }
    }
}
