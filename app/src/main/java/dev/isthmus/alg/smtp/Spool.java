package dev.isthmus.alg.smtp;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The relay's durable queue (RFC 5321 §6.1: a message accepted with 250 is the relay's
 * responsibility until delivered or bounced): one file {@code <id>.msg} per message in a
 * directory, its content followed by its envelope ({@link MessageFile}), and, once its delivery
 * state has changed, a state file {@code <id>.env} ({@link EnvelopeFile}) that supersedes the
 * envelope in the message file; {@code tmp/} holds files being written and {@code corrupt/} files
 * set aside. Ids sort by arrival ({@link SpoolId}).
 *
 * <p>Durability: a message is visible to {@link #recover} only once {@link Writer#commit} has
 * appended the envelope to the content in {@code tmp/}, fsync'd the file, renamed it into the
 * spool directory — the commit point — and fsync'd the directory (one fsync for the renames of
 * every thread that committed meanwhile: {@link DirectorySync}); so a kill -9 at any instant
 * leaves either no message or a whole one. State updates ({@link #update}) are written the same
 * way: temporary name, fsync, atomic rename over the old state file, fsync of the directory.
 *
 * <p>At-least-once (RFC 5321 §6.1 prefers a duplicate to a loss): {@link #remove} deletes the
 * message file first, so a crash half-way leaves only a state file, which recovery removes. The
 * duplicate window: a message (or some recipients of it) that the next hop accepted, but whose
 * {@link #remove} (or {@link #update} with fewer pending recipients) had not yet returned when the
 * relay died, is sent again to those recipients after the restart. Beyond that window nothing is
 * sent twice.
 *
 * <p>One process owns a spool directory: the constructor takes a lock on {@code <spool>/lock}
 * and refuses a directory another process (or another open Spool) holds. Blocking: every method
 * may block on the disk; callers on an event loop hand them to an executor. Thread-safe:
 * operations on different messages never wait for each other; {@link #update} and
 * {@link #remove} of one message take turns.
 */
public final class Spool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("smtp");
    static final String MESSAGE = ".msg";
    static final String STATE = ".env";
    private static final String UPDATE = ".upd";
    private static final String LOCK = "lock";

    private final Path directory;
    private final Path tmp;
    private final Path corrupt;
    private final FileChannel lockFile;
    private final DirectorySync directorySync;
    private final SpoolId ids = new SpoolId();
    /** Messages begun and not yet committed or discarded: recovery leaves their files alone. */
    private final Set<String> writing = ConcurrentHashMap.newKeySet();
    /** A lock per message while one is updated, removed or recovered (see {@link #locked}). */
    private final ConcurrentHashMap<String, ReentrantLock> busy = new ConcurrentHashMap<>();

    /**
     * Opens (creating if needed) the spool directory and locks it.
     *
     * @throws IOException also when another process or another open Spool holds the directory
     */
    public Spool(Path directory) throws IOException {
        this.directory = directory;
        this.tmp = directory.resolve("tmp");
        this.corrupt = directory.resolve("corrupt");
        Files.createDirectories(tmp);
        Files.createDirectories(corrupt);
        this.lockFile = lock(directory.resolve(LOCK));
        try {
            this.directorySync = new DirectorySync(directory);
            directorySync.sync();
        } catch (IOException | RuntimeException e) {
            lockFile.close();
            throw e;
        }
    }

    /**
     * Two relays on one spool would deliver every message twice and delete each other's
     * temporaries: the second one is refused at start. The kernel frees the lock when the
     * process dies, so a crash leaves nothing to clean up.
     */
    private static FileChannel lock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, CREATE, WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException sameProcess) {
            // fall through: held by another Spool of this process
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        channel.close();
        throw new IOException("spool " + file.getParent() + " is in use by another relay (" + file + " is locked)");
    }

    /** Releases the directory's lock. */
    @Override
    public void close() throws IOException {
        try (lockFile) {
            directorySync.close();
        }
    }

    /** Starts a message: content goes to a temporary file, invisible to {@link #recover} until commit. */
    public Writer begin() throws IOException {
        String id = ids.next();
        writing.add(id);
        try {
            return new ContentWriter(id, FileChannel.open(tmp.resolve(id + MESSAGE), CREATE_NEW, WRITE));
        } catch (IOException | RuntimeException e) {
            writing.remove(id);
            throw e;
        }
    }

    /** A message being received. Not thread-safe (one session writes it). */
    public interface Writer extends AutoCloseable {
        /** The message's spool id (for the Received header and the log). */
        String id();

        /** Appends content bytes (the message as it will be sent on: dot-unstuffed, CRLF line ends). */
        void write(byte[] bytes, int offset, int length) throws IOException;

        /** Bytes written so far. */
        long size();

        /**
         * Makes the message durable with its envelope ({@code received} is set to now) and returns
         * it as queued, pending = every recipient, attempts 0, next attempt now. Only after this
         * returns may the server answer 250. If it throws, nothing of the message remains.
         */
        QueuedMessage commit(Envelope envelope) throws IOException;

        /** Discards the temporary content (RSET, a lost connection, a size limit): nothing remains. */
        @Override
        void close() throws IOException;
    }

    /**
     * Every committed message, as after a restart, sorted by id: leftovers in {@code tmp/} and
     * state files without a message (a removal cut short) are deleted. A message that cannot be
     * read — a trailer or state file the strict reader refuses, a file of the wrong length — is
     * moved with its state file to {@code corrupt/} under the spool, with a log line naming it and
     * the reason; the others are returned.
     */
    public List<QueuedMessage> recover() throws IOException {
        removeTemporaries();
        Names names = names();
        for (String id : names.states) {
            if (!names.messages.contains(id) && !Files.exists(message(id)) && Files.deleteIfExists(state(id))) {
                LOG.log(System.Logger.Level.INFO, "smtp spool: removed " + state(id)
                        + ", the state of a message that is gone (removed half-way)");
            }
        }
        List<QueuedMessage> messages = new ArrayList<>();
        for (String id : names.messages) {
            QueuedMessage m = locked(id, () -> recoverOne(id));
            if (m != null) {
                messages.add(m);
            }
        }
        return messages;
    }

    /** The message's content, from the first byte to its last (unbuffered; the envelope behind it is not read). */
    public InputStream content(QueuedMessage m) throws IOException {
        return new Bounded(Files.newInputStream(message(checked(m.id()))), m.size());
    }

    /**
     * Writes the new state durably (pending recipients, attempts, next attempt, last error).
     *
     * @throws NoSuchFileException if the message was removed
     */
    public void update(QueuedMessage m) throws IOException {
        String id = checked(m.id());
        byte[] bytes = EnvelopeFile.encode(m);
        locked(id, () -> {
            if (!Files.exists(message(id))) {
                // renaming would bring back a state without its message
                throw new NoSuchFileException(message(id).toString(), null, "message " + id + " is not in the spool");
            }
            Path target = state(id);
            Path temporary = tmp.resolve(id + "." + ids.next() + UPDATE);
            writeDurably(temporary, bytes);
            try {
                Files.move(temporary, target, ATOMIC_MOVE, REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(temporary);
                throw e;
            }
            directorySync.sync();
            return null;
        });
    }

    /** Removes a message whose recipients are all done (delivered or bounced). */
    public void remove(QueuedMessage m) throws IOException {
        String id = checked(m.id());
        locked(id, () -> {
            // the message first: see the class comment (a crash here leaves a state file, which recovery removes)
            boolean removed = Files.deleteIfExists(message(id));
            removed |= Files.deleteIfExists(state(id));
            if (removed) {
                directorySync.sync();
            }
            return null;
        });
    }

    /**
     * Messages now in the spool (for show smtp-queue), sorted by id, without reading their content
     * and without changing anything: files recovery would set aside or delete are left out.
     */
    public List<QueuedMessage> list() throws IOException {
        List<QueuedMessage> messages = new ArrayList<>();
        for (String id : names().messages) {
            try {
                messages.add(read(id));
            } catch (NoSuchFileException removed) {
                // removed since the directory was read
            } catch (EnvelopeFile.Malformed unreadable) {
                // recovery sets it aside with a log line
            }
        }
        return messages;
    }

    private QueuedMessage recoverOne(String id) throws IOException {
        try {
            return read(id);
        } catch (NoSuchFileException removed) {
            return null; // removed since the directory was read
        } catch (EnvelopeFile.Malformed e) {
            setAside(id, e.getMessage());
            return null;
        } catch (IOException e) {
            setAside(id, "cannot be read: " + e);
            return null;
        }
    }

    /** The message's latest state: its state file if it has one, else the trailer of its message file. */
    private QueuedMessage read(String id) throws IOException, EnvelopeFile.Malformed {
        try (FileChannel file = FileChannel.open(message(id), READ)) {
            byte[] state;
            try {
                state = readState(state(id));
            } catch (NoSuchFileException never) {
                return MessageFile.read(id, file);
            }
            QueuedMessage m = EnvelopeFile.parse(id, state);
            // the message file holds the content and the first envelope after it (MessageFile)
            if (file.size() < m.size()) {
                throw new EnvelopeFile.Malformed("its content has " + file.size() + " bytes, " + state(id).getFileName()
                        + " says " + m.size());
            }
            return m;
        }
    }

    private static byte[] readState(Path file) throws IOException, EnvelopeFile.Malformed {
        if (Files.size(file) > EnvelopeFile.MAX_BYTES) {
            throw new EnvelopeFile.Malformed("larger than " + EnvelopeFile.MAX_BYTES + " bytes");
        }
        return Files.readAllBytes(file);
    }

    /** Moves a message's files to corrupt/, where an operator can look at them; nothing is deleted. */
    private void setAside(String id, String reason) throws IOException {
        Path message = message(id);
        Path movedTo = moveAside(message);
        Path state = state(id);
        Path stateTo = Files.exists(state) ? moveAside(state) : null;
        directorySync.sync();
        LOG.log(System.Logger.Level.WARNING, "smtp spool: " + message + " cannot be read (" + reason
                + "): moved to " + movedTo + (stateTo == null ? "" : ", its state file to " + stateTo));
    }

    private Path moveAside(Path file) throws IOException {
        String name = file.getFileName().toString();
        Path target = corrupt.resolve(name);
        for (int n = 1; Files.exists(target); n++) {
            target = corrupt.resolve(name + "." + n);
        }
        Files.move(file, target, ATOMIC_MOVE);
        return target;
    }

    /** Deletes what writers that are gone left in tmp/ (a crash before commit returned). */
    private void removeTemporaries() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                int dot = name.indexOf('.');
                String id = dot < 0 ? name : name.substring(0, dot);
                // a file read here belongs to a writer that is still in writing, or to none
                if (!writing.contains(id) && !busy.containsKey(id) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        }
        if (removed > 0) {
            LOG.log(System.Logger.Level.INFO, "smtp spool: removed " + removed + " unfinished files from " + tmp);
        }
    }

    /** The spool directory's message and state files, by id, sorted. */
    private record Names(Set<String> messages, Set<String> states) {}

    private Names names() throws IOException {
        Names names = new Names(new TreeSet<>(), new TreeSet<>());
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(MESSAGE) && SpoolId.isValid(stem(name))) {
                    names.messages.add(stem(name));
                } else if (name.endsWith(STATE) && SpoolId.isValid(stem(name))) {
                    names.states.add(stem(name));
                }
            }
        }
        return names;
    }

    private static String stem(String name) {
        return name.substring(0, name.length() - MESSAGE.length()); // STATE has the same length
    }

    private Path message(String id) {
        return directory.resolve(id + MESSAGE);
    }

    private Path state(String id) {
        return directory.resolve(id + STATE);
    }

    private static String checked(String id) {
        if (!SpoolId.isValid(id)) {
            throw new IllegalArgumentException("not a spool id: " + EnvelopeFile.printable(String.valueOf(id)));
        }
        return id;
    }

    private interface DiskAction<T> {
        T run() throws IOException;
    }

    /**
     * Runs the action while holding the message's lock: only actions on the same message wait
     * for each other (a lock is in {@link #busy} while held, and a waiter retries once it is freed).
     */
    private <T> T locked(String id, DiskAction<T> action) throws IOException {
        ReentrantLock mine = new ReentrantLock();
        mine.lock();
        try {
            for (ReentrantLock other; (other = busy.putIfAbsent(id, mine)) != null; ) {
                other.lock(); // until its holder is done
                other.unlock();
            }
            try {
                return action.run();
            } finally {
                busy.remove(id, mine);
            }
        } finally {
            mine.unlock();
        }
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, CREATE_NEW, WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private final class ContentWriter implements Writer {
        private final String id;
        private final FileChannel channel;
        private long size;
        private boolean open = true;

        ContentWriter(String id, FileChannel channel) {
            this.id = id;
            this.channel = channel;
        }

        /** Unbuffered: sessions hand over content in chunks of many lines (SmtpSession.CHUNK). */
        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            ensureOpen();
            writeFully(ByteBuffer.wrap(bytes, offset, length));
            size += length;
        }

        private void writeFully(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public QueuedMessage commit(Envelope envelope) throws IOException {
            ensureOpen();
            Instant now = Instant.now();
            Envelope e = envelope.withReceived(now);
            QueuedMessage m = new QueuedMessage(id, e, e.recipients(), 0, now, null, size);
            byte[] trailer = MessageFile.trailer(m); // refuses before anything changes on disk
            open = false;
            Path temporary = tmp.resolve(id + MESSAGE);
            boolean committed = false;
            try {
                writeFully(ByteBuffer.wrap(trailer));
                channel.force(true);
                channel.close();
                Files.move(temporary, message(id), ATOMIC_MOVE); // the commit point
                directorySync.sync();
                committed = true;
                return m;
            } finally {
                if (!committed) {
                    // the server answers 4xx and the client sends again: leave no second copy
                    channel.close();
                    deleteQuietly(message(id));
                    deleteQuietly(temporary);
                }
                writing.remove(id);
            }
        }

        @Override
        public void close() throws IOException {
            if (!open) {
                return;
            }
            open = false;
            try {
                channel.close();
                Files.deleteIfExists(tmp.resolve(id + MESSAGE));
            } finally {
                writing.remove(id);
            }
        }

        private void ensureOpen() throws IOException {
            if (!open) {
                throw new IOException("message " + id + " is already committed or discarded");
            }
        }

        private void deleteQuietly(Path file) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "smtp spool: cannot delete " + file + " of a failed commit: " + e);
            }
        }
    }

    /** The first {@code limit} bytes of a stream: a message file's content without its trailer. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left == 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return len == 0 ? 0 : -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, left));
            left -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), left);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
