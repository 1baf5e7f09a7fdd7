package dev.isthmus.control;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * Closes a channel when time runs out. Unix domain socket channels have no read timeout of their
 * own (SO_RCVTIMEO is not exposed for them), and a blocked read returns as soon as its channel is
 * closed under it, so a sleeping virtual thread that closes the channel is the timeout.
 */
final class Deadline implements AutoCloseable {
    private final Thread sleeper;
    private volatile boolean expired;

    private Deadline(Duration timeout, Closeable target) {
        long millis = Math.max(1, timeout.toMillis());
        sleeper = Thread.ofVirtual().name("isthmus-deadline").start(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException cancelled) {
                return;
            }
            expired = true;
            try {
                target.close();
            } catch (IOException ignored) {
                // closing is all we wanted; the owner sees its read or write fail
            }
        });
    }

    static Deadline after(Duration timeout, Closeable target) {
        return new Deadline(timeout, target);
    }

    /** Whether the time ran out (and the target was closed because of it). */
    boolean expired() {
        return expired;
    }

    /** Cancels the deadline; the target stays open. */
    @Override
    public void close() {
        sleeper.interrupt();
    }
}
