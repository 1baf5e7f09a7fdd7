package dev.isthmus.alg.sip.media;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.sip.RelayPorts;
import dev.isthmus.alg.sip.SdpStream;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.PortPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The media of one call (one Call-ID): per {@code m=} stream and per leg an RTP/RTCP socket pair
 * on the relay address of that leg's family, all of them on one event loop, so a datagram and the
 * one it is relayed as never cross threads.
 *
 * <p>The proxy calls {@link #ports} and {@link #announced} from its own thread: they run on the
 * call's loop (at once when the proxy is on that loop, else waiting for it, which takes a task's
 * round trip at call setup, never per packet).
 */
public final class MediaCall {
    /** Pairs tried when the ports the pool hands out are taken by another process. */
    static final int BIND_ATTEMPTS = 4;

    final String callId;
    private final MediaRelay relay;
    private final EventLoop loop;
    private final ProtocolFamily callerFamily;
    private final ProtocolFamily calleeFamily;
    private final AtomicReferenceArray<MediaStream> streams;
    private final long opened = System.nanoTime();
    private final AtomicLong lastActive = new AtomicLong(opened);
    private final long timeoutNanos;
    /** Set by the proxy's thread at start, then on the loop. */
    private volatile ScheduledFuture<?> timer;
    private boolean ended;

    MediaCall(String callId, MediaRelay relay, EventLoop loop, InetAddress caller, InetAddress callee) {
        this.callId = callId;
        this.relay = relay;
        this.loop = loop;
        this.callerFamily = familyOf(caller);
        this.calleeFamily = familyOf(callee);
        this.streams = new AtomicReferenceArray<>(relay.settings().maxStreamsPerCall());
        this.timeoutNanos = relay.settings().timeout().toNanos();
    }

    private static ProtocolFamily familyOf(InetAddress a) {
        return AddressSet.unmapped(a) instanceof Inet4Address
                ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6;
    }

    public String callId() {
        return callId;
    }

    /**
     * The relay's RTP/RTCP ports that {@code leg}'s endpoint must send stream {@code index} to, on
     * {@link #relayAddress(Leg)}: allocated and both sockets bound on the first call, the same on
     * later ones (a re-INVITE keeps its ports, so the other side's SDP need not change).
     *
     * @throws MediaUnavailable STREAMS, PORTS, NO_ADDRESS, BIND or DESCRIPTORS, counted; ENDED when the call has ended
     */
    public RelayPorts ports(Leg leg, int index) throws MediaUnavailable {
        return onLoop(() -> {
            MediaStream s = stream(index);
            MediaStream.Side side = s.side(leg);
            if (side.ports == null) {
                bind(s, leg);
            }
            return side.ports;
        });
    }

    /** The relay address of {@code leg}'s family; null when the relay has none for it. */
    public InetAddress relayAddress(Leg leg) {
        return family(leg) == StandardProtocolFamily.INET ? relay.settings().ipv4() : relay.settings().ipv6();
    }

    /** The family of {@code leg}, fixed when the call was made. */
    public ProtocolFamily family(Leg leg) {
        return leg == Leg.CALLER ? callerFamily : calleeFamily;
    }

    /**
     * What {@code leg}'s endpoint announced for stream {@code stream.index()} in its SDP: the relay
     * sends the other leg's media there until it latches, and latching starts over (a re-INVITE
     * may move the media). Hold ({@code 0.0.0.0}, {@code ::}) gets nothing; a rejected stream (port
     * 0) stops relaying the stream.
     *
     * <p>Refused, counted and logged, the earlier announcement kept: an index beyond
     * {@code maxStreamsPerCall} (which {@link #ports} has refused already), an address of the
     * other family than the leg's (no socket of the leg could send there), and one of the relay's
     * own ports (two legs pointed at each other's relay ports would relay one datagram forever).
     */
    public void announced(Leg leg, SdpStream stream) {
        try {
            onLoop(() -> {
                MediaStream s = stream(stream.index());
                check(leg, stream);
                s.side(leg).announce(stream);
                return null;
            });
        } catch (MediaUnavailable e) {
            // Counted and logged where it was made: the proxy relays the SDP, the media cannot follow.
        }
    }

    private void check(Leg leg, SdpStream stream) throws MediaUnavailable {
        if (stream.rejected() || stream.hold()) {
            return;
        }
        String who = "call " + callId + ": the " + leg.name().toLowerCase(Locale.ROOT) + "'s SDP names ";
        for (InetSocketAddress a : new InetSocketAddress[] {stream.rtp(), stream.rtcp()}) {
            if (familyOf(a.getAddress()) != family(leg)) {
                throw relay.refuse(MediaUnavailable.Reason.FAMILY, who + Families.text(a) + ", not of its family");
            }
            if (relay.isOwn(a)) {
                throw relay.refuse(MediaUnavailable.Reason.LOOP, who + "the relay's own " + Families.text(a));
            }
        }
    }

    /** The stream of {@code index}, made on first use; STREAMS beyond the limit, ENDED once the call is over. */
    private MediaStream stream(int index) throws MediaUnavailable {
        if (ended) {
            throw relay.refuse(MediaUnavailable.Reason.ENDED, "call " + callId + " has ended");
        }
        touch();
        if (index < 0 || index >= streams.length()) {
            throw relay.refuse(MediaUnavailable.Reason.STREAMS, "call " + callId + ": stream " + index
                    + " is beyond max-streams " + streams.length());
        }
        MediaStream s = streams.get(index);
        if (s == null) {
            s = new MediaStream(index);
            streams.set(index, s);
        }
        return s;
    }

    /**
     * Binds an even/odd pair (RFC 3550 §11: RTP on an even port, RTCP on the next) for {@code leg}
     * of {@code s}. A port another process holds is kept from the pool until the search ends, so
     * the next attempt gets another pair.
     */
    private void bind(MediaStream s, Leg leg) throws MediaUnavailable {
        InetAddress address = relayAddress(leg);
        if (address == null) {
            throw relay.refuse(MediaUnavailable.Reason.NO_ADDRESS, "call " + callId + ": the relay has no "
                    + (family(leg) == StandardProtocolFamily.INET ? "ipv4" : "ipv6") + " address for the "
                    + leg.name().toLowerCase(Locale.ROOT));
        }
        PortPool pool = relay.pool(family(leg));
        // Pairs to give back when the search ends: those another process holds, and a pair whose
        // second socket the descriptor budget refused.
        List<Integer> held = new ArrayList<>(BIND_ATTEMPTS);
        Channel rtp = null;
        try {
            while (held.size() < BIND_ATTEMPTS) {
                int even = pool.allocatePair();
                if (even < 0) {
                    throw relay.refuse(MediaUnavailable.Reason.PORTS, "call " + callId + ": no port pair left in "
                            + pool + " for " + address.getHostAddress());
                }
                held.add(even);
                rtp = open(address, even, new MediaSocket(this, s, leg, false));
                Channel rtcp = rtp == null ? null : open(address, even + 1, new MediaSocket(this, s, leg, true));
                if (rtcp != null) {
                    held.removeLast();
                    MediaStream.Side side = s.side(leg);
                    side.rtp = rtp;
                    side.rtcp = rtcp;
                    side.ports = new RelayPorts(even);
                    return;
                }
                if (rtp != null) {
                    rtp.close();
                    rtp = null;
                }
            }
            throw relay.refuse(MediaUnavailable.Reason.BIND, "call " + callId + ": " + BIND_ATTEMPTS
                    + " port pairs on " + address.getHostAddress()
                    + " could not be bound (taken by other processes, or not an address of this host)");
        } catch (DescriptorBudget.Exhausted e) {
            if (rtp != null) {
                rtp.close();
            }
            throw relay.refuse(MediaUnavailable.Reason.DESCRIPTORS, "call " + callId + ": " + e.getMessage());
        } finally {
            held.forEach(pool::releasePair);
        }
    }

    /**
     * A datagram socket on {@code address} and {@code port}, registered with the call's loop;
     * null when the port is taken. On the loop, registering and binding complete at once, so the
     * answer is known without waiting.
     *
     * @throws DescriptorBudget.Exhausted when the socket plane may open no more sockets
     */
    private Channel open(InetAddress address, int port, MediaSocket handler) {
        Channel ch = relay.descriptors()
                .counted(() -> new EpollDatagramChannel(Families.of(address)))
                .newChannel();
        ch.pipeline().addLast(handler);
        ChannelFuture done = loop.register(ch);
        if (done.isSuccess()) {
            done = ch.bind(new InetSocketAddress(address, port));
        }
        if (!done.isSuccess()) {
            ch.close();
            return null;
        }
        return ch;
    }

    /** Starts the media timer, which runs on the call's loop. */
    void start() {
        timer = loop.schedule(this::checkIdle, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A call whose media stopped (a BYE lost, an endpoint gone) would hold its ports forever:
     * with neither a datagram nor signalling for {@code timeout} it ends (rtpengine's rule too).
     * The timer sleeps until the earliest moment that can be, so it costs nothing per packet.
     */
    private void checkIdle() {
        if (ended) {
            return;
        }
        long idle = System.nanoTime() - lastActive.get();
        if (idle >= timeoutNanos) {
            relay.timedOut(this);
        } else {
            timer = loop.schedule(this::checkIdle, timeoutNanos - idle, TimeUnit.NANOSECONDS);
        }
    }

    /** A datagram or a signalling event: the media timeout starts over. */
    void touch() {
        lastActive.lazySet(System.nanoTime());
    }

    MediaCounters counters() {
        return relay.counters();
    }

    /** Closes every socket of the call and gives its ports back; on the call's loop, or waiting for it. */
    void close() {
        try {
            onLoop(() -> {
                closeOnLoop();
                return null;
            });
        } catch (MediaUnavailable e) {
            throw new AssertionError(e);
        }
    }

    private void closeOnLoop() {
        if (ended) {
            return;
        }
        ended = true;
        if (timer != null) {
            timer.cancel(false);
        }
        for (int i = 0; i < streams.length(); i++) {
            MediaStream s = streams.get(i);
            if (s != null) {
                release(s.side(Leg.CALLER), relay.pool(callerFamily));
                release(s.side(Leg.CALLEE), relay.pool(calleeFamily));
            }
        }
    }

    /** Closes a side's sockets (a datagram socket's descriptor closes at once on its loop), then frees its ports. */
    private static void release(MediaStream.Side side, PortPool pool) {
        if (side.ports == null) {
            return;
        }
        side.rtp.close();
        side.rtcp.close();
        pool.releasePair(side.ports.rtp());
    }

    MediaCallStats stats() {
        List<MediaCallStats.Stream> list = new ArrayList<>();
        for (int i = 0; i < streams.length(); i++) {
            MediaStream s = streams.get(i);
            if (s != null) {
                list.add(s.stats());
            }
        }
        long now = System.nanoTime();
        return new MediaCallStats(callId, callerFamily, calleeFamily, List.copyOf(list), Duration.ofNanos(now - opened),
                Duration.ofNanos(Math.max(0, now - lastActive.get())));
    }

    /** What the end-of-call log line says of the streams: packets each way and drops. */
    String summary() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < streams.length(); i++) {
            MediaStream s = streams.get(i);
            if (s != null) {
                b.append(b.isEmpty() ? "" : ", ").append("stream ").append(i).append(": ")
                        .append(s.packetsToCallee()).append(" packets to the callee, ")
                        .append(s.packetsToCaller()).append(" to the caller, ")
                        .append(s.dropped()).append(" dropped");
            }
        }
        return b.isEmpty() ? "no streams" : b.toString();
    }

    Duration age() {
        return Duration.ofNanos(System.nanoTime() - opened);
    }

    /** Work of the call's loop that may refuse with a {@link MediaUnavailable}. */
    private interface LoopTask<T> {
        T run() throws MediaUnavailable;
    }

    private <T> T onLoop(LoopTask<T> task) throws MediaUnavailable {
        if (loop.inEventLoop()) {
            return task.run();
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                done.complete(task.run());
            } catch (MediaUnavailable | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            return done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof MediaUnavailable m) {
                throw m;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
