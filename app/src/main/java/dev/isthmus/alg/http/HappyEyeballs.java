package dev.isthmus.alg.http;

import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Connects to the first address of a destination that answers, racing the address families
 * (RFC 8305, "Happy Eyeballs v2"): the addresses are interleaved by family, IPv6 first (§4); a
 * new attempt starts when the one before fails or has not succeeded within the Connection Attempt
 * Delay of 250 ms (§5, its recommended value); the first connection up wins and the others are
 * closed. So a site whose IPv6 address is broken costs a quarter second, not a connect timeout.
 *
 * <p>Everything runs on {@code loop}, the client connection's event loop.
 */
final class HappyEyeballs {
    static final Duration ATTEMPT_DELAY = Duration.ofMillis(250);

    private final EventLoop loop;
    private final List<InetSocketAddress> order;
    private final Duration connectTimeout;
    private final DescriptorBudget descriptors;
    private final Promise<Channel> result;
    private final List<ChannelFuture> attempts = new ArrayList<>();
    private int next;
    private int failed;
    private ScheduledFuture<?> timer;

    private HappyEyeballs(EventLoop loop, List<InetSocketAddress> order, Duration connectTimeout,
            DescriptorBudget descriptors) {
        this.loop = loop;
        this.order = order;
        this.connectTimeout = connectTimeout;
        this.descriptors = descriptors;
        this.result = loop.newPromise();
    }

    /**
     * Starts connecting; the promise completes on {@code loop} with the first connected channel
     * (reading off, its pipeline empty for the caller to fill) or the last attempt's failure.
     */
    static Promise<Channel> connect(EventLoop loop, List<InetAddress> addresses, int port, Duration connectTimeout) {
        return connect(loop, addresses, port, connectTimeout, DescriptorBudget.unlimited());
    }

    /** As above, each attempt's socket one of {@code descriptors}: none left fails the attempt. */
    static Promise<Channel> connect(EventLoop loop, List<InetAddress> addresses, int port, Duration connectTimeout,
            DescriptorBudget descriptors) {
        HappyEyeballs h = new HappyEyeballs(loop, interleave(addresses, port), connectTimeout, descriptors);
        loop.execute(h::attempt);
        return h.result;
    }

    /** RFC 8305 §4: alternate the families, starting with IPv6, each family in resolver order. */
    static List<InetSocketAddress> interleave(List<InetAddress> addresses, int port) {
        List<InetAddress> six = new ArrayList<>();
        List<InetAddress> four = new ArrayList<>();
        for (InetAddress a : addresses) {
            (a instanceof Inet6Address ? six : four).add(a);
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < Math.max(six.size(), four.size()); i++) {
            if (i < six.size()) {
                out.add(new InetSocketAddress(six.get(i), port));
            }
            if (i < four.size()) {
                out.add(new InetSocketAddress(four.get(i), port));
            }
        }
        return out;
    }

    private void attempt() {
        if (result.isDone() || next >= order.size()) {
            return;
        }
        InetSocketAddress to = order.get(next++);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(descriptors.counted(() -> new EpollSocketChannel(Families.of(to.getAddress()))))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInboundHandlerAdapter());
        ChannelFuture f = b.connect(to);
        attempts.add(f);
        f.addListener(x -> done(f, to));
        if (next < order.size()) {
            if (timer != null) {
                timer.cancel(false);
            }
            timer = loop.schedule(this::attempt, ATTEMPT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void done(ChannelFuture f, InetSocketAddress to) {
        if (f.isSuccess()) {
            if (!result.trySuccess(f.channel())) {
                f.channel().close(); // a slower attempt that lost the race
                return;
            }
            if (timer != null) {
                timer.cancel(false);
            }
            for (ChannelFuture other : attempts) {
                if (other != f) {
                    other.channel().close();
                }
            }
            return;
        }
        failed++;
        Refused why = new Refused(HttpRefusal.CONNECT_FAILED, Families.text(to) + ": " + f.cause().getMessage());
        if (failed == order.size()) {
            result.tryFailure(why);
        } else {
            // §5: a failed attempt starts the next one at once, without waiting for the delay.
            attempt();
        }
    }
}
