package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.DestinationPolicy;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.TranslatedPrefixes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gateway's client pipeline ({@link HttpGateway#pipeline}) on an in-memory channel, with a
 * connector that makes no connection (it refuses with {@code connect-failed}) or one whose server
 * is another in-memory channel: the whole request path, without sockets.
 */
final class GatewayChannels {
    static final ReverseSite SITE = new ReverseSite("www.example.test", new InetSocketAddress("192.0.2.80", 80),
            new InetSocketAddress("::", 3128));
    static final HttpSettings SETTINGS = new HttpSettings(
            new ForwardSettings(new InetSocketAddress("::", 3128), AddressSet.parse(List.of("2001:db8:6::/64")),
                    ForwardSettings.DEFAULT_CONNECT_PORTS, AddressSet.NONE),
            List.of(SITE), 1024, Duration.ofSeconds(60), Duration.ofSeconds(1), HttpSettings.DEFAULT_MAX_CONNECTIONS,
            HttpSettings.DEFAULT_MAX_PER_CLIENT, HttpSettings.DEFAULT_REQUEST_HEAD_TIMEOUT);
    static final Routes ROUTES = new Routes(new InetSocketAddress("::", 3128), SETTINGS.forward(),
            Map.of(SITE.host(), SITE));

    /** A listener with the site only, no forward proxy: absolute-form requests go to the site too. */
    static final Routes SITE_ONLY = new Routes(new InetSocketAddress("::", 80), null, Map.of(SITE.host(), SITE));
    /** The lab's network-specific prefix, as a [siit] or [nat64] section in the same process translates it. */
    static final TranslatedPrefixes POOL6 = new TranslatedPrefixes(List.of(Rfc6052Prefix.parse("2001:db8:64::/96")),
            EamTable.empty());
    /** Makes no connection: refuses with {@code connect-failed}. */
    static final Connector REFUSES = (loop, target) ->
            loop.newFailedFuture(new Refused(HttpRefusal.CONNECT_FAILED, "no network in this test"));

    private GatewayChannels() {}

    /** A client connection from {@code client} to {@link #ROUTES}; the counters are {@code counters}. */
    static EmbeddedChannel client(InetSocketAddress client, HttpCounters counters) {
        return client(client, counters, ROUTES, REFUSES);
    }

    /** A client connection from {@code client} to {@code routes}, whose servers {@code connector} connects. */
    static EmbeddedChannel client(InetSocketAddress client, HttpCounters counters, Routes routes, Connector connector) {
        return client(client, SETTINGS, admission(SETTINGS, DescriptorBudget.unlimited(), counters), counters, routes,
                connector);
    }

    /** The gateway's admission for {@code s}: the limits that {@code client}s sharing it share. */
    static Admission admission(HttpSettings s, DescriptorBudget descriptors, HttpCounters counters) {
        return new Admission(s, descriptors, counters, LOG);
    }

    /**
     * A client connection from {@code client} with settings {@code s}, one of those that share
     * {@code admission}, to {@code routes}. Its event loop's clock is frozen: tests move it
     * ({@link EmbeddedChannel#advanceTimeBy}).
     */
    static EmbeddedChannel client(InetSocketAddress client, HttpSettings s, Admission admission, HttpCounters counters,
            Routes routes, Connector connector) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return client;
            }
        };
        ch.pipeline().addLast(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                HttpGateway.pipeline(c.pipeline(), s, routes, connector, counters, LOG, admission);
            }
        });
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ch.freezeTime();
        return ch;
    }

    private static final RateLimitedLog LOG = new RateLimitedLog(System.getLogger("dev.isthmus.alg.http.test"));

    /**
     * A connector whose every server connection is {@code server}, an in-memory channel: what the
     * gateway sends the server is read from its outbound side, the server's answer written to its
     * inbound side.
     */
    static Connector connectsTo(EmbeddedChannel server) {
        return (loop, target) -> loop.newSucceededFuture(server);
    }

    /**
     * A client connection from 2001:db8:99::2 (not a forward-proxy client) to {@code routes} whose
     * server connection is an in-memory channel too ({@link #connectsTo}).
     */
    record Exchange(HttpCounters counters, EmbeddedChannel client, EmbeddedChannel server) {
        static Exchange to(Routes routes) {
            HttpCounters counters = new HttpCounters();
            EmbeddedChannel server = new EmbeddedChannel();
            return new Exchange(counters, GatewayChannels.client(new InetSocketAddress("2001:db8:99::2", 40000),
                    counters, routes, connectsTo(server)), server);
        }
    }

    /** The forward proxy's real connector, with this process translating {@link #POOL6}; names do not resolve. */
    static Connector translating() {
        return new NetConnector(new DestinationPolicy(AddressSet.NONE, false, new LocalAddresses(), POOL6),
                SETTINGS.connectTimeout(), host -> {
                    throw new java.net.UnknownHostException(host);
                });
    }

    /** Sends {@code text} (ISO-8859-1, as on the wire) to {@code ch} and runs what it scheduled. */
    static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        ch.checkException();
    }

    /** Everything {@code ch} has written so far, as text. */
    static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }
}
