package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.ClientLimits;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.Refusal;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Who gets one of the gateway's connection slots, decided when a connection is accepted, before a
 * byte of it is read: refused when its client address already has {@code max-per-client}
 * connections, when {@code max-connections} are open (every listener of the gateway together), or
 * when the socket plane is out of descriptors ({@link DescriptorBudget}). A refused connection is
 * closed at once, without an answer (it never reaches the codec, so nothing of it is parsed or
 * buffered), counted under its {@link HttpRefusal} and logged, at most {@link RateLimitedLog}'s
 * lines a second. The same limits, in the same order, as a relay's.
 *
 * <p>One instance for the gateway, in every client connection's pipeline.
 */
@ChannelHandler.Sharable
final class Admission extends ChannelInboundHandlerAdapter {
    private final HttpSettings s;
    private final ClientLimits limits;
    private final DescriptorBudget descriptors;
    private final HttpCounters counters;
    private final RateLimitedLog log;

    Admission(HttpSettings s, DescriptorBudget descriptors, HttpCounters counters, RateLimitedLog log) {
        this.s = s;
        this.limits = new ClientLimits(s.maxConnections(), s.maxPerClient());
        this.descriptors = descriptors;
        this.counters = counters;
        this.log = log;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        InetSocketAddress from = (InetSocketAddress) ch.remoteAddress();
        InetAddress who = AddressSet.unmapped(from.getAddress());
        Refusal full = limits.acquire(who);
        if (full != null) {
            boolean total = full == Refusal.TOTAL_LIMIT;
            refuse(ch, total ? HttpRefusal.TOTAL_LIMIT : HttpRefusal.CLIENT_LIMIT, from, total
                    ? s.maxConnections() + " connections are open (max-connections)"
                    : s.maxPerClient() + " connections from it are open (max-per-client)");
            return;
        }
        if (!descriptors.take(ch)) {
            limits.release(who);
            refuse(ch, HttpRefusal.DESCRIPTOR_LIMIT, from, descriptors.max()
                    + " sockets of the socket plane are open (the open-file limit less the reserve)");
            return;
        }
        ch.closeFuture().addListener(f -> limits.release(who));
        ctx.fireChannelActive();
    }

    private void refuse(Channel ch, HttpRefusal r, InetSocketAddress from, String why) {
        counters.refuse(r);
        log.warn("http: refused (" + r.key() + "): client " + Families.text(from) + " closed at accept: " + why);
        ch.close();
    }
}
