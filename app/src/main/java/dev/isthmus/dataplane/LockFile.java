package dev.isthmus.dataplane;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * A lock file held while a run uses what only one run may use (its TUN device): locked with
 * {@link FileChannel#tryLock()}, so that the kernel releases it with the process however the
 * process ends, and removed when the run ends cleanly, so that {@code /run/isthmus/} does not
 * collect the files of every device ever run.
 *
 * <p>Removing a lock file opens a race: a run that opened the file just before the holder removed
 * it locks the removed file once the holder lets go, while a third run creates and locks a new
 * file under the name — two holders. So the holder removes the name while it still holds the
 * lock, and a run that gets a lock checks that the name still leads to the file it locked: it
 * writes a token of its own (its pid and a random number) into that file and reads the name back.
 * Only the holder of a file's lock writes into it, so the token comes back only from the locked
 * file; otherwise the run lets go and starts over. The token also tells an operator which process
 * holds the device.
 *
 * <p>The lock is a POSIX record lock, which the process loses as soon as it closes <em>any</em>
 * descriptor of the file (fcntl(2), "Record locking"): the descriptor the name is read back
 * through stays open as long as the lock is held, and nothing else in the process may open the file.
 */
final class LockFile implements AutoCloseable {
    /** Rounds of "the name led elsewhere" before giving up (each needs another run to come and go). */
    static final int MAX_ATTEMPTS = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    /** The descriptor the name was read back through: closing it would drop the lock. */
    private final FileChannel readBack;

    private LockFile(Path path, FileChannel channel, FileLock lock, FileChannel readBack) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.readBack = readBack;
    }

    /**
     * Locks {@code path}, creating it when missing (its directory must exist).
     *
     * @return the held lock, or null when another process (or this one) holds it
     * @throws IOException when the file cannot be created, locked or written
     */
    static LockFile acquire(Path path) throws IOException {
        String token = ProcessHandle.current().pid() + " " + Long.toHexString(RANDOM.nextLong()) + "\n";
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            if (lock == null) {
                ch.close();
                return null;
            }
            try {
                FileChannel readBack = readBack(path, ch, token);
                if (readBack != null) {
                    return new LockFile(path, ch, lock, readBack);
                }
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            ch.close(); // a file removed under us: let go of it and lock what the name leads to now
        }
        throw new IOException("the lock file " + path + " was replaced " + MAX_ATTEMPTS + " times while being locked");
    }

    /**
     * Writes {@code token} into the locked file behind {@code ch} and reads {@code path}: the
     * channel it was read through when the token came back (the name leads to the locked file;
     * keep it open), else null.
     */
    static FileChannel readBack(Path path, FileChannel ch, String token) throws IOException {
        ch.truncate(0);
        byte[] bytes = token.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long at = 0;
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
        FileChannel reader;
        try {
            reader = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
        ByteBuffer got = ByteBuffer.allocate(bytes.length + 1);
        while (got.hasRemaining() && reader.read(got) > 0) {
            // until the token's length and one more byte, or the end
        }
        if (got.position() == bytes.length && got.flip().equals(ByteBuffer.wrap(bytes))) {
            return reader;
        }
        reader.close(); // another file: closing it drops no lock of ours
        return null;
    }

    /** The holder as its token names it ({@code "pid 1234"}), or null when the file says nothing readable. */
    static String holder(Path path) {
        try {
            String t = Files.readString(path, StandardCharsets.US_ASCII).strip();
            int space = t.indexOf(' ');
            String pid = space < 0 ? t : t.substring(0, space);
            return pid.matches("[0-9]{1,10}") ? "pid " + pid : null;
        } catch (IOException e) {
            return null;
        }
    }

    Path path() {
        return path;
    }

    /** Removes the file, then lets go of the lock (in this order: see the class comment). */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Left behind, it is only a file: the next run locks it as it would a new one.
        }
        try {
            lock.release();
            channel.close();
            readBack.close();
        } catch (IOException e) {
            // The lock goes with the process anyway; nothing else to undo.
        }
    }
}
