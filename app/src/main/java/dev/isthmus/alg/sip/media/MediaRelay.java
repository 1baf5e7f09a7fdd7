package dev.isthmus.alg.sip.media;

import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.PortPool;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.SocketPlane;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The RTP media relay of the SIP proxy (issue 22): per call and {@code m=} stream an RTP/RTCP port
 * pair on each side, each in its leg's family, so that an IPv6-only phone and an IPv4-only phone
 * send their media to an address they can reach, and the relay forwards it between them.
 *
 * <p>The call table is thread-safe (the proxy calls from its own loop); each call's sockets live
 * on one event loop of the socket plane. Limits: {@code maxCalls} calls, {@code maxStreamsPerCall}
 * streams a call, the port range per family; each refusal is a {@link MediaUnavailable} with its
 * reason, counted and logged (rate-limited).
 */
public final class MediaRelay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.sip.media");

    private final SocketPlane plane;
    private final MediaSettings s;
    private final PortPool ipv4Ports;
    private final PortPool ipv6Ports;
    private final ConcurrentHashMap<String, MediaCall> calls = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final MediaCounters counters = new MediaCounters();
    private final RateLimitedLog log = new RateLimitedLog(LOG);
    private volatile Consumer<String> timeoutListener = callId -> {};

    private MediaRelay(SocketPlane plane, MediaSettings s) {
        this.plane = plane;
        this.s = s;
        this.ipv4Ports = new PortPool(s.firstPort(), s.lastPort());
        this.ipv6Ports = new PortPool(s.firstPort(), s.lastPort());
    }

    /** A relay on {@code plane}'s loops; it binds nothing until a call asks for ports. */
    public static MediaRelay start(SocketPlane plane, MediaSettings s) {
        MediaRelay relay = new MediaRelay(plane, s);
        LOG.log(System.Logger.Level.INFO, "media relay: " + (s.ipv4() == null ? "no IPv4" : s.ipv4().getHostAddress())
                + ", " + (s.ipv6() == null ? "no IPv6" : dev.isthmus.wire.Ipv6Address.ofBytes(s.ipv6().getAddress())) + ", ports " + s.firstPort() + "-"
                + s.lastPort() + ", timeout " + s.timeout().toSeconds() + " s, max " + s.maxCalls() + " calls");
        return relay;
    }

    /**
     * Tells {@code listener} the Call-ID of each call the media timeout ends (on that call's event
     * loop), so the proxy can forget its dialog too.
     */
    public void onTimeout(Consumer<String> listener) {
        timeoutListener = Objects.requireNonNull(listener);
    }

    /**
     * The media of {@code callId}, made on first use, the families of its two legs fixed then
     * (those of the two addresses; a later call with others gets the call as it is).
     *
     * @throws MediaUnavailable CALLS when {@code maxCalls} calls are open (counted)
     */
    public MediaCall call(String callId, InetAddress callerFamilyAddress, InetAddress calleeFamilyAddress)
            throws MediaUnavailable {
        MediaCall c = calls.get(callId);
        if (c != null) {
            c.touch();
            return c;
        }
        if (open.incrementAndGet() > s.maxCalls()) {
            open.decrementAndGet();
            throw refuse(MediaUnavailable.Reason.CALLS, "call " + callId + ": max-calls " + s.maxCalls() + " reached");
        }
        MediaCall made = new MediaCall(callId, this, loop(), callerFamilyAddress, calleeFamilyAddress);
        c = calls.putIfAbsent(callId, made);
        if (c != null) {
            // Another thread of the proxy made it first.
            open.decrementAndGet();
            return c;
        }
        made.start();
        counters.open();
        LOG.log(System.Logger.Level.INFO, "media call " + callId + ": caller " + name(made.family(Leg.CALLER))
                + ", callee " + name(made.family(Leg.CALLEE)));
        return made;
    }

    /**
     * The event loop for a new call: the plane's loops in turn, so that the media of many calls
     * spreads over every core (the proxy's own loop, which sets calls up, waits for another loop
     * once per call setup, never per packet).
     */
    private EventLoop loop() {
        return plane.group().next();
    }

    /** The call of {@code callId}; null when none. */
    public MediaCall find(String callId) {
        return calls.get(callId);
    }

    /** Ends the call: every socket closed, every port freed, one log line; nothing when there is no such call. */
    public void end(String callId, String reason) {
        MediaCall c = calls.remove(callId);
        if (c != null) {
            c.close();
            ended(c, reason, false);
        }
    }

    /** The media timeout of {@code c} fired; on its loop. */
    void timedOut(MediaCall c) {
        if (!calls.remove(c.callId, c)) {
            return;
        }
        c.close();
        ended(c, "media timeout", true);
        try {
            timeoutListener.accept(c.callId);
        } catch (RuntimeException e) {
            log.warn("media call " + c.callId + ": the timeout listener failed: " + e);
        }
    }

    private void ended(MediaCall c, String reason, boolean timeout) {
        open.decrementAndGet();
        counters.end(timeout);
        LOG.log(System.Logger.Level.INFO, "media call " + c.callId + " ended (" + reason + ") after "
                + c.age().toMillis() / 1000.0 + " s: " + c.summary());
    }

    /** A snapshot of the open calls, for {@code isthmus show calls}. */
    public List<MediaCallStats> calls() {
        List<MediaCallStats> list = new ArrayList<>(calls.size());
        for (MediaCall c : calls.values()) {
            list.add(c.stats());
        }
        return list;
    }

    public MediaCounters counters() {
        return counters;
    }

    public MediaSettings settings() {
        return s;
    }

    /** Ends every call. */
    @Override
    public void close() {
        for (String callId : new ArrayList<>(calls.keySet())) {
            end(callId, "shutdown");
        }
    }

    /** The port pool of {@code family}'s relay address. */
    PortPool pool(ProtocolFamily family) {
        return family == StandardProtocolFamily.INET ? ipv4Ports : ipv6Ports;
    }

    /** {@code a} is a relay address and a port of the range: a socket of this relay, or one it may open. */
    boolean isOwn(InetSocketAddress a) {
        InetAddress host = a.getAddress();
        return (host.equals(s.ipv4()) || host.equals(s.ipv6())) && a.getPort() >= s.firstPort()
                && a.getPort() <= s.lastPort();
    }

    DescriptorBudget descriptors() {
        return plane.descriptors();
    }

    /** Counts and logs a refusal, and gives it to throw. */
    MediaUnavailable refuse(MediaUnavailable.Reason reason, String message) {
        counters.refuse(reason);
        MediaUnavailable e = new MediaUnavailable(reason, message);
        log.warn("media relay: refused (" + e.getMessage() + ")");
        return e;
    }

    private static String name(ProtocolFamily f) {
        return f == StandardProtocolFamily.INET ? "IPv4" : "IPv6";
    }
}
