package dev.isthmus.alg.http;

import dev.isthmus.relay.Families;
import dev.isthmus.relay.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of a request head ({@code request-head-timeout}): a client that has not sent a
 * whole request head in time gets 408 (RFC 9110 §15.5.9) and its connection is closed. The first
 * head's time runs from accept; on a kept-alive connection the next head's runs from its first
 * byte (waiting for it is what the idle timeout bounds). A deadline, not an idle timer: bytes
 * that trickle in do not move it, so a client that sends its head a byte at a time (slowloris)
 * holds its connection for {@code request-head-timeout} at most.
 *
 * <p>First in the pipeline after {@link Admission}, where it sees the raw bytes; the
 * {@link ProxyConnection}s tell it when a head has been decoded and when the next may start.
 * HTTP/2 (prior knowledge): the deadline covers the connection preface up to the first request
 * head, and ends there; the streams after it are bounded by the idle timeout and HTTP/2's own
 * limits. Runs on the connection's event loop, like the streams' handlers.
 */
final class RequestHeadDeadline extends ChannelInboundHandlerAdapter {
    /** Where the connection is between requests. */
    private enum State {
        /** A head is awaited and its time runs. */
        ARMED,
        /** A request (or a tunnel) is under way: no head is awaited. */
        IN_REQUEST,
        /** A response has ended on a kept-alive connection: the next byte starts the next head's time. */
        BETWEEN,
        /** HTTP/2 or a tunnel: heads are not timed any more. */
        DONE
    }

    private static final String BODY = "408 Request Timeout: " + HttpRefusal.REQUEST_HEAD_TIMEOUT.key() + "\n";
    /** Written raw, past the codec, which may hold part of a head and is not answering anything. */
    private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: " + BODY.length() + "\r\nConnection: close\r\nVia: " + ProxyHeaders.VIA + "\r\n\r\n"
            + BODY).getBytes(StandardCharsets.US_ASCII);

    private final long timeoutNanos;
    private final HttpCounters counters;
    private final RateLimitedLog log;
    private ChannelHandlerContext ctx;
    private State state = State.ARMED;
    private ScheduledFuture<?> timer;

    RequestHeadDeadline(Duration timeout, HttpCounters counters, RateLimitedLog log) {
        this.timeoutNanos = timeout.toNanos();
        this.counters = counters;
        this.log = log;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.BETWEEN && msg instanceof ByteBuf b && b.isReadable()) {
            arm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    /**
     * A request head has been decoded: its time stops. {@code forGood} when no head will be
     * timed again on this connection (an HTTP/2 stream's head, a CONNECT tunnel's).
     */
    void headReceived(boolean forGood) {
        cancel();
        if (state != State.DONE) {
            state = forGood ? State.DONE : State.IN_REQUEST;
        }
    }

    /** An HTTP/1.1 response has ended and the connection stays open: the next head may start. */
    void awaitNextHead() {
        if (state == State.IN_REQUEST) {
            state = State.BETWEEN;
        }
    }

    private void arm() {
        cancel();
        state = State.ARMED;
        timer = ctx.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (state != State.ARMED || !ctx.channel().isActive()) {
            return;
        }
        state = State.DONE;
        counters.refuse(HttpRefusal.REQUEST_HEAD_TIMEOUT);
        log.warn("http: refused 408 (" + HttpRefusal.REQUEST_HEAD_TIMEOUT.key() + "): client "
                + Families.text((InetSocketAddress) ctx.channel().remoteAddress())
                + ": no whole request head within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        if (ctx.pipeline().get("h2") != null) {
            ctx.close(); // HTTP/2 frames only: the 408 would be garbage to it
            return;
        }
        ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
    }
}
