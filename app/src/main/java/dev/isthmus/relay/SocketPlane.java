package dev.isthmus.relay;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loops (epoll) that the relays and the HTTP gateway share: one thread per core
 * by default, each serving many connections; a connection and the one it is relayed to share a
 * thread, so the bytes between them never cross threads.
 */
public final class SocketPlane implements AutoCloseable {
    private final EventLoopGroup group;
    private final DescriptorBudget descriptors;

    private SocketPlane(EventLoopGroup group, DescriptorBudget descriptors) {
        this.group = group;
        this.descriptors = descriptors;
    }

    /**
     * Starts {@code threads} event loops, their sockets unlimited but for each service's own limits.
     *
     * @throws IllegalStateException when the epoll transport cannot load (not Linux x86-64)
     */
    public static SocketPlane start(int threads) {
        return start(threads, DescriptorBudget.unlimited());
    }

    /** As {@link #start(int)}, every service's sockets together at most what {@code descriptors} allows. */
    public static SocketPlane start(int threads, DescriptorBudget descriptors) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the epoll transport is not available: " + Epoll.unavailabilityCause());
        }
        return new SocketPlane(new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory()), descriptors);
    }

    public EventLoopGroup group() {
        return group;
    }

    /** The descriptors the services' connections share (accepted and opened alike). */
    public DescriptorBudget descriptors() {
        return descriptors;
    }

    /**
     * A TCP listener on these loops for {@code listen}'s family: address reuse (a restart does not
     * wait for TIME_WAIT), a deep accept backlog, Nagle off and half-close allowed on the
     * accepted connections (a relay passes a FIN on instead of closing).
     */
    public ServerBootstrap tcpServer(InetSocketAddress listen) {
        return tcpServer(listen, group);
    }

    /**
     * As {@link #tcpServer(InetSocketAddress)}, the listener and its connections on {@code loops}
     * (one of this plane's loops, for a service whose state lives on one thread).
     */
    public ServerBootstrap tcpServer(InetSocketAddress listen, EventLoopGroup loops) {
        return new ServerBootstrap()
                .group(loops)
                .channelFactory(() -> new EpollServerSocketChannel(Families.of(listen.getAddress())))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
