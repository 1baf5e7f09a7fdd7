package dev.isthmus.control;

import dev.isthmus.alg.sip.proxy.CallView;
import dev.isthmus.alg.smtp.Delivery;
import dev.isthmus.dataplane.DataplaneStats;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.pool.DynamicPoolService;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The control socket: a Unix domain stream socket, root-only (mode 0600), one request per
 * connection. The client writes one line ({@link Request}); the server writes the answer and
 * closes. An answer starts with a status line, {@code ok} or {@code error: MESSAGE}; after
 * {@code ok} comes the body (a table, JSON, TOML).
 *
 * <p>Robustness: a request is at most {@value #MAX_REQUEST_BYTES} bytes including its LF; a
 * connection has {@link #DEFAULT_TIMEOUT} to send its request and take the answer; at most
 * {@value #MAX_CONNECTIONS} are served at once (the rest are told "busy"). Nothing a client does
 * ends the server: every failure is answered or logged, and the accept loop goes on.
 *
 * <p>The socket file: the parent directory is created (mode 0755) when missing. A file at the path
 * that answers is another running isthmus, and start refuses; one that does not answer is left
 * over by a process that died, and is replaced. The socket is bound in a private (0700) directory,
 * made 0600 and only then renamed into place, so that no one but root can connect even for the
 * instant between bind and chmod. {@link #close} removes the file, unless another server has
 * replaced it meanwhile.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.control");

    /** The longest request, its LF included. */
    public static final int MAX_REQUEST_BYTES = 4096;
    /** How long a connection may take, from accept to the last byte of the answer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Connections served at once. */
    static final int MAX_CONNECTIONS = 16;
    /** {@code sun_path} of {@code struct sockaddr_un} on Linux is 108 bytes, its NUL included. */
    static final int MAX_PATH_BYTES = 107;

    /** Computes the full answer (status line and body) for a request; must not block for long. */
    @FunctionalInterface
    interface Responder {
        String answer(Request request);
    }

    private final Path path;
    private final ServerSocketChannel channel;
    private final Object fileKey;
    private final Responder responder;
    private final Duration timeout;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel channel, Object fileKey, Responder responder, Duration timeout) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
        this.responder = responder;
        this.timeout = timeout;
        this.acceptor = Thread.ofPlatform().name("isthmus-control").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code socket} and answers from the running data plane.
     *
     * @param stats the counters {@code show stats} reports
     * @param config the effective configuration text for {@code show config}
     *     ({@code IsthmusConfig::render})
     * @throws IOException with an operator-readable message: another isthmus answers on the path,
     *     the path is not a socket, the directory cannot be created, the path is too long
     */
    public static ControlServer start(Path socket, DataplaneStats stats, Supplier<String> config) throws IOException {
        return start(socket, stats, SocketPlaneStats.NONE, config);
    }

    /** As {@link #start(Path, DataplaneStats, Supplier)}, {@code show stats} reporting the socket plane too. */
    public static ControlServer start(Path socket, DataplaneStats stats, SocketPlaneStats socketPlane,
            Supplier<String> config) throws IOException {
        return start(socket, stats, socketPlane, null, config);
    }

    /**
     * As {@link #start(Path, DataplaneStats, SocketPlaneStats, Supplier)}, with the dynamic address
     * pool ({@code show bindings}, {@code binding add|del}, its block in {@code show stats}).
     *
     * @param pool the running pool, or null when none is configured
     */
    public static ControlServer start(Path socket, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Supplier<String> config) throws IOException {
        return start(socket, stats, socketPlane, pool, null, config);
    }

    /** As above, with stateful NAT64 ({@code show bib|sessions}, {@code bib add|del}, its block in the stats). */
    public static ControlServer start(Path socket, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Nat64Service nat64, Supplier<String> config) throws IOException {
        return start(socket, stats, socketPlane, pool, nat64, null, config);
    }

    /**
     * As above, with the SMTP relay's queue ({@code show smtp-queue}, {@code smtp flush|delete}).
     *
     * @param smtp the relay's delivery side, or null when there is no {@code [smtp]}
     */
    public static ControlServer start(Path socket, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Nat64Service nat64, Delivery smtp, Supplier<String> config) throws IOException {
        return start(socket, stats, socketPlane, pool, nat64, smtp, null, config);
    }

    /**
     * As above, with the SIP proxy's calls ({@code show calls}).
     *
     * @param calls the proxy's calls now, or null when there is no {@code [sip]}
     */
    public static ControlServer start(Path socket, DataplaneStats stats, SocketPlaneStats socketPlane,
            DynamicPoolService pool, Nat64Service nat64, Delivery smtp, Supplier<List<CallView>> calls,
            Supplier<String> config) throws IOException {
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(socketPlane, "socketPlane");
        Objects.requireNonNull(config, "config");
        return start(socket, standardResponder(stats, socketPlane, pool, nat64, smtp, calls, config), DEFAULT_TIMEOUT);
    }

    static ControlServer start(Path socket, Responder responder, Duration timeout) throws IOException {
        Path path = socket.toAbsolutePath().normalize();
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new IOException("control socket path " + path + " is longer than " + MAX_PATH_BYTES
                    + " bytes (the Unix socket address limit)");
        }
        Path parent = path.getParent();
        createParent(parent);
        refuseIfTaken(path);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Object fileKey;
        try {
            fileKey = bindPrivately(channel, path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        ControlServer server = new ControlServer(path, channel, fileKey, responder, timeout);
        server.acceptor.start();
        LOG.log(System.Logger.Level.INFO, "control socket listening on " + path);
        return server;
    }

    /** The socket file's path (absolute). */
    public Path path() {
        return path;
    }

    /** Stops accepting, removes the socket file; connections being served finish on their own. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing control socket " + path + ": " + e.getMessage());
        }
        removeOwnFile();
        try {
            acceptor.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(System.Logger.Level.INFO, "control socket " + path + " closed");
    }

    @Override
    public String toString() {
        return "control socket " + path;
    }

    /** The answers of a running isthmus: {@code show stats [json]}, {@code show config}, {@code help}. */
    static Responder standardResponder(DataplaneStats stats, Supplier<String> config) {
        return standardResponder(stats, SocketPlaneStats.NONE, config);
    }

    static Responder standardResponder(DataplaneStats stats, SocketPlaneStats socketPlane, Supplier<String> config) {
        return standardResponder(stats, socketPlane, null, config);
    }

    static Responder standardResponder(DataplaneStats stats, SocketPlaneStats socketPlane, DynamicPoolService pool,
            Supplier<String> config) {
        return standardResponder(stats, socketPlane, pool, null, config);
    }

    static Responder standardResponder(DataplaneStats stats, SocketPlaneStats socketPlane, DynamicPoolService pool,
            Nat64Service nat64, Supplier<String> config) {
        return standardResponder(stats, socketPlane, pool, nat64, null, config);
    }

    static Responder standardResponder(DataplaneStats stats, SocketPlaneStats socketPlane, DynamicPoolService pool,
            Nat64Service nat64, Delivery smtp, Supplier<String> config) {
        return standardResponder(stats, socketPlane, pool, nat64, smtp, null, config);
    }

    static Responder standardResponder(DataplaneStats stats, SocketPlaneStats socketPlane, DynamicPoolService pool,
            Nat64Service nat64, Delivery smtp, Supplier<List<CallView>> calls, Supplier<String> config) {
        return request -> switch (request.kind()) {
            case STATS_TEXT -> ok(StatsText.render(StatsSnapshot.of(stats)) + socketPlane.text()
                    + (pool == null ? "" : DynamicPoolStats.text(pool)) + (nat64 == null ? "" : Nat64Stats.text(nat64)));
            case STATS_JSON -> ok(StatsJson.render(StatsSnapshot.of(stats), socketPlane, pool, nat64));
            case BIB, SESSIONS, BIB_ADD, BIB_DEL -> nat64 == null
                    ? error("stateful NAT64 is not configured ([nat64])") : nat64(nat64, request);
            case CONFIG -> ok(config.get());
            case BINDINGS_TEXT -> pool == null ? noPool()
                    : ok(DynamicPoolStats.bindingsText(pool, System.currentTimeMillis()));
            case BINDINGS_JSON -> pool == null ? noPool() : ok(DynamicPoolStats.bindingsJson(pool));
            case BINDING_ADD, BINDING_DEL -> pool == null ? noPool() : binding(pool, request);
            case SMTP_QUEUE_TEXT, SMTP_QUEUE_JSON, SMTP_FLUSH_ALL, SMTP_FLUSH, SMTP_DELETE -> smtp == null
                    ? error("the SMTP relay is not configured ([smtp])") : smtp(smtp, request);
            case CALLS_TEXT -> calls == null ? error("the SIP proxy is not configured ([sip])")
                    : ok(SipStats.callsText(calls.get()));
            case CALLS_JSON -> calls == null ? error("the SIP proxy is not configured ([sip])")
                    : ok(SipStats.callsJson(calls.get()));
            case HELP -> ok(Request.help());
            case INVALID -> error(request.error());
        };
    }

    private static String nat64(Nat64Service nat64, Request request) {
        List<String> a = request.args();
        try {
            return switch (request.kind()) {
                case BIB -> ok(Nat64Stats.bib(nat64, a.get(0), json(a.get(1))));
                case SESSIONS -> ok(Nat64Stats.sessions(nat64, a.get(0), a.get(1), json(a.get(2))));
                default -> ok(Nat64Stats.change(nat64, request.kind() == Request.Kind.BIB_ADD, a));
            };
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            return error(m.length() <= 200 ? m : m.substring(0, 200) + "...");
        }
    }

    private static String smtp(Delivery smtp, Request request) {
        return switch (request.kind()) {
            case SMTP_QUEUE_TEXT -> ok(SmtpQueueStats.text(smtp, Instant.now()));
            case SMTP_QUEUE_JSON -> ok(SmtpQueueStats.json(smtp, Instant.now()));
            case SMTP_FLUSH_ALL -> SmtpQueueStats.flushAll(smtp);
            case SMTP_FLUSH -> SmtpQueueStats.flush(smtp, request.args().get(0));
            default -> SmtpQueueStats.delete(smtp, request.args().get(0));
        };
    }

    private static boolean json(String format) {
        return switch (format) {
            case "json" -> true;
            case "text" -> false;
            default -> throw new IllegalArgumentException("format must be text or json, not \"" + format + "\"");
        };
    }

    private static String noPool() {
        return error("no dynamic pool is configured ([siit.dynamic-pool])");
    }

    /** {@code binding add IPV6 IPV4} / {@code binding del IPV4}: the other bindings stay as they are. */
    private static String binding(DynamicPoolService pool, Request request) {
        String refused;
        try {
            if (request.kind() == Request.Kind.BINDING_ADD) {
                Ipv6Address v6 = Ipv6Address.parse(request.args().get(0));
                int v4 = Ipv4Address.parse(request.args().get(1));
                refused = pool.addStatic(v6, v4);
                if (refused == null) {
                    LOG.log(System.Logger.Level.INFO, "dynamic pool: static binding " + v6 + " " + Ipv4Address.format(v4)
                            + " added through the control socket");
                }
            } else {
                int v4 = Ipv4Address.parse(request.args().get(0));
                refused = pool.pool().removeStatic(v4);
                if (refused == null) {
                    LOG.log(System.Logger.Level.INFO, "dynamic pool: static binding of " + Ipv4Address.format(v4)
                            + " removed through the control socket");
                }
            }
        } catch (IllegalArgumentException e) {
            refused = e.getMessage();
        }
        if (refused != null) {
            return error(refused.length() <= 200 ? refused : refused.substring(0, 200) + "...");
        }
        return ok("");
    }

    static String ok(String body) {
        return body.isEmpty() || body.endsWith("\n") ? "ok\n" + body : "ok\n" + body + "\n";
    }

    static String error(String message) {
        return "error: " + message.replace('\n', ' ') + "\n";
    }

    private static void createParent(Path parent) throws IOException {
        if (Files.isDirectory(parent)) {
            return;
        }
        try {
            Files.createDirectories(parent);
            // createDirectories is subject to the umask; the directory must be searchable by all
            // so that the socket's own mode (0600) is what decides who connects.
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new IOException("cannot create the control socket directory " + parent + ": " + describe(e), e);
        }
    }

    /** Refuses a path that is not a socket or that another process answers on. */
    private static void refuseIfTaken(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new IOException("control socket path " + path + " exists and is not a socket; not replacing it");
        }
        boolean answers;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            answers = probe.isConnected();
        } catch (IOException e) {
            answers = false;
        }
        if (answers) {
            throw new IOException("another isthmus is already running: its control socket " + path
                    + " answers (stop it first, or give this one another [control] socket)");
        }
        LOG.log(System.Logger.Level.INFO, "replacing stale control socket " + path + " (nothing answers on it)");
    }

    private static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000; // S_IFMT, S_IFSOCK
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        }
    }

    /** Binds in a private directory, sets mode 0600, renames into place; the file key identifies it later. */
    private static Object bindPrivately(ServerSocketChannel channel, Path path) throws IOException {
        Path dir;
        try {
            dir = Files.createTempDirectory(path.getParent(), ".isthmus-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new IOException("cannot create the control socket in " + path.getParent() + ": " + describe(e), e);
        }
        Path tmp = dir.resolve("s");
        try {
            channel.bind(UnixDomainSocketAddress.of(tmp), MAX_CONNECTIONS);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            // rename(2) replaces a stale socket atomically: there is never a moment without a file
            // or with a file that someone else could connect to.
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            throw new IOException("cannot listen on control socket " + path + ": " + describe(e), e);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(dir);
        }
    }

    private void removeOwnFile() {
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey == null || fileKey.equals(now)) {
                Files.delete(path);
            } else {
                LOG.log(System.Logger.Level.INFO, "control socket " + path + " was replaced by another; leaving it");
            }
        } catch (NoSuchFileException gone) {
            // removed by someone else; nothing to clean up
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove control socket " + path + ": " + describe(e));
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = channel.accept();
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    break;
                }
                // For example EMFILE: wait a little rather than spin, then go on serving.
                LOG.log(System.Logger.Level.WARNING, "control socket accept failed: " + describe(e));
                pause();
                continue;
            }
            if (!slots.tryAcquire()) {
                LOG.log(System.Logger.Level.WARNING, "control socket busy: " + MAX_CONNECTIONS
                        + " connections in progress, refusing one");
                try (ch) {
                    ch.write(ByteBuffer.wrap(error("busy, try again").getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException ignored) {
                    // the client sees the connection close
                }
                continue;
            }
            try {
                // A platform thread: its blocking reads are plain system calls, so the control
                // socket does not depend on the JDK's virtual-thread poller, which a flood that
                // exhausts descriptors can break for good (cli.EarlyInit tells how).
                Thread.ofPlatform().daemon().name("isthmus-control-conn").start(() -> serve(ch));
            } catch (RuntimeException | OutOfMemoryError e) {
                slots.release();
                closeQuietly(ch);
                LOG.log(System.Logger.Level.WARNING, "control socket cannot serve a connection: " + describe(e));
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch; Deadline deadline = Deadline.after(timeout, ch)) {
            try {
                String answer = answer(ch);
                if (answer != null) {
                    ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
                    while (out.hasRemaining()) {
                        ch.write(out);
                    }
                }
            } catch (IOException e) {
                if (deadline.expired()) {
                    LOG.log(System.Logger.Level.INFO, "control connection closed: no complete request and answer within "
                            + timeout.toMillis() + " ms");
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "control connection: " + describe(e));
                }
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: a class the answer needs that failed to load or initialise (for
            // example under EMFILE); this connection fails, the next ones are still served.
            LOG.log(System.Logger.Level.WARNING, "control connection failed", e);
        } finally {
            slots.release();
        }
    }

    /** Reads the request line and returns the answer, or null for a connection that sent nothing. */
    private String answer(SocketChannel ch) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        int lineEnd = -1;
        boolean eof = false;
        while (lineEnd < 0 && in.hasRemaining()) {
            int from = in.position();
            if (ch.read(in) < 0) {
                eof = true;
                break;
            }
            for (int i = from; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    lineEnd = i;
                    break;
                }
            }
        }
        Request request;
        if (lineEnd >= 0) {
            request = Request.parse(in.array(), 0, lineEnd);
        } else if (eof) {
            if (in.position() == 0) {
                return null; // a liveness probe, such as another server's start-up check
            }
            request = Request.parse(in.array(), 0, in.position()); // "printf 'show stats' | nc -U" sends no LF
        } else {
            LOG.log(System.Logger.Level.WARNING, "refused control request: longer than " + MAX_REQUEST_BYTES + " bytes");
            return error("request longer than " + MAX_REQUEST_BYTES + " bytes");
        }
        if (request.kind() == Request.Kind.INVALID) {
            LOG.log(System.Logger.Level.INFO, "refused control request: " + request.error());
            return error(request.error());
        }
        try {
            return responder.answer(request);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "control request \"" + request.kind().line() + "\" failed", e);
            return error("internal error answering \"" + request.kind().line() + "\": " + e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to do for a connection we give up on
        }
    }

    /** An exception's message, or its class name when it has none (NoSuchFileException's is only the path). */
    static String describe(Throwable e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        if (m == null) {
            return kind;
        }
        return e instanceof java.nio.file.FileSystemException ? kind + ": " + m : m;
    }
}
