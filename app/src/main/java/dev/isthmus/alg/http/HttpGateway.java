package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DestinationPolicy;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.SocketPlane;
import dev.isthmus.relay.TranslatedPrefixes;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP gateway: the forward proxy and the reverse-proxied sites of {@link HttpSettings}, one
 * listening socket per distinct address (a forward proxy and sites may share one: absolute-form
 * and CONNECT requests go to the proxy, origin-form to the sites by Host).
 */
public final class HttpGateway implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.http");
    static final int MAX_CHUNK = 65536;

    private final HttpCounters counters;
    private final List<Channel> listeners;
    private final ChannelGroup connections;

    private HttpGateway(HttpCounters counters, List<Channel> listeners, ChannelGroup connections) {
        this.counters = counters;
        this.listeners = listeners;
        this.connections = connections;
    }

    /**
     * Listens on every configured address; on a failure closes what it opened and throws.
     *
     * @param translated what this process's translator carries to IPv4 ({@code [siit]},
     *     {@code [nat64]}): the forward proxy judges such a destination by the IPv4 address it reaches
     */
    public static HttpGateway start(SocketPlane plane, HttpSettings s, TranslatedPrefixes translated)
            throws IOException {
        HttpCounters counters = new HttpCounters();
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        AddressSet allowedDestinations = s.forward() == null ? AddressSet.NONE : s.forward().allowDestinations();
        Connector connector = new NetConnector(
                new DestinationPolicy(allowedDestinations, false, new LocalAddresses(), translated), s.connectTimeout(),
                plane.descriptors());
        RateLimitedLog log = new RateLimitedLog(LOG);
        Admission admission = new Admission(s, plane.descriptors(), counters, log);
        List<Channel> listeners = new ArrayList<>();
        try {
            for (Routes r : routes(s)) {
                ServerBootstrap b = plane.tcpServer(r.listen())
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                connections.add(ch);
                                pipeline(ch.pipeline(), s, r, connector, counters, log, admission);
                            }
                        });
                Channel ch;
                try {
                    ch = b.bind(r.listen()).syncUninterruptibly().channel();
                } catch (Exception e) {
                    throw new IOException("http: cannot listen on " + Families.text(r.listen()) + ": " + e.getMessage(), e);
                }
                listeners.add(ch);
                LOG.log(System.Logger.Level.INFO, "http: listening on " + Families.text((InetSocketAddress) ch.localAddress())
                        + (r.forward() != null ? ", forward proxy for " + r.forward().allow() : "")
                        + (r.forward() != null && !translated.isEmpty()
                                ? " (destinations in " + translated + " judged by the IPv4 address they reach)" : "")
                        + (r.sites().isEmpty() ? "" : ", sites " + r.sites().keySet()));
            }
        } catch (IOException e) {
            listeners.forEach(Channel::close);
            throw e;
        }
        return new HttpGateway(counters, listeners, connections);
    }

    /**
     * The handlers of one client connection (also what the fuzz test drives): the gateway's
     * {@link Admission} and the {@link RequestHeadDeadline} before anything parses; HTTP/1.1, or HTTP/2
     * without TLS when the client starts with the connection preface ("prior knowledge",
     * RFC 9113 §3.3), each HTTP/2 stream then handled as one HTTP/1.1 exchange by a
     * {@link ProxyConnection} of its own. The HTTP/1.1 Upgrade to h2c (RFC 7540 §3.2, dropped by
     * RFC 9113) is not offered: such a request is served as HTTP/1.1.
     */
    static void pipeline(ChannelPipeline p, HttpSettings s, Routes r, Connector connector, HttpCounters counters,
            RateLimitedLog log, Admission admission) {
        RequestHeadDeadline headDeadline = new RequestHeadDeadline(s.requestHeadTimeout(), counters, log);
        p.addLast("admission", admission);
        p.addLast("head-deadline", headDeadline);
        p.addLast("idle", new IdleStateHandler(0, 0, s.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        HttpServerCodec http1 = new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(s.maxHeaderBytes())
                .setMaxHeaderSize(s.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK));
        ChannelInitializer<Channel> stream = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
                ch.pipeline().addLast(new ProxyConnection(r, connector, counters, log, MAX_CHUNK, headDeadline));
            }
        };
        HttpServerUpgradeHandler noUpgrade = new HttpServerUpgradeHandler(http1, protocol -> null, s.maxHeaderBytes());
        p.addLast("http", new CleartextHttp2ServerUpgradeHandler(http1, noUpgrade, new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                // Put where the HTTP/1.1 codec was, before the connection-level handlers.
                // The multiplexer finds the frame codec before it when it is added: codec first.
                ctx.pipeline().addAfter(ctx.name(), "h2", http2(s));
                ctx.pipeline().addAfter("h2", "h2-streams", new Http2MultiplexHandler(stream));
                ctx.pipeline().remove(this);
            }
        }));
        // Answers "Expect: 100-continue" itself (RFC 9110 §10.1.1) and removes it, so that a client
        // does not wait for a 100 that an HTTP/1.0 server behind the proxy would never send.
        p.addLast("continue", new HttpServerExpectContinueHandler());
        p.addLast("proxy", new ProxyConnection(r, connector, counters, log, MAX_CHUNK, headDeadline));
    }

    /** The HTTP/2 connection: at most 100 streams at once, header lists no longer than HTTP/1.1 heads may be. */
    private static Http2FrameCodec http2(HttpSettings s) {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(100).maxHeaderListSize(s.maxHeaderBytes()))
                .build();
    }

    /** The settings grouped by listening address. */
    static List<Routes> routes(HttpSettings s) {
        Map<InetSocketAddress, Map<String, ReverseSite>> sites = new LinkedHashMap<>();
        if (s.forward() != null) {
            sites.put(s.forward().listen(), new HashMap<>());
        }
        for (ReverseSite site : s.reverse()) {
            sites.computeIfAbsent(site.listen(), k -> new HashMap<>()).put(site.host(), site);
        }
        List<Routes> out = new ArrayList<>();
        sites.forEach((listen, m) -> out.add(new Routes(listen,
                s.forward() != null && s.forward().listen().equals(listen) ? s.forward() : null, m)));
        return out;
    }

    public HttpCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        listeners.forEach(c -> c.close().syncUninterruptibly());
        connections.close().awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "http gateway";
    }
}
