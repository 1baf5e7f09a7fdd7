package dev.isthmus.alg.smtp;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
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
 * responsibility until delivered or bounced): one content file {@code <id>.msg} and one
 * envelope/state file {@code <id>.env} ({@link EnvelopeFile}) per message in a directory, with
 * {@code tmp/} for files being written and {@code corrupt/} for files set aside. Ids sort by
 * arrival ({@link SpoolId}).
 *
 * <p>Durability: a message is visible to {@link #recover} only once {@link Writer#commit} has
 * written content and envelope to temporary names in {@code tmp/}, fsync'd them, renamed the
 * content into place, then the envelope — the envelope's presence is the commit point — and
 * fsync'd the directory; so a kill -9 at any instant leaves either no message or a whole one (a
 * content file without envelope is an uncommitted leftover that {@link #recover} removes). State
 * updates ({@link #update}) are written the same way: temporary name, fsync, atomic rename over
 * the old envelope, fsync of the directory.
 *
 * <p>At-least-once (RFC 5321 §6.1 prefers a duplicate to a loss): {@link #remove} deletes the
 * envelope first, so a crash half-way leaves only a content file, which recovery removes; the
 * reverse order would leave an envelope without content. The duplicate window: a message (or
 * some recipients of it) that the next hop accepted, but whose {@link #remove} (or
 * {@link #update} with fewer pending recipients) had not yet returned when the relay died, is
 * sent again to those recipients after the restart. Beyond that window nothing is sent twice.
 *
 * <p>One process owns a spool directory. Blocking: every method may block on the disk; callers on
 * an event loop hand them to an executor. Thread-safe: operations on different messages never
 * wait for each other; {@link #update} and {@link #remove} of one message take turns.
 */
public final class Spool {
    private static final System.Logger LOG = System.getLogger("smtp");
    static final String CONTENT = ".msg";
    static final String ENVELOPE = ".env";
    private static final String UPDATE = ".upd";

    private final Path directory;
    private final Path tmp;
    private final Path corrupt;
    private final SpoolId ids = new SpoolId();
    /** Messages begun and not yet committed or discarded: recovery leaves their files alone. */
    private final Set<String> writing = ConcurrentHashMap.newKeySet();
    /** A lock per message while one is updated, removed or recovered (see {@link #locked}). */
    private final ConcurrentHashMap<String, ReentrantLock> busy = new ConcurrentHashMap<>();

    /** Opens (creating if needed) the spool directory. */
    public Spool(Path directory) throws IOException {
        this.directory = directory;
        this.tmp = directory.resolve("tmp");
        this.corrupt = directory.resolve("corrupt");
        Files.createDirectories(tmp);
        Files.createDirectories(corrupt);
        syncDirectory(directory);
    }

    /** Starts a message: content goes to a temporary file, invisible to {@link #recover} until commit. */
    public Writer begin() throws IOException {
        String id = ids.next();
        writing.add(id);
        try {
            return new ContentWriter(id, FileChannel.open(tmp.resolve(id + CONTENT), CREATE_NEW, WRITE));
        } catch (IOException | RuntimeException e) {
            writing.remove(id);
            throw e;
        }
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
         * returns may the server answer 250. If it throws, nothing of the message remains.
         */
        QueuedMessage commit(Envelope envelope) throws IOException;

        /** Discards the temporary content (RSET, a lost connection, a size limit): nothing remains. */
        @Override
        void close() throws IOException;
    }

    /**
     * Every committed message, as after a restart, sorted by id: leftovers in {@code tmp/} and
     * content files without an envelope (uncommitted, or half removed) are deleted. A file that
     * cannot be read — an envelope the strict reader refuses, an envelope whose content is missing
     * or of another size — is moved with its content to {@code corrupt/} under the spool, with a
     * log line naming it and the reason; the others are returned.
     */
    public List<QueuedMessage> recover() throws IOException {
        removeTemporaries();
        Names names = names();
        for (String id : names.contents) {
            // writing first, then the envelope: a commit that ends between the two checks has
            // renamed its envelope into place before it left the writing set
            if (!names.envelopes.contains(id) && !writing.contains(id) && !Files.exists(envelope(id))) {
                if (Files.deleteIfExists(content(id))) {
                    LOG.log(System.Logger.Level.INFO, "smtp spool: removed " + content(id)
                            + ", content without envelope (never committed, or removed half-way)");
                }
            }
        }
        List<QueuedMessage> messages = new ArrayList<>();
        for (String id : names.envelopes) {
            QueuedMessage m = locked(id, () -> recoverOne(id));
            if (m != null) {
                messages.add(m);
            }
        }
        return messages;
    }

    /** The message's content, from the first byte (unbuffered). */
    public InputStream content(QueuedMessage m) throws IOException {
        return Files.newInputStream(content(checked(m.id())));
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
            Path target = envelope(id);
            if (!Files.exists(target)) {
                // renaming would bring back an envelope without content
                throw new NoSuchFileException(target.toString(), null, "message " + id + " is not in the spool");
            }
            Path temporary = tmp.resolve(id + "." + ids.next() + UPDATE);
            writeDurably(temporary, bytes);
            try {
                Files.move(temporary, target, ATOMIC_MOVE, REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(temporary);
                throw e;
            }
            syncDirectory(directory);
            return null;
        });
    }

    /** Removes a message whose recipients are all done (delivered or bounced). */
    public void remove(QueuedMessage m) throws IOException {
        String id = checked(m.id());
        locked(id, () -> {
            // envelope first: see the class comment (a crash here leaves content, which recovery removes)
            if (Files.deleteIfExists(envelope(id))) {
                syncDirectory(directory);
            }
            Files.deleteIfExists(content(id));
            return null;
        });
    }

    /**
     * Messages now in the spool (for show smtp-queue), sorted by id, without reading their content
     * and without changing anything: files recovery would set aside or delete are left out.
     */
    public List<QueuedMessage> list() throws IOException {
        List<QueuedMessage> messages = new ArrayList<>();
        for (String id : names().envelopes) {
            try {
                messages.add(EnvelopeFile.parse(id, readEnvelope(envelope(id))));
            } catch (NoSuchFileException removed) {
                // removed since the directory was read
            } catch (EnvelopeFile.Malformed unreadable) {
                // recovery sets it aside with a log line
            }
        }
        return messages;
    }

    private QueuedMessage recoverOne(String id) throws IOException {
        Path file = envelope(id);
        QueuedMessage m;
        try {
            m = EnvelopeFile.parse(id, readEnvelope(file));
        } catch (NoSuchFileException removed) {
            return null; // removed since the directory was read
        } catch (EnvelopeFile.Malformed e) {
            setAside(id, e.getMessage());
            return null;
        } catch (IOException e) {
            setAside(id, "cannot be read: " + e);
            return null;
        }
        long size;
        try {
            size = Files.size(content(id));
        } catch (NoSuchFileException e) {
            setAside(id, "its content " + content(id).getFileName() + " is missing");
            return null;
        }
        if (size != m.size()) {
            setAside(id, "its content has " + size + " bytes, the envelope says " + m.size());
            return null;
        }
        return m;
    }

    private static byte[] readEnvelope(Path file) throws IOException, EnvelopeFile.Malformed {
        if (Files.size(file) > EnvelopeFile.MAX_BYTES) {
            throw new EnvelopeFile.Malformed("larger than " + EnvelopeFile.MAX_BYTES + " bytes");
        }
        return Files.readAllBytes(file);
    }

    /** Moves a message's files to corrupt/, where an operator can look at them; nothing is deleted. */
    private void setAside(String id, String reason) throws IOException {
        Path envelope = envelope(id);
        Path movedTo = moveAside(envelope);
        Path content = content(id);
        Path contentTo = Files.exists(content) ? moveAside(content) : null;
        syncDirectory(directory);
        LOG.log(System.Logger.Level.WARNING, "smtp spool: " + envelope + " cannot be read (" + reason
                + "): moved to " + movedTo + (contentTo == null ? "" : ", its content to " + contentTo));
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

    /** The spool directory's message files, by id, sorted. */
    private record Names(Set<String> envelopes, Set<String> contents) {}

    private Names names() throws IOException {
        Names names = new Names(new TreeSet<>(), new TreeSet<>());
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(ENVELOPE) && SpoolId.isValid(stem(name))) {
                    names.envelopes.add(stem(name));
                } else if (name.endsWith(CONTENT) && SpoolId.isValid(stem(name))) {
                    names.contents.add(stem(name));
                }
            }
        }
        return names;
    }

    private static String stem(String name) {
        return name.substring(0, name.length() - ENVELOPE.length()); // CONTENT has the same length
    }

    private Path envelope(String id) {
        return directory.resolve(id + ENVELOPE);
    }

    private Path content(String id) {
        return directory.resolve(id + CONTENT);
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

    /** Makes renames and deletions in the directory durable (its entries are data too). */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, READ)) {
            channel.force(true);
        }
    }

    private final class ContentWriter implements Writer {
        private final String id;
        private final FileChannel channel;
        private final OutputStream out;
        private long size;
        private boolean open = true;

        ContentWriter(String id, FileChannel channel) {
            this.id = id;
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            ensureOpen();
            out.write(bytes, offset, length);
            size += length;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public QueuedMessage commit(Envelope envelope) throws IOException {
            ensureOpen();
            Instant now = Instant.now();
            Envelope e = new Envelope(envelope.reversePath(), envelope.recipients(), envelope.client(),
                    envelope.helo(), now, envelope.smtputf8(), envelope.body8bit(), envelope.dsnEnvid());
            QueuedMessage m = new QueuedMessage(id, e, e.recipients(), 0, now, null, size);
            byte[] bytes = EnvelopeFile.encode(m); // refuses before anything changes on disk
            open = false;
            Path temporaryContent = tmp.resolve(id + CONTENT);
            Path temporaryEnvelope = tmp.resolve(id + ENVELOPE);
            boolean committed = false;
            try {
                out.flush();
                channel.force(true);
                channel.close();
                writeDurably(temporaryEnvelope, bytes);
                Files.move(temporaryContent, content(id), ATOMIC_MOVE);
                Files.move(temporaryEnvelope, envelope(id), ATOMIC_MOVE); // the commit point
                syncDirectory(directory);
                committed = true;
                return m;
            } finally {
                if (!committed) {
                    // the server answers 4xx and the client sends again: leave no second copy
                    channel.close();
                    deleteQuietly(envelope(id));
                    deleteQuietly(content(id));
                    deleteQuietly(temporaryEnvelope);
                    deleteQuietly(temporaryContent);
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
                Files.deleteIfExists(tmp.resolve(id + CONTENT));
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
}
