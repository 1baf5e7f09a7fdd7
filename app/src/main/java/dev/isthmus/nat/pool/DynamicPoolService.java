package dev.isthmus.nat.pool;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The running dynamic pool: the {@link DynamicPool} the workers consult, loaded from and persisted
 * to the data directory by a housekeeping thread (so the packet path never waits for a disk), which
 * also ticks the pool's clock and expires idle bindings.
 *
 * <p>Persistence: the file is written whole to a temporary name, fsynced, renamed over the old one
 * (atomic) and the directory fsynced, so that after a crash the file is the old one or the new one,
 * never a mix. It is written within a second of any change (a new, released or static binding),
 * and at least every {@link #REFRESH_MS} while dynamic bindings exist (their last use), and at stop.
 */
public final class DynamicPoolService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.nat.pool");
    /** How often the housekeeper wakes. */
    static final long TICK_MS = 1000;
    /** How often the last-use times are written even without other changes. */
    static final long REFRESH_MS = 60_000;

    private final DynamicPool pool;
    private final BindingRules rules;
    private final Path file;
    private final Path temporary;
    private final Path directory;
    private final List<BindingFile.Problem> loadProblems;
    private final Thread housekeeper;
    private volatile boolean stopping;
    private long written = -1;
    private long lastWrite;
    private volatile long writes;
    private volatile long writeErrors;
    private boolean failing;

    private DynamicPoolService(DynamicPool pool, BindingRules rules, Path directory,
            List<BindingFile.Problem> loadProblems) {
        this.pool = pool;
        this.rules = rules;
        this.directory = directory;
        this.file = directory.resolve(BindingFile.NAME);
        this.temporary = directory.resolve(BindingFile.NAME + ".tmp");
        this.loadProblems = List.copyOf(loadProblems);
        this.housekeeper = Thread.ofPlatform().name("isthmus-dynamic-pool").daemon().unstarted(this::housekeep);
    }

    /**
     * Checks the data directory, builds the pool with the config's static bindings, loads the file
     * (a line it cannot use, or whose binding breaks a {@link BindingRules rule}, is logged with
     * its number and skipped; the others load) and starts the housekeeper.
     *
     * @throws IOException with an operator-readable message when the data directory is missing or
     *     not writable, or the file cannot be read
     */
    public static DynamicPoolService start(DynamicPoolSettings settings) throws IOException {
        return start(settings, System::currentTimeMillis, true);
    }

    /** As {@link #start(DynamicPoolSettings)} with a given clock, the housekeeper only when {@code run} (tests). */
    static DynamicPoolService start(DynamicPoolSettings settings, LongSupplier clock, boolean run) throws IOException {
        Path dir = settings.dataDirectory();
        checkDirectory(dir);
        DynamicPool pool = new DynamicPool(settings.ipv4(), settings.idleTimeout().toMillis(), clock);
        BindingRules rules = settings.rules();
        for (DynamicPoolSettings.Static s : settings.statics()) {
            String refused = rules.refusal(s.ipv6(), s.ipv4());
            if (refused == null) {
                refused = pool.addStatic(s.ipv6(), s.ipv4(), true);
            }
            if (refused != null) {
                throw new IllegalArgumentException("static binding " + s.ipv6() + " " + Ipv4Address.format(s.ipv4())
                        + ": " + refused);
            }
        }
        Path file = dir.resolve(BindingFile.NAME);
        List<BindingFile.Problem> problems = List.of();
        if (Files.exists(file)) {
            String text;
            try {
                // ISO 8859-1: every byte is a character, so a corrupt byte is reported, not decoded away.
                text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            BindingFile.Parsed parsed = BindingFile.parse(text);
            problems = new java.util.ArrayList<>(parsed.problems());
            // A line written by hand (or by a version that checked less) meets the rules of a
            // binding added now; one that breaks them is set aside like an unreadable line.
            List<BindingFile.Entry> usable = new java.util.ArrayList<>();
            for (BindingFile.Entry e : parsed.entries()) {
                String refused = rules.refusal(e.ipv6(), e.ipv4());
                if (refused == null) {
                    usable.add(e);
                } else {
                    problems.add(new BindingFile.Problem(e.line(), refused + "; dropped"));
                }
            }
            problems.addAll(pool.load(usable));
            problems.sort(java.util.Comparator.comparingInt(BindingFile.Problem::line));
            for (BindingFile.Problem p : problems) {
                LOG.log(System.Logger.Level.WARNING, "dynamic pool: " + file + " " + p + "; that line is skipped");
            }
            if (!problems.isEmpty()) {
                // The next write leaves the bad lines out; keep the file as it was for whoever looks.
                Path copy = dir.resolve(BindingFile.NAME + ".corrupt");
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                LOG.log(System.Logger.Level.WARNING, "dynamic pool: the file as read is kept as " + copy);
            }
            LOG.log(System.Logger.Level.INFO, "dynamic pool " + settings.ipv4() + ": loaded "
                    + (parsed.entries().size() - (problems.size() - parsed.problems().size())) + " binding(s) from "
                    + file);
        }
        pool.tick();
        DynamicPoolService service = new DynamicPoolService(pool, rules, dir, problems);
        service.written = pool.changes();
        if (run) {
            service.housekeeper.start();
        }
        return service;
    }

    /** The data directory must exist and take a file: tried with the temporary file itself. */
    static void checkDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("data-directory " + dir + (Files.exists(dir) ? " is not a directory"
                    : " does not exist (create it, writable by the user isthmus runs as)"));
        }
        Path probe = dir.resolve(BindingFile.NAME + ".tmp");
        try {
            Files.write(probe, new byte[0]);
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new IOException("data-directory " + dir + " is not writable", e);
        } catch (IOException e) {
            throw new IOException("data-directory " + dir + " is not writable: " + e.getMessage(), e);
        }
    }

    /** The pool the translators consult. */
    public DynamicPool pool() {
        return pool;
    }

    /**
     * A static binding added at run time ({@code binding add}): the {@link BindingRules} of the
     * config's static bindings first, then the pool's conflicts.
     *
     * @return null, or why the binding was refused
     */
    public String addStatic(Ipv6Address ipv6, int ipv4) {
        String refused = rules.refusal(ipv6, ipv4);
        return refused != null ? refused : pool.addStatic(ipv6, ipv4, false);
    }

    /** The persistence file. */
    public Path file() {
        return file;
    }

    /** Lines of the file that were not loaded at start. */
    public List<BindingFile.Problem> loadProblems() {
        return loadProblems;
    }

    /** Successful writes of the file. */
    public long writes() {
        return writes;
    }

    /** Failed writes of the file (each streak is logged once). */
    public long writeErrors() {
        return writeErrors;
    }

    private void housekeep() {
        // parkNanos, not sleep: close() wakes it with unpark, and an interrupt would close a
        // FileChannel in the middle of a write (ClosedByInterruptException).
        while (!stopping) {
            java.util.concurrent.locks.LockSupport.parkNanos(TICK_MS * 1_000_000);
            if (!stopping) {
                housekeepOnce();
            }
        }
    }

    /** One round: tick, expire, and write when something changed or the refresh is due. */
    synchronized void housekeepOnce() {
        long t = pool.tick();
        int n = pool.expire(t);
        if (n > 0) {
            LOG.log(System.Logger.Level.DEBUG, "dynamic pool: released " + n + " idle binding(s)");
        }
        if (pool.changes() != written || pool.dynamicBindings() > 0 && t - lastWrite >= REFRESH_MS) {
            persist(t);
        }
    }

    private void persist(long t) {
        long c = pool.changes();
        try {
            write(BindingFile.render(pool.persistent()));
            written = c;
            lastWrite = t;
            writes++;
            if (failing) {
                LOG.log(System.Logger.Level.INFO, "dynamic pool: " + file + " written again");
                failing = false;
            }
        } catch (IOException e) {
            writeErrors++;
            if (!failing) {
                LOG.log(System.Logger.Level.WARNING, "dynamic pool: cannot write " + file + ": " + e
                        + " (retried every second; bindings stay in memory)");
                failing = true;
            }
        }
    }

    /** Temporary file, fsync, atomic rename, fsync of the directory. */
    private void write(String text) throws IOException {
        try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
            d.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory; the rename is still atomic there.
            LOG.log(System.Logger.Level.DEBUG, "dynamic pool: fsync of " + directory + ": " + e.getMessage());
        }
    }

    /** Stops the housekeeper and writes the file a last time; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        java.util.concurrent.locks.LockSupport.unpark(housekeeper);
        try {
            housekeeper.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            persist(pool.tick());
        }
    }

    @Override
    public String toString() {
        return "dynamic pool " + pool.prefix();
    }
}
