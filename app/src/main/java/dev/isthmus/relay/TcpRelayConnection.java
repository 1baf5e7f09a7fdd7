package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One accepted client of a {@link TcpRelay}, from accept to the splice: checks the allow list and
 * the limits, finds the server, connects, and on success replaces itself by a {@link Splice} in
 * each direction. Every way out before the splice is a counted {@link Refusal} and one log line.
 */
final class TcpRelayConnection extends ChannelInboundHandlerAdapter {
    private final RelaySettings s;
    private final RelayCounters counters;
    private final ClientLimits limits;
    private final DescriptorBudget descriptors;
    private final TransparentDestination destinations;
    private final RateLimitedLog log;
    /**
     * What the client sent before the server connection was up. Reading is off until then, but
     * the epoll transport still reads a client that half-closed early (to see its FIN), so a
     * client that sends its request and FIN at once (a scripted SMTP session, {@code nc -N}) does
     * not lose them.
     */
    private final List<ByteBuf> early = new ArrayList<>();
    private boolean earlyEnd;

    TcpRelayConnection(RelaySettings s, RelayCounters counters, ClientLimits limits, DescriptorBudget descriptors,
            TransparentDestination destinations, RateLimitedLog log) {
        this.s = s;
        this.counters = counters;
        this.limits = limits;
        this.descriptors = descriptors;
        this.destinations = destinations;
        this.log = log;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        InetSocketAddress from = (InetSocketAddress) client.remoteAddress();
        InetAddress who = AddressSet.unmapped(from.getAddress());
        if (!s.allow().contains(who)) {
            refuse(client, Refusal.CLIENT_NOT_ALLOWED, "client " + Families.text(from) + " is not in allow");
            return;
        }
        InetSocketAddress target = s.connect();
        if (s.transparent()) {
            target = embeddedServer(client, from);
            if (target == null) {
                return;
            }
        }
        Refusal full = limits.acquire(who);
        if (full != null) {
            refuse(client, full, "client " + Families.text(from) + ": " + full.key() + " reached");
            return;
        }
        if (!descriptors.take(client)) {
            limits.release(who);
            refuse(client, Refusal.DESCRIPTOR_LIMIT, "client " + Families.text(from) + ": " + descriptors.max()
                    + " sockets of the socket plane are open (the open-file limit less the reserve)");
            return;
        }
        counters.opened();
        client.closeFuture().addListener(f -> {
            limits.release(who);
            counters.closed();
        });
        connect(ctx, client, from, target);
    }

    /** Transparent mode: the server the client's destination names ({@link TransparentDestination}). */
    private InetSocketAddress embeddedServer(Channel client, InetSocketAddress from) {
        TransparentDestination.Verdict v = destinations.of((InetSocketAddress) client.localAddress());
        if (v.refusal() != null) {
            refuse(client, v.refusal(), "client " + Families.text(from) + " " + v.why());
        }
        return v.server();
    }

    private void connect(ChannelHandlerContext ctx, Channel client, InetSocketAddress from, InetSocketAddress target) {
        Bootstrap b = new Bootstrap()
                .group(client.eventLoop())
                .channelFactory(descriptors.counted(() -> new EpollSocketChannel(Families.of(target.getAddress()))))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, s.connectTimeout().toMillis()))
                // The splice is added once connected; nothing is read before that.
                .handler(new ChannelInboundHandlerAdapter());
        ChannelFuture f = b.connect(target);
        Channel server = f.channel();
        client.closeFuture().addListener(x -> {
            if (!f.isDone()) {
                server.close();
            }
        });
        f.addListener(done -> {
            if (!done.isSuccess()) {
                counters.refuse(Refusal.CONNECT_FAILED);
                log.warn("relay " + s.name() + ": client " + Families.text(from) + ": cannot connect to "
                        + Families.text(target) + ": " + done.cause().getMessage());
                client.close();
                return;
            }
            if (!client.isActive()) {
                server.close();
                return;
            }
            Runnable idle = counters::idle;
            long idleMillis = s.idleTimeout().toMillis();
            ctx.pipeline().replace(this, "splice", new Splice(server, counters.toServer(), idle));
            ctx.pipeline().addFirst("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
            server.pipeline().addLast("splice", new Splice(client, counters.toClient(), idle));
            if (s.proxyProtocol()) {
                server.writeAndFlush(ProxyHeaderV2.tcp(server.alloc(), from, (InetSocketAddress) client.localAddress()),
                        server.voidPromise());
            }
            for (ByteBuf buf : early) {
                counters.toServer().add(buf.readableBytes());
                server.write(buf, server.voidPromise());
            }
            early.clear();
            server.flush();
            server.config().setAutoRead(true);
            if (earlyEnd) {
                // The client's FIN came with its bytes: the splice passes it on as its own.
                client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else {
                client.config().setAutoRead(true);
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            early.add(b);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            earlyEnd = true;
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        ctx.fireChannelInactive();
    }

    private void refuse(Channel client, Refusal r, String why) {
        counters.refuse(r);
        log.warn("relay " + s.name() + ": refused (" + r.key() + "): " + why);
        client.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.channel().close();
    }
}
