package dev.isthmus.alg.http;

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
 * blocks), its addresses checked against the {@link DestinationPolicy} (after resolution: a name
 * that resolves to 127.0.0.1 is as refused as the literal), and connected with
 * {@link HappyEyeballs}.
 */
final class NetConnector implements Connector {
    private static final Executor RESOLVERS = Executors.newVirtualThreadPerTaskExecutor();

    private final DestinationPolicy policy;
    private final Duration connectTimeout;

    NetConnector(DestinationPolicy policy, Duration connectTimeout) {
        this.policy = policy;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public Future<Channel> connect(EventLoop loop, Target t) {
        if (t.backend() != null) {
            return HappyEyeballs.connect(loop, List.of(t.backend().getAddress()), t.port(), connectTimeout);
        }
        Promise<Channel> p = loop.newPromise();
        RESOLVERS.execute(() -> {
            InetAddress[] all;
            try {
                all = InetAddress.getAllByName(t.host());
            } catch (UnknownHostException e) {
                p.tryFailure(new Refused(HttpRefusal.RESOLVE_FAILED, "\"" + t.host() + "\" does not resolve"));
                return;
            }
            loop.execute(() -> connectAllowed(loop, t, all, p));
        });
        return p;
    }

    private void connectAllowed(EventLoop loop, Target t, InetAddress[] all, Promise<Channel> p) {
        List<InetAddress> allowed = new ArrayList<>();
        String why = null;
        for (InetAddress a : all) {
            String r = policy.refusal(a);
            if (r == null) {
                allowed.add(a);
            } else {
                why = a.getHostAddress() + " is " + r;
            }
        }
        if (allowed.isEmpty()) {
            p.tryFailure(new Refused(HttpRefusal.DESTINATION_REFUSED, "\"" + t.host() + "\": " + why));
            return;
        }
        HappyEyeballs.connect(loop, allowed, t.port(), connectTimeout).addListener(f -> {
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
