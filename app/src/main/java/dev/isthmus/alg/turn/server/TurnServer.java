package dev.isthmus.alg.turn.server;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.turn.AddressFamily;
import dev.isthmus.alg.turn.StunClass;
import dev.isthmus.alg.turn.StunMessage;
import dev.isthmus.alg.turn.StunMessageBuilder;
import dev.isthmus.alg.turn.StunMethod;
import dev.isthmus.alg.turn.TurnDemux;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.PortPool;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.SocketPlane;
import dev.isthmus.relay.TranslatedPrefixes;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The TURN server of {@code [turn]} (RFC 8656, with RFC 6156's address families now in it): a UDP
 * and a TCP listener per {@code listen} address, STUN Binding (RFC 8489) and TURN allocations on
 * them ({@link Requests}), relayed UDP sockets from a {@link PortPool} per family, and the data
 * both ways: ChannelData and Send/Data indications.
 *
 * <p>Everything runs on one event loop of the socket plane (listeners, connections, relayed
 * sockets, the lifetime sweep), so the tables are plain maps; the counters are read from other
 * threads. The per-packet paths (ChannelData both ways) forward the received buffer or write one
 * pooled buffer, and allocate no arrays.
 */
public final class TurnServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.turn");
    /** Ports tried for one relayed address when the pool's pick is taken by another process. */
    private static final int BIND_ATTEMPTS = 8;
    /** TCP connections beyond the allocations they may carry: Binding-only clients, handshakes. */
    private static final int TCP_HEADROOM = 64;
    /** A TCP connection that has no allocation is closed after this long without a message. */
    static final long TCP_IDLE_NANOS = 60_000_000_000L;

    final TurnSettings s;
    final TurnCounters counters = new TurnCounters();
    final RateLimitedLog log = new RateLimitedLog(LOG);
    final LongSupplier clock;
    final PeerPolicy peers;
    final SecureRandom random = new SecureRandom();
    private final EventLoop loop;
    private final DescriptorBudget descriptors;
    private final PortPool pool4;
    private final PortPool pool6;
    private final Requests requests;
    private final Set<Allocation> allocations = new LinkedHashSet<>();
    private final Map<String, Integer> perUser = new HashMap<>();
    private final List<Channel> udpListeners = new ArrayList<>();
    private final List<Channel> tcpListeners = new ArrayList<>();
    private final Set<TcpConnection> connections = new HashSet<>();
    private ScheduledFuture<?> sweeper;

    private TurnServer(SocketPlane plane, TurnSettings s, LongSupplier clock, LocalAddresses local,
            TranslatedPrefixes translated) {
        this.s = s;
        this.clock = clock;
        this.loop = plane.group().next();
        this.descriptors = plane.descriptors();
        this.peers = new PeerPolicy(s, local, translated);
        this.pool4 = s.relayIpv4() == null ? null : new PortPool(s.firstPort(), s.lastPort());
        this.pool6 = s.relayIpv6() == null ? null : new PortPool(s.firstPort(), s.lastPort());
        this.requests = new Requests(this, new Nonces(), new Credentials(s));
    }

    /** Starts the listeners of {@code s}; IPv6 peers written in {@code translated}'s prefixes are judged as the IPv4 they reach. */
    public static TurnServer start(SocketPlane plane, TurnSettings s, TranslatedPrefixes translated) throws IOException {
        return start(plane, s, translated, System::nanoTime, new LocalAddresses());
    }

    static TurnServer start(SocketPlane plane, TurnSettings s, TranslatedPrefixes translated, LongSupplier clock,
            LocalAddresses local) throws IOException {
        TurnServer t = new TurnServer(plane, s, clock, local, translated);
        try {
            for (InetSocketAddress a : s.listen()) {
                t.listen(a);
            }
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        t.sweeper = t.loop.scheduleAtFixedRate(t::sweep, 1, 1, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "turn: listening on " + t.udpAddresses().stream().map(Families::text).toList()
                + " (UDP and TCP), realm " + s.realm() + ", relaying from " + relayText(s) + ", clients " + s.allow());
        return t;
    }

    private static String relayText(TurnSettings s) {
        List<String> r = new ArrayList<>();
        if (s.relayIpv4() != null) {
            r.add(s.relayIpv4().getHostAddress());
        }
        if (s.relayIpv6() != null) {
            r.add(s.relayIpv6().getHostAddress());
        }
        return r + " ports " + s.firstPort() + "-" + s.lastPort();
    }

    private void listen(InetSocketAddress a) throws IOException {
        Bootstrap udp = new Bootstrap().group(loop)
                .channelFactory(() -> new EpollDatagramChannel(Families.of(a.getAddress())))
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new UdpListener());
        ServerBootstrap tcp = new ServerBootstrap().group(loop, loop)
                .channelFactory(() -> new EpollServerSocketChannel(Families.of(a.getAddress())))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new StreamFramer(counters), new TcpConnection());
                    }
                });
        try {
            udpListeners.add(udp.bind(a).syncUninterruptibly().channel());
            // The TCP listener takes the UDP one's port, so that port 0 (tests) gives one number.
            InetSocketAddress bound = (InetSocketAddress) udpListeners.getLast().localAddress();
            tcpListeners.add(tcp.bind(new InetSocketAddress(a.getAddress(), bound.getPort())).syncUninterruptibly().channel());
        } catch (Exception e) {
            throw new IOException("turn: cannot listen on " + Families.text(a) + ": " + e.getMessage(), e);
        }
    }

    public TurnCounters counters() {
        return counters;
    }

    /** The UDP listeners' addresses, in {@code listen} order; the TCP listeners have the same. */
    public List<InetSocketAddress> udpAddresses() {
        return udpListeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        udpListeners.forEach(c -> c.close().syncUninterruptibly());
        tcpListeners.forEach(c -> c.close().syncUninterruptibly());
        loop.submit(() -> {
            new ArrayList<>(allocations).forEach(a -> delete(a, false));
            new ArrayList<>(connections).forEach(c -> c.channel.close());
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    long now() {
        return clock.getAsLong();
    }

    // ---- the allocation table: quotas, relayed sockets, deletion ----

    /** Null when {@code user} may have one more allocation, else which quota is reached (486). */
    String quotaReached(String user) {
        if (allocations.size() >= s.totalQuota()) {
            return "total-quota " + s.totalQuota();
        }
        if (perUser.getOrDefault(user, 0) >= s.userQuota()) {
            return "user-quota " + s.userQuota();
        }
        return null;
    }

    void add(Allocation a) {
        allocations.add(a);
        perUser.merge(a.user, 1, Integer::sum);
    }

    /** Deletes {@code a}: its relayed sockets are closed, their ports freed (RFC 8656 §6). */
    void delete(Allocation a, boolean byExpiry) {
        if (a.deleted) {
            return;
        }
        a.deleted = true;
        a.unlink.run();
        allocations.remove(a);
        perUser.computeIfPresent(a.user, (u, n) -> n == 1 ? null : n - 1);
        closeRelay(a.relay4);
        closeRelay(a.relay6);
        if (!a.pending) {
            counters.deleted(byExpiry);
            LOG.log(System.Logger.Level.INFO, "turn: allocation of " + a.user + " from "
                    + Families.text(a.link.client()) + (byExpiry ? " expired" : " deleted"));
        }
    }

    /** Closes the relayed address of one family of a dual allocation (RFC 8656 §8.2). */
    void dropFamily(Allocation a, int family) {
        if (family == AddressFamily.IPV4) {
            closeRelay(a.relay4);
            a.relay4 = null;
        } else {
            closeRelay(a.relay6);
            a.relay6 = null;
        }
    }

    private static void closeRelay(Allocation.Relay r) {
        if (r != null) {
            r.channel().close();
            r.pool().release(r.address().getPort());
        }
    }

    /** Whether the server has a relay address of {@code family}. */
    boolean serves(int family) {
        return (family == AddressFamily.IPV4 ? pool4 : family == AddressFamily.IPV6 ? pool6 : null) != null;
    }

    /**
     * Binds a relayed UDP socket of {@code family} for {@code a} on a random free port of the pool
     * (RFC 8656 §7.2: the port SHOULD be random), trying another when the port is taken; then
     * {@code done} gets it, or null when no port could be bound.
     */
    void openRelay(Allocation a, int family, Consumer<Allocation.Relay> done) {
        openRelay(a, family, BIND_ATTEMPTS, done);
    }

    private void openRelay(Allocation a, int family, int attempts, Consumer<Allocation.Relay> done) {
        PortPool pool = family == AddressFamily.IPV4 ? pool4 : pool6;
        InetAddress address = family == AddressFamily.IPV4 ? s.relayIpv4() : s.relayIpv6();
        int port = pool.allocate();
        if (port < 0) {
            done.accept(null);
            return;
        }
        InetSocketAddress at = new InetSocketAddress(address, port);
        ChannelFuture f = new Bootstrap().group(loop)
                .channelFactory(descriptors.counted(() -> new EpollDatagramChannel(Families.of(address))))
                .handler(new FromPeers(a))
                .bind(at);
        f.addListener(x -> {
            if (x.isSuccess() && !a.deleted) {
                done.accept(new Allocation.Relay(f.channel(), at, pool));
                return;
            }
            f.channel().close();
            pool.release(port);
            if (a.deleted) {
                return;
            }
            if (attempts > 1 && !(x.cause() instanceof DescriptorBudget.Exhausted)) {
                openRelay(a, family, attempts - 1, done);
            } else {
                done.accept(null);
            }
        });
    }

    /**
     * Once a second: allocations whose lifetime is over are deleted (RFC 8656 §6), permissions and
     * channels expire, TCP connections idle without an allocation are closed.
     */
    private void sweep() {
        long now = now();
        for (TcpConnection c : new ArrayList<>(connections)) {
            if (c.allocation == null && now - c.lastRead > TCP_IDLE_NANOS) {
                c.channel.close();
            }
        }
        for (Allocation a : new ArrayList<>(allocations)) {
            if (!a.pending && a.expiresAt - now <= 0) {
                delete(a, true);
            } else {
                a.expire(now);
            }
        }
    }

    void refuse(TurnRefusal r, String detail) {
        counters.refuse(r);
        log.warn("turn: refused (" + r.key() + "): " + detail);
    }

    // ---- the data path ----

    /**
     * ChannelData from a client (RFC 8656 §12.6): to the peer its channel is bound to, when the
     * binding and the permission are in force; the data is a slice of the received buffer.
     */
    void fromClientChannelData(Allocation a, ByteBuf frame) {
        int at = frame.readerIndex();
        int number = frame.getUnsignedShort(at);
        int length = frame.getUnsignedShort(at + 2);
        if (length > frame.readableBytes() - 4) {
            counters.refuse(TurnRefusal.MALFORMED);
            return;
        }
        long now = now();
        Allocation.Binding b = a.channel(number);
        if (!Allocation.inForce(b, now)) {
            counters.refuse(TurnRefusal.UNBOUND_CHANNEL);
            return;
        }
        toPeer(a, b.peer, frame.retainedSlice(at + 4, length), now);
    }

    /** Data for {@code peer} (its reference passes here), when a permission lets it through (RFC 8656 §9). */
    void toPeer(Allocation a, InetSocketAddress peer, ByteBuf data, long now) {
        Allocation.Relay r = a.relay(AddressFamily.of(peer.getAddress()));
        if (r == null) {
            data.release();
            counters.refuse(TurnRefusal.PEER_FAMILY_MISMATCH);
            return;
        }
        if (!a.permitted(peer.getAddress(), now)) {
            data.release();
            counters.refuse(TurnRefusal.NO_PERMISSION);
            return;
        }
        if (!r.channel().isWritable()) {
            data.release();
            counters.refuse(TurnRefusal.DROPPED);
            return;
        }
        counters.toPeer(data.readableBytes());
        r.channel().writeAndFlush(new DatagramPacket(data, peer), r.channel().voidPromise());
    }

    /** Datagrams from peers on one relayed socket (RFC 8656 §11.3). */
    private final class FromPeers extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Allocation a;

        FromPeers(Allocation a) {
            this.a = a;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
            if (a.deleted || a.pending) {
                return;
            }
            InetSocketAddress peer = d.sender();
            long now = now();
            // RFC 8656 §11.3: without a permission for the peer's IP the datagram is dropped.
            if (!a.permitted(peer.getAddress(), now)) {
                counters.refuse(TurnRefusal.NO_PERMISSION);
                return;
            }
            Channel out = a.link.channel();
            if (!out.isWritable()) {
                counters.refuse(TurnRefusal.DROPPED);
                return;
            }
            ByteBuf data = d.content();
            int length = data.readableBytes();
            Allocation.Binding b = a.channelOf(peer);
            ByteBuf message;
            if (Allocation.inForce(b, now)) {
                // RFC 8656 §11.3/§12.7: a bound channel's data goes as ChannelData, padded over TCP (§12.5).
                int padded = a.link.stream() ? length + 3 & ~3 : length;
                message = out.alloc().ioBuffer(4 + padded);
                message.writeShort(b.number).writeShort(length).writeBytes(data, data.readerIndex(), length)
                        .writeZero(padded - length);
            } else {
                // Otherwise a Data indication with XOR-PEER-ADDRESS and DATA (RFC 8656 §11.3).
                message = Unpooled.wrappedBuffer(new StunMessageBuilder(StunMethod.DATA, StunClass.INDICATION,
                        StunMessage.newTransactionId(random)).xorPeerAddress(peer).data(ByteBufUtil.getBytes(data))
                        .encode());
            }
            counters.toClient(length);
            a.link.send(message);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP errors from a peer that went away: the allocation stays until its lifetime ends.
        }
    }

    // ---- the listeners ----

    /** A UDP listener: its 5-tuples are its clients' addresses and ports. */
    private final class UdpListener extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Map<InetSocketAddress, Allocation> byClient = new HashMap<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
            ByteBuf c = d.content();
            InetSocketAddress from = d.sender();
            if (c.readableBytes() < 4) {
                counters.refuse(TurnRefusal.MALFORMED);
                return;
            }
            TurnDemux kind = TurnDemux.classify(c.getUnsignedByte(c.readerIndex()));
            if (kind == TurnDemux.CHANNEL_DATA) {
                Allocation a = byClient.get(from);
                if (a == null || a.pending) {
                    counters.refuse(TurnRefusal.ALLOCATION_MISMATCH);
                } else {
                    fromClientChannelData(a, c);
                }
                return;
            }
            if (kind != TurnDemux.STUN) {
                counters.refuse(TurnRefusal.MALFORMED);
                return;
            }
            if (!allowed(from)) {
                return;
            }
            Channel listener = ctx.channel();
            requests.handle(new Tuple() {
                @Override
                public ClientLink link() {
                    return new ClientLink(listener, from, false);
                }

                @Override
                public Allocation allocation() {
                    return byClient.get(from);
                }

                @Override
                public void attach(Allocation a) {
                    byClient.put(from, a);
                    a.unlink = () -> byClient.remove(from, a);
                }
            }, ByteBufUtil.getBytes(c));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // An ICMP error from a client that left must not stop the listener.
        }
    }

    private boolean allowed(InetSocketAddress from) {
        if (s.allow().contains(AddressSet.unmapped(from.getAddress()))) {
            return true;
        }
        refuse(TurnRefusal.CLIENT_NOT_ALLOWED, "client " + Families.text(from) + " is not in allow");
        return false;
    }

    /** A TCP connection: one 5-tuple, at most one allocation, deleted with the connection. */
    private final class TcpConnection extends SimpleChannelInboundHandler<ByteBuf> implements Tuple {
        private Channel channel;
        private ClientLink link;
        private Allocation allocation;
        private long lastRead = now();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            InetSocketAddress from = (InetSocketAddress) ctx.channel().remoteAddress();
            if (!allowed(from)) {
                ctx.close();
                return;
            }
            if (connections.size() >= s.totalQuota() + TCP_HEADROOM) {
                refuse(TurnRefusal.CAPACITY, "client " + Families.text(from) + ": " + connections.size()
                        + " TCP connections open");
                ctx.close();
                return;
            }
            connections.add(this);
            link = new ClientLink(ctx.channel(), from, true);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (link == null) {
                return;
            }
            lastRead = now();
            if (TurnDemux.classify(frame.getUnsignedByte(frame.readerIndex())) == TurnDemux.CHANNEL_DATA) {
                if (allocation == null || allocation.pending) {
                    counters.refuse(TurnRefusal.ALLOCATION_MISMATCH);
                } else {
                    fromClientChannelData(allocation, frame);
                }
                return;
            }
            requests.handle(this, ByteBufUtil.getBytes(frame));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connections.remove(this);
            // Nothing can reach an allocation whose connection is gone: it goes with it (RFC 8656 §3.1, §5).
            if (allocation != null) {
                delete(allocation, false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public ClientLink link() {
            return link;
        }

        @Override
        public Allocation allocation() {
            return allocation;
        }

        @Override
        public void attach(Allocation a) {
            allocation = a;
            a.unlink = () -> {
                if (allocation == a) {
                    allocation = null;
                }
            };
        }
    }
}
