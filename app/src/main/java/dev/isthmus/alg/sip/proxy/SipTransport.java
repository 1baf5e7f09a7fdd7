package dev.isthmus.alg.sip.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.sip.SipFraming;
import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.SipParseException;
import dev.isthmus.relay.ClientLimits;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.SocketPlane;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's sockets (RFC 3261 §18): a UDP socket and a TCP listener on each listen address, and
 * the TCP connections, accepted or opened, one per peer address, reused both ways (a response goes
 * back on the connection its request came on, §18.2.2, and a request to a peer that connected to
 * us goes on that connection). Everything on the proxy's event loop.
 */
final class SipTransport implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.sip");
    /** A TCP connection with no message either way for this long is closed (RFC 5626 keep-alives are CRLFs). */
    static final int TCP_IDLE_SECONDS = 600;
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Where received messages go. */
    interface Receiver {
        /** A message from {@code from} (a TCP peer's connection is found by its address), received on {@code local}. */
        void received(SipMessage m, Target from, InetSocketAddress local);
    }

    private final EventLoop loop;
    private final SipSettings s;
    private final Receiver receiver;
    private final SipCounters counters;
    private final DescriptorBudget descriptors;
    private final ClientLimits limits;
    private final RateLimitedLog log = new RateLimitedLog(LOG);
    private final List<Channel> listeners = new ArrayList<>();
    private final Map<InetSocketAddress, Channel> udp = new HashMap<>();
    private final Map<InetSocketAddress, Channel> connections = new HashMap<>();

    private SipTransport(EventLoop loop, SipSettings s, Receiver receiver, SipCounters counters,
            DescriptorBudget descriptors) {
        this.loop = loop;
        this.s = s;
        this.receiver = receiver;
        this.counters = counters;
        this.descriptors = descriptors;
        this.limits = new ClientLimits(s.maxConnections(), s.maxPerClient());
    }

    static SipTransport start(SocketPlane plane, EventLoop loop, SipSettings s, Receiver receiver, SipCounters counters)
            throws IOException {
        SipTransport t = new SipTransport(loop, s, receiver, counters, plane.descriptors());
        try {
            for (InetSocketAddress a : s.listen()) {
                t.listen(plane, a);
            }
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void listen(SocketPlane plane, InetSocketAddress a) throws IOException {
        try {
            Channel u = new Bootstrap().group(loop)
                    .channelFactory(() -> new EpollDatagramChannel(Families.of(a.getAddress())))
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .handler(new FromUdp(a))
                    .bind(a).syncUninterruptibly().channel();
            listeners.add(u);
            udp.put(a, u);
            ServerBootstrap tcp = plane.tcpServer(a, loop).childHandler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    accepted(ch, a);
                }
            });
            listeners.add(tcp.bind(a).syncUninterruptibly().channel());
        } catch (RuntimeException e) {
            throw new IOException("sip: cannot listen on " + Families.text(a) + ": " + e.getMessage(), e);
        }
    }

    /** The listen address of {@code a}'s family, or null when the proxy has none. */
    InetSocketAddress local(InetAddress a) {
        return Router.listenOf(s.listen(), a);
    }

    /**
     * Sends {@code bytes} to {@code t} from the listen address of its family; over TCP on the
     * peer's open connection, else a new one. False when there is no socket to send with (no
     * listener of that family, no connection slot): the caller answers or counts.
     */
    boolean send(byte[] bytes, Target t) {
        InetSocketAddress from = local(t.address().getAddress());
        if (from == null) {
            return false;
        }
        if (!t.stream()) {
            Channel u = udp.get(from);
            if (!u.isWritable()) {
                return false;
            }
            u.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), t.address()), u.voidPromise());
            return true;
        }
        Channel c = connections.get(t.address());
        if (c != null && c.isActive()) {
            c.writeAndFlush(Unpooled.wrappedBuffer(bytes), c.voidPromise());
            return true;
        }
        return connect(t.address(), bytes);
    }

    private boolean connect(InetSocketAddress to, byte[] first) {
        InetAddress who = AddressSet.unmapped(to.getAddress());
        if (limits.acquire(who) != null) {
            counters.refuse(SipRefusal.CONNECTION_REFUSED);
            log.warn("no TCP connection to " + Families.text(to) + ": max-connections reached");
            return false;
        }
        ChannelFuture f = new Bootstrap().group(loop)
                .channelFactory(descriptors.counted(() -> new EpollSocketChannel(Families.of(to.getAddress()))))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, TCP_IDLE_SECONDS), new FromTcp(local(to.getAddress()), null));
                    }
                })
                .connect(to);
        Channel ch = f.channel();
        ch.closeFuture().addListener(x -> {
            limits.release(who);
            connections.remove(to, ch);
        });
        connections.put(to, ch);
        counters.add(SipCounters.Event.TCP_CONNECTIONS);
        f.addListener(x -> {
            if (x.isSuccess()) {
                ch.writeAndFlush(Unpooled.wrappedBuffer(first), ch.voidPromise());
            } else {
                counters.refuse(SipRefusal.SEND_FAILED);
                log.warn("cannot connect to " + Families.text(to) + ": " + x.cause().getMessage());
            }
        });
        return true;
    }

    /** An accepted connection: the ACL and the limits at accept, then the first-request deadline. */
    private void accepted(Channel ch, InetSocketAddress local) {
        InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
        InetAddress who = AddressSet.unmapped(peer.getAddress());
        if (!s.allow().contains(who)) {
            refuse(ch, peer, "not in allow");
            return;
        }
        dev.isthmus.relay.Refusal full = limits.acquire(who);
        if (full != null) {
            refuse(ch, peer, full.key() + " reached");
            return;
        }
        if (!descriptors.take(ch)) {
            limits.release(who);
            refuse(ch, peer, "no descriptor left");
            return;
        }
        ch.closeFuture().addListener(x -> {
            limits.release(who);
            connections.remove(peer, ch);
        });
        connections.put(peer, ch);
        counters.add(SipCounters.Event.TCP_CONNECTIONS);
        FromTcp handler = new FromTcp(local, peer);
        ch.pipeline().addLast(new IdleStateHandler(0, 0, TCP_IDLE_SECONDS), handler);
        handler.deadline = loop.schedule(() -> {
            counters.refuse(SipRefusal.FIRST_REQUEST_DEADLINE);
            log.warn("closed the TCP connection of " + Families.text(peer) + ": no message within "
                    + s.firstRequestDeadline().toSeconds() + " s");
            ch.close();
        }, s.firstRequestDeadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refuse(Channel ch, InetSocketAddress peer, String why) {
        counters.refuse(SipRefusal.CONNECTION_REFUSED);
        log.warn("refused a TCP connection from " + Families.text(peer) + ": " + why);
        ch.close();
    }

    @Override
    public void close() {
        listeners.forEach(c -> c.close().syncUninterruptibly());
        loop.submit(() -> new ArrayList<>(connections.values()).forEach(Channel::close)).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Datagrams on one listen address's UDP socket. */
    private final class FromUdp extends SimpleChannelInboundHandler<DatagramPacket> {
        private final InetSocketAddress local;

        FromUdp(InetSocketAddress local) {
            this.local = local;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
            ByteBuf b = d.content();
            if (isKeepAlive(b)) {
                return;
            }
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            SipMessage m;
            try {
                m = SipMessage.parseDatagram(bytes);
            } catch (SipParseException e) {
                malformed(d.sender(), e);
                return;
            }
            receiver.received(m, new Target(d.sender(), false), local);
        }

        /** RFC 5626 §3.5.1 / §4.4.1: CRLFs (and anything that short) carry no message. */
        private static boolean isKeepAlive(ByteBuf b) {
            for (int i = b.readerIndex(); i < b.writerIndex(); i++) {
                byte x = b.getByte(i);
                if (x != '\r' && x != '\n' && x != 0) {
                    return b.readableBytes() < 4;
                }
            }
            return true;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from a phone that left must not stop the listener.
        }
    }

    private void malformed(InetSocketAddress from, SipParseException e) {
        counters.refuse(SipRefusal.MALFORMED);
        log.warn("dropped a malformed message from " + Families.text(from) + ": " + e.getMessage());
    }

    /** The bytes of one TCP connection, framed by Content-Length (§18.3). */
    private final class FromTcp extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress local;
        private InetSocketAddress peer;
        private ByteBuf pending;
        ScheduledFuture<?> deadline;

        FromTcp(InetSocketAddress local, InetSocketAddress peer) {
            this.local = local;
            this.peer = peer;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (peer == null) {
                peer = (InetSocketAddress) ctx.channel().remoteAddress();
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (pending == null) {
                pending = ctx.alloc().buffer(Math.max(1024, in.readableBytes()));
            }
            pending.writeBytes(in);
            in.release();
            while (pending.isReadable()) {
                if (pongIfPing(ctx)) {
                    continue;
                }
                byte[] bytes = new byte[pending.readableBytes()];
                pending.getBytes(pending.readerIndex(), bytes);
                int n;
                SipMessage m;
                try {
                    n = SipFraming.frameLength(bytes, 0, bytes.length);
                    if (n < 0) {
                        return;
                    }
                    m = SipMessage.parse(bytes, 0, n, SipMessage.Transport.STREAM);
                } catch (SipParseException e) {
                    // The stream cannot be framed past a bad message: close it (§18.3).
                    malformed(peer, e);
                    ctx.close();
                    return;
                }
                pending.skipBytes(n);
                if (deadline != null) {
                    deadline.cancel(false);
                    deadline = null;
                }
                receiver.received(m, new Target(peer, true), local);
            }
            pending.discardReadBytes();
        }

        /** RFC 5626 §3.5.1: a double CRLF is a keep-alive ping, answered with one CRLF. */
        private boolean pongIfPing(ChannelHandlerContext ctx) {
            if (pending.readableBytes() >= 4 && pending.getInt(pending.readerIndex()) == 0x0d0a0d0a) {
                pending.skipBytes(4);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(CRLF), ctx.voidPromise());
                return true;
            }
            return false;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (pending != null) {
                pending.release();
                pending = null;
            }
            if (deadline != null) {
                deadline.cancel(false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
