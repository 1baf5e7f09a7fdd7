package dev.isthmus.alg.ftp.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.Splice;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The data connection of one transfer: a connection with the server and one with the client,
 * each opened the way its side chose (the proxy connects, or listens and accepts one connection
 * from that side's address only), spliced ({@link Splice}) once both are up. Neither is read
 * before then, so no byte is lost or reordered whichever comes first. Runs on the session's event
 * loop; every callback checks {@link #closed}, since the session may end while a bind or
 * connect is under way.
 */
final class DataLink {
    private final FtpSession session;
    private final EventLoop loop;
    private Channel toServer;
    private Channel toClient;
    private Channel serverListener;
    private Channel clientListener;
    private InetSocketAddress clientTarget;
    private ScheduledFuture<?> deadline;
    private boolean spliced;
    private boolean closed;

    DataLink(FtpSession session, EventLoop loop) {
        this.session = session;
        this.loop = loop;
    }

    /** Server passive: connects to the port the server named; {@code done} gets null or the failure. */
    void connectServer(InetSocketAddress target, Consumer<Throwable> done) {
        connect(target).addListener((ChannelFuture f) -> {
            if (closed) {
                f.channel().close();
                return;
            }
            if (f.isSuccess()) {
                toServer = f.channel();
                splice();
            }
            done.accept(f.isSuccess() ? null : f.cause());
        });
    }

    /** Server active: listens on {@code own} for one connection from {@code server}. */
    void listenForServer(InetAddress own, InetAddress server, IntConsumer bound, Consumer<String> failed) {
        listen(own, server, false, 0, bound, failed);
    }

    /** Client passive: listens on {@code local} (where the client reached the proxy) for one connection from {@code client}. */
    void listenForClient(InetAddress local, InetAddress client, IntConsumer bound, Consumer<String> failed) {
        listen(local, client, true, 0, bound, failed);
    }

    /** Client active: where to connect when the transfer starts. */
    void clientTarget(InetSocketAddress target) {
        this.clientTarget = target;
    }

    /**
     * The transfer command is on its way to the server: connects to an active client, and gives
     * both connections {@code connect-timeout} to be up.
     */
    void start() {
        deadline = loop.schedule(() -> {
            if (!spliced && !closed) {
                session.dataFailed("the data connections were not up within "
                        + session.settings().connectTimeout().toSeconds() + " s of the transfer command");
                close();
            }
        }, session.settings().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (clientTarget == null) {
            return;
        }
        connect(clientTarget).addListener((ChannelFuture f) -> {
            if (closed) {
                f.channel().close();
            } else if (f.isSuccess()) {
                toClient = f.channel();
                splice();
            } else {
                session.dataFailed("cannot connect to the client's " + Families.text(clientTarget) + ": "
                        + f.cause().getMessage());
                close();
            }
        });
    }

    /** Stops listening, and closes the connections unless they are spliced (a transfer then ends by itself). */
    void close() {
        closed = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        closeListeners();
        if (!spliced) {
            if (toServer != null) {
                toServer.close();
            }
            if (toClient != null) {
                toClient.close();
            }
        }
    }

    private ChannelFuture connect(InetSocketAddress target) {
        FtpProxySettings s = session.settings();
        DescriptorBudget descriptors = session.descriptors();
        return new Bootstrap()
                .group(loop)
                .channelFactory(descriptors.counted(() -> new EpollSocketChannel(Families.of(target.getAddress()))))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, s.connectTimeout().toMillis()))
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target);
    }

    /** Binds a port of {@code data-ports} on {@code on}, the next one when it is taken, {@link DataPorts#ATTEMPTS} at most. */
    private void listen(InetAddress on, InetAddress peer, boolean clientSide, int attempt, IntConsumer bound,
            Consumer<String> failed) {
        FtpProxySettings s = session.settings();
        int port = s.dataPorts().next();
        ServerBootstrap b = new ServerBootstrap()
                .group(loop)
                .channelFactory(session.descriptors().counted(() -> new EpollServerSocketChannel(Families.of(on))))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 8)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted(ch, peer, clientSide);
                    }
                });
        if (clientSide && s.transparent()) {
            // The client reached an address of pool6, which may be the proxy's only by TPROXY.
            b.option(EpollChannelOption.IP_TRANSPARENT, true);
        }
        b.bind(on, port).addListener((ChannelFuture f) -> {
            if (closed) {
                f.channel().close();
                return;
            }
            if (f.isSuccess()) {
                if (clientSide) {
                    clientListener = f.channel();
                } else {
                    serverListener = f.channel();
                }
                bound.accept(port);
            } else if (attempt + 1 < DataPorts.ATTEMPTS && !(f.cause() instanceof DescriptorBudget.Exhausted)) {
                listen(on, peer, clientSide, attempt + 1, bound, failed);
            } else {
                failed.accept("cannot listen on " + Families.text(new InetSocketAddress(on, port)) + ": "
                        + f.cause().getMessage());
            }
        });
    }

    /**
     * One connection to a data port: kept when it comes from the side's own address and is that
     * side's first, else closed and counted (RFC 2577 §8, port stealing: another host that
     * guesses the port must not get the file). The port then stops listening.
     */
    private void accepted(SocketChannel ch, InetAddress peer, boolean clientSide) {
        InetAddress from = AddressSet.unmapped(ch.remoteAddress().getAddress());
        Channel had = clientSide ? toClient : toServer;
        if (closed || had != null || !from.equals(peer)) {
            session.refuseData(FtpRefusal.DATA_PEER, "a data connection from " + Families.text(ch.remoteAddress())
                    + (had != null || closed ? " after the transfer's own" : ", not from " + peer.getHostAddress()));
            ch.close();
            return;
        }
        if (!session.descriptors().take(ch)) {
            session.refuseData(FtpRefusal.DESCRIPTOR_LIMIT, "a data connection from " + Families.text(ch.remoteAddress())
                    + ": the socket plane is out of descriptors");
            ch.close();
            return;
        }
        if (clientSide) {
            toClient = ch;
            close(clientListener);
            clientListener = null;
        } else {
            toServer = ch;
            close(serverListener);
            serverListener = null;
        }
        splice();
    }

    private void splice() {
        if (spliced || toServer == null || toClient == null) {
            return;
        }
        spliced = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        closeListeners();
        FtpProxyCounters c = session.counters();
        long idle = session.settings().idleTimeout().toMillis();
        Runnable onIdle = c::idle;
        toServer.pipeline().addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        toServer.pipeline().addLast("splice", new Splice(toClient, c.toClient(), onIdle));
        toClient.pipeline().addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
        toClient.pipeline().addLast("splice", new Splice(toServer, c.toServer(), onIdle));
        session.transferStarted(toServer, toClient);
        toServer.config().setAutoRead(true);
        toClient.config().setAutoRead(true);
    }

    private void closeListeners() {
        close(serverListener);
        close(clientListener);
        serverListener = null;
        clientListener = null;
    }

    private static void close(Channel ch) {
        if (ch != null) {
            ch.close();
        }
    }
}
