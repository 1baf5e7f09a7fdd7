package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A UDP relay (what 6tunnel lacks): one listening socket; per client address and port a flow, a
 * socket of its own connected to the server, so that the server's answers come back on it and go
 * out to that client from the listening socket. A flow with no datagram either way for
 * {@code idle-timeout} is closed (RFC 3142 §4: UDP relaying needs idle timers, there is no FIN).
 *
 * <p>Everything of one relay runs on one event loop (the listening socket's, which the flow
 * sockets are registered with too), so the flow table is a plain map. A datagram that finds its
 * outgoing socket full is dropped and counted: UDP has no backpressure, the sender's loss
 * recovery (if any) takes over.
 */
final class UdpRelay implements Relay {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.relay");

    private final RelaySettings s;
    private final RelayCounters named;
    private final ClientLimits limits;
    private final DescriptorBudget descriptors;
    private final RateLimitedLog log = new RateLimitedLog(LOG);
    private final Map<InetSocketAddress, Flow> flows = new HashMap<>();
    private Channel listener;
    private ScheduledFuture<?> sweeper;

    private UdpRelay(RelaySettings s, DescriptorBudget descriptors) {
        this.s = s;
        this.descriptors = descriptors;
        this.named = new RelayCounters(s.name());
        this.limits = new ClientLimits(s.maxConnections(), s.maxPerClient());
    }

    static UdpRelay start(SocketPlane plane, RelaySettings s) throws IOException {
        UdpRelay relay = new UdpRelay(s, plane.descriptors());
        Bootstrap b = new Bootstrap()
                .group(plane.group())
                .channelFactory(() -> new EpollDatagramChannel(Families.of(s.listen().getAddress())))
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(relay.new FromClients());
        try {
            relay.listener = b.bind(s.listen()).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IOException("relay " + s.name() + ": cannot listen on UDP " + Families.text(s.listen()) + ": "
                    + e.getMessage(), e);
        }
        long period = Math.max(100, Math.min(1000, s.idleTimeout().toMillis() / 2));
        relay.sweeper = relay.listener.eventLoop().scheduleAtFixedRate(relay::expireIdle, period, period, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "relay " + s.name() + ": UDP " + Families.text(relay.address()) + " -> "
                + Families.text(s.connect()) + ", clients " + s.allow());
        return relay;
    }

    @Override
    public RelayCounters counters() {
        return named;
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        sweeper.cancel(false);
        listener.close().syncUninterruptibly();
        listener.eventLoop().submit(() -> new ArrayList<>(flows.values()).forEach(Flow::close)).awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "relay " + s.name();
    }

    private void expireIdle() {
        long now = System.nanoTime();
        long limit = s.idleTimeout().toNanos();
        for (Flow f : new ArrayList<>(flows.values())) {
            if (now - f.lastActive > limit) {
                named.idle();
                f.close();
            }
        }
    }

    /** Datagrams from clients, on the listening socket. */
    private final class FromClients extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
            InetSocketAddress from = d.sender();
            Flow f = flows.get(from);
            if (f == null) {
                f = open(ctx.channel().eventLoop(), from);
                if (f == null) {
                    return;
                }
            }
            f.lastActive = System.nanoTime();
            if (!f.channel.isWritable()) {
                drop("to the server", from);
                return;
            }
            named.toServer().add(d.content().readableBytes());
            f.send(d.content().retain());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // An ICMP error on the listening socket (e.g. port unreachable from a client that
            // left) must not stop the relay.
        }
    }

    private Flow open(EventLoop loop, InetSocketAddress from) {
        InetAddress who = AddressSet.unmapped(from.getAddress());
        if (!s.allow().contains(who)) {
            named.refuse(Refusal.CLIENT_NOT_ALLOWED);
            log.warn("relay " + s.name() + ": refused (" + Refusal.CLIENT_NOT_ALLOWED.key() + "): client "
                    + Families.text(from) + " is not in allow");
            return null;
        }
        Refusal full = limits.acquire(who);
        if (full != null) {
            named.refuse(full);
            log.warn("relay " + s.name() + ": refused (" + full.key() + "): client " + Families.text(from) + ": "
                    + full.key() + " reached");
            return null;
        }
        Flow f = new Flow(from, who);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(descriptors.counted(
                        () -> new EpollDatagramChannel(Families.of(s.connect().getAddress()))))
                .handler(f.new FromServer());
        // Connecting a datagram socket needs no handshake, but the channel is registered with the
        // loop first: datagrams that come before that wait for it (Flow.send).
        f.ready = b.connect(s.connect());
        if (f.ready.cause() instanceof DescriptorBudget.Exhausted e) {
            limits.release(who);
            named.refuse(Refusal.DESCRIPTOR_LIMIT);
            log.warn("relay " + s.name() + ": refused (" + Refusal.DESCRIPTOR_LIMIT.key() + "): client "
                    + Families.text(from) + ": " + e.getMessage());
            return null;
        }
        f.channel = f.ready.channel();
        flows.put(from, f);
        named.opened();
        return f;
    }

    private void drop(String where, InetSocketAddress client) {
        named.refuse(Refusal.DATAGRAM_DROPPED);
        log.warn("relay " + s.name() + ": dropped a datagram " + where + " of client " + Families.text(client)
                + ": socket buffer full");
    }

    /** One client address and port, and the socket connected to the server for it. */
    private final class Flow {
        final InetSocketAddress client;
        final InetAddress who;
        Channel channel;
        ChannelFuture ready;
        long lastActive = System.nanoTime();
        boolean closed;

        Flow(InetSocketAddress client, InetAddress who) {
            this.client = client;
            this.who = who;
        }

        /** Sends a datagram to the server once the flow's socket is connected. */
        void send(ByteBuf datagram) {
            if (ready.isDone()) {
                channel.writeAndFlush(datagram, channel.voidPromise());
                return;
            }
            ready.addListener(x -> {
                if (x.isSuccess()) {
                    channel.writeAndFlush(datagram, channel.voidPromise());
                } else {
                    datagram.release();
                }
            });
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            flows.remove(client);
            limits.release(who);
            named.closed();
            channel.close();
        }

        /** The server's answers, on the flow's socket. */
        final class FromServer extends SimpleChannelInboundHandler<DatagramPacket> {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
                lastActive = System.nanoTime();
                if (!listener.isWritable()) {
                    drop("to the client", client);
                    return;
                }
                named.toClient().add(d.content().readableBytes());
                listener.writeAndFlush(new DatagramPacket(d.content().retain(), client), listener.voidPromise());
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // ICMP port unreachable from the server: the flow stays until it idles out, as a
                // NAT binding would; the client's next datagram tries again.
            }
        }
    }
}
