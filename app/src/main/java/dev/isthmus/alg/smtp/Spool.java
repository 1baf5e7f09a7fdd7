package dev.isthmus.alg.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The relay's durable queue (RFC 5321 §6.1: a message accepted with 250 is the relay's
 * responsibility until delivered or bounced): one content file and one envelope/state file per
 * message in a directory. SKELETON: the API the server side and the delivery side code against;
 * the implementation is being written.
 *
 * <p>Durability: a message is visible to {@link #recover} only once {@link Writer#commit} has
 * written content and envelope to temporary names, fsync'd them, renamed them into place and
 * fsync'd the directory — so a kill -9 at any instant leaves either no message or a whole one.
 * State updates ({@link #update}) are written the same way (temporary name, fsync, rename).
 * Blocking: every method may block on the disk; callers on an event loop hand them to an executor.
 * Thread-safe.
 */
public final class Spool {
    /** Opens (creating if needed) the spool directory. */
    public Spool(Path directory) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Starts a message: content goes to a temporary file, invisible to {@link #recover} until commit. */
    public Writer begin() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** A message being received. Not thread-safe (one session writes it). */
    public interface Writer extends AutoCloseable {
        /** Appends content bytes (the message as it will be sent on: dot-unstuffed, CRLF line ends). */
        void write(byte[] bytes, int offset, int length) throws IOException;

        /** Bytes written so far. */
        long size();

        /**
         * Makes the message durable with its envelope ({@code received} is set to now) and returns
         * it as queued, pending = every recipient, attempts 0, next attempt now. Only after this
         * returns may the server answer 250.
         */
        QueuedMessage commit(Envelope envelope) throws IOException;

        /** Discards the temporary content (RSET, a lost connection, a size limit): nothing remains. */
        @Override
        void close() throws IOException;
    }

    /**
     * Every committed message, as after a restart (temporary files of uncommitted ones removed).
     * A file that cannot be read is moved to {@code corrupt/} under the spool, with a log line
     * naming it; the others are returned.
     */
    public List<QueuedMessage> recover() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** The message's content, from the first byte. */
    public InputStream content(QueuedMessage m) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Writes the new state durably (pending recipients, attempts, next attempt, last error). */
    public void update(QueuedMessage m) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Removes a message whose recipients are all done (delivered or bounced). */
    public void remove(QueuedMessage m) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Messages now in the spool (for show smtp-queue), without reading their content. */
    public List<QueuedMessage> list() throws IOException {
        throw new UnsupportedOperationException("not yet");
    }
}
