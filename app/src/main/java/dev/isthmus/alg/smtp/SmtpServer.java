package dev.isthmus.alg.smtp;

import dev.isthmus.relay.ClientLimits;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.SocketPlane;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The server side of the {@code [smtp]} relay (RFC 5321): listens on every {@link SmtpSettings#listen}
 * address and runs an {@link SmtpSession} per client on the socket plane's event loops. The
 * spool's blocking disk work runs on a pool of its own ({@link #SPOOL_THREADS} threads), never on
 * an event loop.
 */
public final class SmtpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.smtp");

    /**
     * Threads writing and fsync'ing spool files: sessions commit in parallel, and the file system
     * groups concurrent fsyncs, so more than one pays; each session's own writes stay in order.
     */
    static final int SPOOL_THREADS = 8;
    /** The first command must come this soon after accept: a connection that says nothing holds a slot. */
    static final Duration FIRST_COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command. */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);

    /** Where a new message's content goes: {@link Spool#begin} (tests give a fake). */
    @FunctionalInterface
    interface Drafts {
        Spool.Writer begin() throws IOException;
    }

    private final SmtpSettings settings;
    private final SmtpCounters counters = new SmtpCounters();
    private final RateLimitedLog log = new RateLimitedLog(LOG);
    private final DescriptorBudget descriptors;
    private final ClientLimits limits;
    private final RefusalTracker refusals;
    private final Drafts drafts;
    private final Outbox outbox;
    private final Executor disk;
    /** The disk pool {@link #start} made, shut down by {@link #close}; null for tests' own. */
    private ExecutorService diskPool;
    private final SslContext tls;
    private final Duration firstCommandTimeout;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();

    /** A server not listening yet (tests drive its sessions over in-memory channels). */
    SmtpServer(SmtpSettings settings, DescriptorBudget descriptors, Drafts drafts, Outbox outbox, Executor disk,
            SslContext tls, Duration firstCommandTimeout) {
        this(settings, descriptors, drafts, outbox, disk, tls, firstCommandTimeout, Clock.systemUTC());
    }

    /** With the clock the refusal-rate blocks run on (tests move it). */
    SmtpServer(SmtpSettings settings, DescriptorBudget descriptors, Drafts drafts, Outbox outbox, Executor disk,
            SslContext tls, Duration firstCommandTimeout, Clock clock) {
        this.settings = settings;
        this.descriptors = descriptors;
        this.limits = new ClientLimits(settings.maxConnections(), settings.maxPerClient());
        this.refusals = new RefusalTracker(settings.refusalLimit(), clock, RefusalTracker.CAPACITY, counters);
        this.drafts = drafts;
        this.outbox = outbox;
        this.disk = disk;
        this.tls = tls;
        this.firstCommandTimeout = firstCommandTimeout;
    }

    /** Starts listening; messages go to {@code spool}, then to {@code outbox}. */
    public static SmtpServer start(SocketPlane plane, SmtpSettings s, Spool spool, Outbox outbox) throws IOException {
        ExecutorService disk = Executors.newFixedThreadPool(SPOOL_THREADS, Thread.ofPlatform().name("smtp-spool-", 0)
                .daemon().factory());
        SmtpServer server = new SmtpServer(s, plane.descriptors(), spool::begin, outbox, disk, tlsContext(s),
                FIRST_COMMAND_TIMEOUT);
        server.diskPool = disk;
        try {
            for (InetSocketAddress listen : s.listen()) {
                server.listeners.add(plane.tcpServer(listen)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                server.connections.add(ch);
                                server.initSession(ch);
                            }
                        })
                        .bind(listen).syncUninterruptibly().channel());
            }
        } catch (Exception e) {
            server.close();
            throw new IOException("smtp: cannot listen on TCP " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "smtp: listening on " + s.listen().stream().map(Families::text).toList()
                + " as " + s.hostname() + ", relaying for " + s.allow()
                + (s.users().isEmpty() ? "" : " and " + s.users().size() + " AUTH users")
                + (server.tls == null ? ", no STARTTLS" : ", STARTTLS"));
        return server;
    }

    /** The pipeline of one client connection: idle timeout, lines, session. */
    void initSession(Channel ch) {
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        ch.pipeline().addLast("lines", new SmtpLineDecoder());
        ch.pipeline().addLast("session", new SmtpSession(this));
    }

    /** STARTTLS's context from the configured PEM files (RFC 3207), or null when none is configured. */
    static SslContext tlsContext(SmtpSettings s) throws IOException {
        if (s.tlsCertificate() == null) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(s.tlsCertificate().toFile(), s.tlsKey().toFile()).build();
        } catch (Exception e) {
            throw new IOException("smtp: cannot load tls-certificate " + s.tlsCertificate() + " and tls-key "
                    + s.tlsKey() + " (a PEM chain and an unencrypted PKCS#8 PEM key): " + e.getMessage(), e);
        }
    }

    SmtpSettings settings() {
        return settings;
    }

    public SmtpCounters counters() {
        return counters;
    }

    RateLimitedLog log() {
        return log;
    }

    DescriptorBudget descriptors() {
        return descriptors;
    }

    ClientLimits limits() {
        return limits;
    }

    RefusalTracker refusals() {
        return refusals;
    }

    Drafts drafts() {
        return drafts;
    }

    Outbox outbox() {
        return outbox;
    }

    Executor disk() {
        return disk;
    }

    SslContext tls() {
        return tls;
    }

    Duration firstCommandTimeout() {
        return firstCommandTimeout;
    }

    /** The bound listening addresses. */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /**
     * Stops listening, closes the sessions and lets the commits in progress finish: a message
     * whose commit has begun is either durable or not there, and its outbox call happens either way.
     */
    @Override
    public void close() {
        listeners.forEach(l -> l.close().syncUninterruptibly());
        connections.close().awaitUninterruptibly();
        if (diskPool != null) {
            diskPool.shutdown();
            try {
                diskPool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "smtp server " + settings.hostname();
    }
}
