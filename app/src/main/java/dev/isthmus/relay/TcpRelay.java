package dev.isthmus.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A TCP relay: accepts on {@link RelaySettings#listen}, connects to the server (static or, in
 * transparent mode, the IPv4 address embedded in the client's destination) and splices the two
 * ({@link TcpRelayConnection}).
 *
 * <p>The transparent mode listens with {@code IP_TRANSPARENT}, so that connections TPROXY
 * redirects to it (any destination address and port in pool6) are accepted with their original
 * destination as the local address; docs/RELAY.md shows the routing.
 */
final class TcpRelay implements Relay {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.relay");

    private final RelaySettings settings;
    private final RelayCounters counters;
    private final Channel server;
    private final ChannelGroup connections;

    private TcpRelay(RelaySettings settings, RelayCounters counters, Channel server, ChannelGroup connections) {
        this.settings = settings;
        this.counters = counters;
        this.server = server;
        this.connections = connections;
    }

    static TcpRelay start(SocketPlane plane, RelaySettings s) throws IOException {
        RelayCounters counters = new RelayCounters(s.name());
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ClientLimits limits = new ClientLimits(s.maxConnections(), s.maxPerClient());
        TransparentDestination destinations = s.transparent()
                ? new TransparentDestination(s, new DestinationPolicy(s.allowDestinations(), true, new LocalAddresses()))
                : null;
        RateLimitedLog refusals = new RateLimitedLog(LOG);
        ServerBootstrap b = plane.tcpServer(s.listen())
                // Nothing is read from a client before its server connection is up.
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new TcpRelayConnection(s, counters, limits, plane.descriptors(),
                                destinations, refusals));
                    }
                });
        if (s.transparent()) {
            b.option(EpollChannelOption.IP_TRANSPARENT, true);
        }
        Channel server;
        try {
            server = b.bind(s.listen()).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IOException("relay " + s.name() + ": cannot listen on TCP " + Families.text(s.listen()) + ": "
                    + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        LOG.log(System.Logger.Level.INFO, "relay " + s.name() + ": TCP " + Families.text(bound) + " -> "
                + (s.transparent() ? "the IPv4 address embedded in " + s.pool6() + ", ports " + s.connectPorts()
                        : Families.text(s.connect()))
                + ", clients " + s.allow());
        return new TcpRelay(s, counters, server, connections);
    }

    @Override
    public RelayCounters counters() {
        return counters;
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "relay " + settings.name();
    }
}
