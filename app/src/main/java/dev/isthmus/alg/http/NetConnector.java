package dev.isthmus.alg.http;

import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.DestinationPolicy;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The real {@link Connector}: a reverse site's backend is connected as configured; a forward
 * destination is resolved (the system resolver, both families, on a virtual thread because it
 * blocks; an address literal is taken as it is), every address checked against the
 * {@link DestinationPolicy} and only those it allows connected with {@link HappyEyeballs}. The
 * check is on the addresses connected to, not on the name in the request: a name that resolves
 * to 127.0.0.1, or whose AAAA is an address of this process's pool6 that embeds 169.254.169.254,
 * is as refused as the literal.
 */
final class NetConnector implements Connector {
    private static final Executor RESOLVERS = Executors.newVirtualThreadPerTaskExecutor();

    /** A name's addresses (a seam: tests resolve without DNS). */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final DestinationPolicy policy;
    private final Duration connectTimeout;
    private final Resolver resolver;
    private final DescriptorBudget descriptors;

    /** @param descriptors what the server connections' sockets take from (and fail without) */
    NetConnector(DestinationPolicy policy, Duration connectTimeout, DescriptorBudget descriptors) {
        this(policy, connectTimeout, InetAddress::getAllByName, descriptors);
    }

    NetConnector(DestinationPolicy policy, Duration connectTimeout, Resolver resolver) {
        this(policy, connectTimeout, resolver, DescriptorBudget.unlimited());
    }

    private NetConnector(DestinationPolicy policy, Duration connectTimeout, Resolver resolver,
            DescriptorBudget descriptors) {
        this.policy = policy;
        this.connectTimeout = connectTimeout;
        this.resolver = resolver;
        this.descriptors = descriptors;
    }

    @Override
    public Future<Channel> connect(EventLoop loop, Target t) {
        if (t.backend() != null) {
            return HappyEyeballs.connect(loop, List.of(t.backend().getAddress()), t.port(), connectTimeout,
                    descriptors);
        }
        Promise<Channel> p = loop.newPromise();
        InetAddress literal = literal(t.host());
        if (literal != null) {
            connectAllowed(loop, t, new InetAddress[] {literal}, p);
            return p;
        }
        RESOLVERS.execute(() -> {
            InetAddress[] all;
            try {
                all = resolver.resolve(t.host());
            } catch (UnknownHostException e) {
                p.tryFailure(new Refused(HttpRefusal.RESOLVE_FAILED, "\"" + t.host() + "\" does not resolve"));
                return;
            }
            loop.execute(() -> connectAllowed(loop, t, all, p));
        });
        return p;
    }

    /** The address {@code host} spells, or null when it is a name. */
    private static InetAddress literal(String host) {
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void connectAllowed(EventLoop loop, Target t, InetAddress[] all, Promise<Channel> p) {
        List<InetAddress> allowed = new ArrayList<>();
        String why = null;
        for (InetAddress a : all) {
            String r = policy.refusal(a);
            if (r == null) {
                allowed.add(a);
            } else {
                why = ProxyHeaders.text(a) + " is " + r;
            }
        }
        if (allowed.isEmpty()) {
            String name = literal(t.host()) == null ? "\"" + t.host() + "\": " : "";
            p.tryFailure(new Refused(HttpRefusal.DESTINATION_REFUSED, name + why));
            return;
        }
        HappyEyeballs.connect(loop, allowed, t.port(), connectTimeout, descriptors).addListener(f -> {
            if (f.isSuccess()) {
                if (!p.trySuccess((Channel) f.getNow())) {
                    ((Channel) f.getNow()).close();
                }
            } else {
                p.tryFailure(f.cause());
            }
        });
    }
}
