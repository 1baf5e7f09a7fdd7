package dev.isthmus.nat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The session log's file: the lines a {@link SessionLog} queues, written by a thread of their own
 * at most {@code flush-interval-ms} after they were queued (0: as soon as they are), and the run
 * records that give every start line an end even when isthmus was killed.
 *
 * <p>A written line has reached the kernel, so it survives the process being killed ({@code kill
 * -9}, an out-of-memory kill); lines still queued are lost with it, which is what the window
 * bounds. (There is no fsync: a power cut may lose what the kernel had not written to disk.)
 *
 * <p><b>Unclean stops.</b> While a run logs, a marker file beside the log ({@code FILE.running})
 * holds the time of its {@code run-start} record; a clean stop ends every session, writes
 * {@code run-end} with {@code "end":"stop"} and removes the marker. A start that finds the marker
 * writes, before its own {@code run-start}, {@code run-end} with {@code "end":"restart"} for the
 * run named in it: one record that ends every session the killed run left open, found in
 * constant time and memory however big the log is (the alternative, an end line per open session,
 * would mean reading back the whole of the previous run's log). The sessions really ended when
 * that run died, between its last record and this one.
 */
final class SessionLogFile implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("nat64");
    /** The marker's name is the log's with this appended. */
    static final String MARKER_SUFFIX = ".running";
    /** With a window of 0, how long the writer waits for a line before it looks at {@link #stop} again. */
    private static final long IDLE_WAIT_MS = 100;

    private final SessionLog log;
    private final Path file;
    private final Path marker;
    private final BufferedWriter out;
    private final long flushMillis;
    private final String run;
    private final int capacity;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread writer;
    private boolean failureReported;
    private long droppedReported;

    private SessionLogFile(SessionLog log, Path file, Path marker, BufferedWriter out, long flushMillis, String run,
            int capacity) {
        this.log = log;
        this.file = file;
        this.marker = marker;
        this.out = out;
        this.flushMillis = flushMillis;
        this.run = run;
        this.capacity = capacity;
        this.writer = Thread.ofPlatform().name("isthmus-nat64-log").daemon().unstarted(this::writeLoop);
    }

    /**
     * Opens {@code file} for appending (its directory created), ends the previous run's sessions
     * when that run did not stop cleanly, opens this run and starts the writer.
     *
     * @param flushMillis the window: lines are written at most this long after they are queued, 0 at once
     * @param capacity the queue's capacity, for the message when lines are lost
     * @throws IOException when the file or the marker cannot be written
     */
    static SessionLogFile open(SessionLog log, Path file, long flushMillis, int capacity, Clock clock)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path marker = file.resolveSibling(file.getFileName() + MARKER_SUFFIX);
        String previous = Files.exists(marker) ? previousRun(marker) : null;
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        String run = Instant.now(clock).toString();
        try {
            // In this order, so that a crash at any step leaves at worst a second run-end for the
            // same run, never a run without one.
            if (previous != null) {
                out.append(log.runEnd(previous, "restart")).append('\n');
                out.flush();
                LOG.log(System.Logger.Level.WARNING, "session log " + file + ": the run started at " + previous
                        + " did not stop cleanly; its open sessions are ended with \"end\":\"restart\"");
            }
            Path temporary = marker.resolveSibling(marker.getFileName() + ".tmp");
            Files.writeString(temporary, run + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            out.append(log.runStart(Instant.parse(run))).append('\n');
            out.flush();
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        SessionLogFile f = new SessionLogFile(log, file, marker, out, flushMillis, run, capacity);
        f.writer.start();
        return f;
    }

    /** The run named in the marker; a marker that is not a time still names a run, an unknown one. */
    private static String previousRun(Path marker) throws IOException {
        String text = Files.readString(marker, StandardCharsets.ISO_8859_1).strip();
        try {
            return Instant.parse(text).toString();
        } catch (DateTimeParseException e) {
            return "unknown";
        }
    }

    private void writeLoop() {
        try {
            if (flushMillis == 0) {
                while (stop.getCount() > 0) {
                    write(IDLE_WAIT_MS);
                }
            } else {
                while (!stop.await(flushMillis, TimeUnit.MILLISECONDS)) {
                    write(0);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued (waiting up to {@code waitMillis} for a first line); errors are logged, never fatal. */
    private synchronized void write(long waitMillis) throws InterruptedException {
        try {
            if (log.drainTo(out, waitMillis) > 0) {
                out.flush();
            }
            if (failureReported) {
                failureReported = false;
                LOG.log(System.Logger.Level.INFO, "session log " + file + " written again");
            }
        } catch (IOException e) {
            if (!failureReported) {
                failureReported = true;
                LOG.log(System.Logger.Level.ERROR, "cannot write the session log " + file + ": " + e.getMessage()
                        + " (logged once; lines are lost until it can)");
            }
        }
        long dropped = log.dropped();
        if (dropped != droppedReported) {
            LOG.log(System.Logger.Level.WARNING, "session log: " + (dropped - droppedReported)
                    + " lines lost (the queue of " + capacity + " was full)");
            droppedReported = dropped;
        }
    }

    /** Writes what is queued now (from the stopping thread, between shards as they are ended). */
    void writeQueued() {
        try {
            write(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the writer thread (what is still queued stays queued); true once it has ended. */
    boolean stopWriter() {
        stop.countDown();
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !writer.isAlive();
    }

    /**
     * A clean stop, once every session has been ended and written: the {@code run-end} record
     * ({@code "end":"stop"}), the file closed and the marker removed.
     */
    void finish() {
        synchronized (this) {
            try {
                log.drainTo(out);
                out.append(log.runEnd(run, "stop")).append('\n');
                out.flush();
                Files.deleteIfExists(marker);
            } catch (IOException e) {
                // The marker stays (or the record is missing): the next start ends this run again.
                LOG.log(System.Logger.Level.ERROR, "cannot end the session log " + file + ": " + e.getMessage());
            }
        }
        close();
    }

    /** Closes the file; without {@link #finish} the marker stays, so the next start ends this run. */
    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot close the session log " + file + ": " + e.getMessage());
        }
    }
}
