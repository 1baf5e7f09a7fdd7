package dev.isthmus.alg.ftp.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.ClientLimits;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.Refusal;
import dev.isthmus.relay.TransparentDestination;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One accepted client, from accept to its {@link FtpSession}: the allow list, the server (fixed,
 * or chosen by {@link TransparentDestination}), the limits, the connection to the server. Every
 * way out is a counted {@link FtpRefusal} and a rate-limited log line; a client refused before
 * anything is said is closed without a word, like a relay's, so that a scan learns nothing.
 * The deadline of the first command is armed here, at accept.
 */
final class FtpAdmission extends ChannelInboundHandlerAdapter {
    private final FtpProxy proxy;
    private final ClientLimits limits;
    private final TransparentDestination destinations;
    /**
     * What the client sent before the server connection was up: reading is off until then, but
     * the epoll transport still reads a client that half-closed (a script that sends its
     * commands and FIN at once), as for a relay ({@code TcpRelayConnection}).
     */
    private final List<ByteBuf> early = new ArrayList<>();
    private boolean earlyEnd;

    FtpAdmission(FtpProxy proxy, ClientLimits limits, TransparentDestination destinations) {
        this.proxy = proxy;
        this.limits = limits;
        this.destinations = destinations;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        FtpProxySettings s = proxy.settings();
        Channel client = ctx.channel();
        InetSocketAddress from = (InetSocketAddress) client.remoteAddress();
        InetAddress who = AddressSet.unmapped(from.getAddress());
        if (!s.allow().contains(who)) {
            refuse(client, FtpRefusal.CLIENT_NOT_ALLOWED, "client " + Families.text(from) + " is not in allow");
            return;
        }
        InetSocketAddress target = s.connect();
        if (destinations != null) {
            TransparentDestination.Verdict v = destinations.of((InetSocketAddress) client.localAddress());
            if (v.refusal() != null) {
                refuse(client, v.refusal() == Refusal.CONNECT_PORT ? FtpRefusal.CONNECT_PORT
                        : FtpRefusal.DESTINATION_REFUSED, "client " + Families.text(from) + " " + v.why());
                return;
            }
            target = v.server();
        }
        Refusal full = limits.acquire(who);
        if (full != null) {
            refuse(client, full == Refusal.TOTAL_LIMIT ? FtpRefusal.TOTAL_LIMIT : FtpRefusal.CLIENT_LIMIT,
                    "client " + Families.text(from) + ": " + (full == Refusal.TOTAL_LIMIT
                            ? s.maxConnections() + " control connections are open (max-connections)"
                            : s.maxPerClient() + " control connections from it are open (max-per-client)"));
            return;
        }
        if (!proxy.descriptors().take(client)) {
            limits.release(who);
            refuse(client, FtpRefusal.DESCRIPTOR_LIMIT, "client " + Families.text(from)
                    + ": the socket plane is out of descriptors (the open-file limit less the reserve)");
            return;
        }
        FtpProxyCounters counters = proxy.counters();
        counters.opened();
        client.closeFuture().addListener(f -> {
            limits.release(who);
            counters.closed();
        });
        ScheduledFuture<?> deadline = client.eventLoop().schedule(() -> firstCommandLate(client),
                s.firstCommandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        client.closeFuture().addListener(f -> deadline.cancel(false));
        connect(ctx, client, from, target, deadline);
    }

    private void connect(ChannelHandlerContext ctx, Channel client, InetSocketAddress from, InetSocketAddress target,
            ScheduledFuture<?> deadline) {
        FtpProxySettings s = proxy.settings();
        ChannelFuture f = new Bootstrap()
                .group(client.eventLoop())
                .channelFactory(proxy.descriptors().counted(() -> new EpollSocketChannel(Families.of(target.getAddress()))))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, s.connectTimeout().toMillis()))
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target);
        Channel server = f.channel();
        client.closeFuture().addListener(x -> server.close());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                proxy.counters().refuse(FtpRefusal.CONNECT_FAILED);
                proxy.log().warn("ftp proxy " + s.name() + ": client " + Families.text(from) + ": cannot connect to "
                        + Families.text(target) + ": " + done.cause().getMessage());
                // RFC 959 §4.2: 421, service not available, closing control connection.
                client.writeAndFlush(Unpooled.copiedBuffer("421 The FTP proxy cannot reach the server.\r\n",
                        StandardCharsets.ISO_8859_1)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (!client.isActive()) {
                server.close();
                return;
            }
            ctx.pipeline().remove(this);
            new FtpSession(proxy, client, server).start(deadline);
            for (ByteBuf b : early) {
                client.pipeline().fireChannelRead(b);
            }
            early.clear();
            if (earlyEnd) {
                client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
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
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        ctx.fireChannelInactive();
    }

    private void firstCommandLate(Channel client) {
        if (!client.isActive()) {
            return;
        }
        FtpProxySettings s = proxy.settings();
        proxy.counters().refuse(FtpRefusal.FIRST_COMMAND_TIMEOUT);
        proxy.log().warn("ftp proxy " + s.name() + ": refused (" + FtpRefusal.FIRST_COMMAND_TIMEOUT.key() + "): client "
                + Families.text((InetSocketAddress) client.remoteAddress()) + ": no command within "
                + s.firstCommandTimeout().toSeconds() + " s");
        client.writeAndFlush(Unpooled.copiedBuffer("421 No command within " + s.firstCommandTimeout().toSeconds()
                + " s: closing control connection.\r\n", StandardCharsets.ISO_8859_1))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            earlyEnd = true;
        } else if (!(evt instanceof IdleStateEvent)) { // the first-command deadline is shorter, and ends this stage
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void refuse(Channel client, FtpRefusal r, String why) {
        proxy.counters().refuse(r);
        proxy.log().warn("ftp proxy " + proxy.settings().name() + ": refused (" + r.key() + "): " + why);
        client.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.channel().close();
    }
}
