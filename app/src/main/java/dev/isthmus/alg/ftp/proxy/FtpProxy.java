package dev.isthmus.alg.ftp.proxy;

import dev.isthmus.relay.ClientLimits;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.DestinationPolicy;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.SocketPlane;
import dev.isthmus.relay.TranslatedPrefixes;
import dev.isthmus.relay.TransparentDestination;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One {@code [[ftp.proxy]]}: listens on {@link FtpProxySettings#listen}, admits a client
 * ({@link FtpAdmission}), connects to its server and runs its {@link FtpSession}. On the socket
 * plane's event loops, like the relays.
 */
public final class FtpProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.ftp.proxy");

    private final FtpProxySettings settings;
    private final FtpProxyCounters counters;
    private final RateLimitedLog log;
    private final DescriptorBudget descriptors;
    private final ChannelGroup connections;
    private Channel listener;

    /** A proxy not listening yet (tests drive its sessions over in-memory channels). */
    FtpProxy(FtpProxySettings settings, DescriptorBudget descriptors) {
        this.settings = settings;
        this.counters = new FtpProxyCounters(settings.name());
        this.log = new RateLimitedLog(LOG);
        this.descriptors = descriptors;
        this.connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    }

    /**
     * Starts listening.
     *
     * @param translated what this process's translator carries to IPv4: a transparent proxy judges
     *     a server behind such an address by the IPv4 address it reaches
     */
    public static FtpProxy start(SocketPlane plane, FtpProxySettings s, TranslatedPrefixes translated) throws IOException {
        FtpProxy p = new FtpProxy(s, plane.descriptors());
        ClientLimits limits = new ClientLimits(s.maxConnections(), s.maxPerClient());
        TransparentDestination destinations = s.transparent()
                ? new TransparentDestination(s.pool6(), s.connectPorts(),
                        new DestinationPolicy(s.allowDestinations(), true, new LocalAddresses(), translated))
                : null;
        ServerBootstrap b = plane.tcpServer(s.listen())
                // Nothing is read from a client before its server connection is up.
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        p.connections.add(ch);
                        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, s.idleTimeout().toMillis(),
                                TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("admission", new FtpAdmission(p, limits, destinations));
                    }
                });
        if (s.transparent()) {
            b.option(EpollChannelOption.IP_TRANSPARENT, true);
        }
        try {
            p.listener = b.bind(s.listen()).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IOException("ftp proxy " + s.name() + ": cannot listen on TCP " + Families.text(s.listen()) + ": "
                    + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "ftp proxy " + s.name() + ": TCP " + Families.text(p.address()) + " -> "
                + (s.transparent() ? "the IPv4 address embedded in " + s.pool6() + ", ports " + s.connectPorts()
                        : Families.text(s.connect()))
                + ", clients " + s.allow() + ", data ports " + s.dataPorts() + ", server " + s.serverMode().key()
                + ", tls " + s.tls().key());
        return p;
    }

    FtpProxySettings settings() {
        return settings;
    }

    public FtpProxyCounters counters() {
        return counters;
    }

    RateLimitedLog log() {
        return log;
    }

    DescriptorBudget descriptors() {
        return descriptors;
    }

    /** The bound listening address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "ftp proxy " + settings.name();
    }
}
