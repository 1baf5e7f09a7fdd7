package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.RateLimitedLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gateway's client pipeline ({@link HttpGateway#pipeline}) on an in-memory channel, with a
 * connector that makes no connection (it refuses with {@code connect-failed}): the whole request
 * path up to the server connection, without sockets.
 */
final class GatewayChannels {
    static final ReverseSite SITE = new ReverseSite("www.example.test", new InetSocketAddress("192.0.2.80", 80),
            new InetSocketAddress("::", 3128));
    static final HttpSettings SETTINGS = new HttpSettings(
            new ForwardSettings(new InetSocketAddress("::", 3128), AddressSet.parse(List.of("2001:db8:6::/64")),
                    ForwardSettings.DEFAULT_CONNECT_PORTS, AddressSet.NONE),
            List.of(SITE), 1024, Duration.ofSeconds(60), Duration.ofSeconds(1));
    static final Routes ROUTES = new Routes(new InetSocketAddress("::", 3128), SETTINGS.forward(),
            Map.of(SITE.host(), SITE));

    private GatewayChannels() {}

    /** A client connection from {@code client}; the counters are {@code counters}. */
    static EmbeddedChannel client(InetSocketAddress client, HttpCounters counters) {
        Connector refuses = (loop, target) -> {
            Future<Channel> f = loop.newFailedFuture(new Refused(HttpRefusal.CONNECT_FAILED, "no network in this test"));
            return f;
        };
        RateLimitedLog log = new RateLimitedLog(System.getLogger("dev.isthmus.alg.http.test"));
        return new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                HttpGateway.pipeline(ch.pipeline(), SETTINGS, ROUTES, refuses, counters, log);
            }
        }) {
            @Override
            protected SocketAddress remoteAddress0() {
                return client;
            }
        };
    }

}
