package dev.isthmus.alg.smtp;

import static java.nio.file.StandardOpenOption.READ;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Group commit of a directory's fsync: the renames and deletions of every thread that asks while
 * an fsync is running are made durable together by the next one, instead of one fsync each. With
 * twenty sessions committing at once, each fsync of the spool directory (which also holds the
 * directory's lock against the renames waiting behind it) serves many messages.
 *
 * <p>Correctness: a caller is done only when an fsync that <em>began after</em> its call returned
 * (its request number is at most the number the fsync took when it began), so the fsync saw its
 * rename. A failed fsync satisfies nobody: each waiter then tries its own and gets its own error.
 */
final class DirectorySync implements AutoCloseable {
    private final FileChannel directory;
    /** Calls so far; an fsync that begins covers every call up to this number. */
    private long requested;
    /** Every call up to this number is durable. */
    private long completed;
    private boolean syncing;

    DirectorySync(Path directory) throws IOException {
        this.directory = FileChannel.open(directory, READ);
    }

    /** Returns once everything done in the directory before this call is on disk. */
    void sync() throws IOException {
        long covers;
        synchronized (this) {
            long mine = ++requested;
            while (syncing && completed < mine) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the spool directory's fsync", e);
                }
            }
            if (completed >= mine) {
                return;
            }
            syncing = true;
            covers = requested;
        }
        boolean done = false;
        try {
            directory.force(true);
            done = true;
        } finally {
            synchronized (this) {
                syncing = false;
                if (done) {
                    completed = covers;
                }
                notifyAll();
            }
        }
    }

    @Override
    public void close() throws IOException {
        directory.close();
    }
}
