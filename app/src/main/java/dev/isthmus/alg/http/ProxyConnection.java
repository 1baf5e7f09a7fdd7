package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.Splice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection of the HTTP gateway: HTTP/1.1 (RFC 9112) requests in order, each routed
 * ({@link Routing}), sent on a server connection that is kept for the next request to the same
 * place, and its response streamed back. One request at a time: while a response is pending the
 * client is not read (pipelined requests wait in the socket, or in {@link #queued} for what one
 * read already decoded), so nothing is buffered without bound.
 *
 * <p>Streaming and backpressure: bodies pass through as the codec's chunks, never aggregated; a
 * side whose outbound buffer is full stops the other side's reading until it drains (the same
 * rule as {@link Splice}). A CONNECT request becomes a {@link Splice} pair once the server
 * connection is up (RFC 9110 §9.3.6).
 *
 * <p>Every refusal answers with its status code, is counted and logged (rate-limited), and closes
 * the connection; nothing thrown here escapes the event loop.
 */
final class ProxyConnection extends ChannelInboundHandlerAdapter {
    private final Routes routes;
    private final Connector connector;
    private final HttpCounters counters;
    private final RateLimitedLog log;
    private final int maxChunk;
    private final RequestHeadDeadline headDeadline;

    private ChannelHandlerContext ctx;
    private InetSocketAddress clientAddress;
    private InetAddress client;
    /** The server connection, kept between requests to the same {@link #upstreamKey}. */
    private Channel upstream;
    private String upstreamKey;
    private boolean upstreamKeepAlive;
    /** The current request's body is still arriving. */
    private boolean requestOpen;
    /** The current request's response has not ended. */
    private boolean awaitingResponse;
    private boolean responseStarted;
    /** A 1xx response is being relayed: its end is not the end of the response (RFC 9110 §15.2). */
    private boolean informational;
    private boolean keepAlive;
    private boolean headRequest;
    private boolean connecting;
    private boolean closing;
    /** The client sent FIN: reading it again would fail (and there is nothing more to read). */
    private boolean inputEnded;
    private String requestLine = "";
    /** Parts of the current request that arrived while its server connection was being made. */
    private final List<HttpObject> held = new ArrayList<>();
    /** Parts of later requests, decoded before the current one was done. */
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>();

    ProxyConnection(Routes routes, Connector connector, HttpCounters counters, RateLimitedLog log, int maxChunk,
            RequestHeadDeadline headDeadline) {
        this.routes = routes;
        this.connector = connector;
        this.counters = counters;
        this.log = log;
        this.maxChunk = maxChunk;
        this.headDeadline = headDeadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientAddress = (InetSocketAddress) ctx.channel().remoteAddress();
        client = AddressSet.unmapped(clientAddress.getAddress());
        counters.opened();
        ctx.channel().closeFuture().addListener(f -> {
            counters.closed();
            closeUpstream();
            held.forEach(ReferenceCountUtil::release);
            held.clear();
            queued.forEach(ReferenceCountUtil::release);
            queued.clear();
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing || !(msg instanceof HttpObject o)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!queued.isEmpty() || (awaitingResponse && !requestOpen)) {
            queued.add(o);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(o);
    }

    private void handle(HttpObject o) {
        if (o instanceof FullHttpRequest full) {
            // A request whole in one object (an HTTP/2 HEADERS frame that ends its stream, an
            // aggregated Upgrade request): head and body go their separate ways below.
            HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            head.setDecoderResult(full.decoderResult());
            handle(head);
            handle(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            return;
        }
        if (o instanceof HttpRequest req) {
            if (!startRequest(req)) {
                ReferenceCountUtil.release(o);
                return;
            }
        }
        if (o instanceof HttpContent c) {
            body(c);
        }
    }

    /** False when the request was refused (the connection is closing). */
    private boolean startRequest(HttpRequest req) {
        requestLine = req.method() + " " + Routing.printable(req.uri());
        headDeadline.headReceived(ctx.channel() instanceof Http2StreamChannel);
        DecoderResult dr = req.decoderResult();
        if (dr.isFailure()) {
            Throwable cause = dr.cause();
            HttpRefusal r = cause instanceof TooLongHttpLineException ? HttpRefusal.URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpRefusal.HEADER_TOO_LARGE
                    : HttpRefusal.BAD_REQUEST;
            refuse(r, "unparsable request: " + cause.getMessage());
            return false;
        }
        Routing.Decision d = Routing.route(req, routes, client);
        if (d.refusal() != null) {
            refuse(d.refusal(), d.why());
            return false;
        }
        Target t = d.target();
        keepAlive = HttpUtil.isKeepAlive(req);
        headRequest = req.method().equals(HttpMethod.HEAD);
        awaitingResponse = true;
        responseStarted = false;
        requestOpen = true;
        counters.request(t.kind());
        if (t.kind() == HttpCounters.Kind.CONNECT) {
            if (ctx.channel() instanceof Http2StreamChannel) {
                // RFC 9113 §8.5 tunnels DATA frames, not the connection: not done here.
                refuse(HttpRefusal.BAD_REQUEST, "CONNECT over HTTP/2 is not supported: use HTTP/1.1");
                return false;
            }
            requestOpen = false;
            headDeadline.headReceived(true); // what follows is the tunnel's, not HTTP
            tunnel(t);
            return true;
        }
        ProxyHeaders.request(req, client);
        if (upstream != null && upstream.isActive() && t.key().equals(upstreamKey)) {
            upstream.write(req, upstream.voidPromise());
            return true;
        }
        closeUpstream();
        connecting = true;
        held.add(req);
        ctx.channel().config().setAutoRead(false);
        connector.connect(ctx.channel().eventLoop(), t).addListener(f -> connected(f, t));
        return true;
    }

    private void body(HttpContent c) {
        if (!requestOpen) {
            c.release(); // the empty end of a CONNECT request, or a refused request's rest
            return;
        }
        if (c.decoderResult().isFailure()) {
            // The codec ends a body it cannot parse with an empty last part marked as failed;
            // passed on, it would end the server's copy as a complete, shorter body.
            c.release();
            refuse(HttpRefusal.BAD_BODY, "malformed body: " + c.decoderResult().cause().getMessage());
            return;
        }
        counters.toServer().add(c.content().readableBytes());
        boolean last = c instanceof LastHttpContent;
        if (connecting) {
            held.add(c);
        } else {
            upstream.write(c, upstream.voidPromise());
        }
        if (last) {
            requestOpen = false;
            if (!connecting) {
                upstream.flush();
            }
            // Until the response ends, the next request waits in the socket.
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void connected(Future<? super Channel> f, Target t) {
        connecting = false;
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            if (cause instanceof Refused r) {
                refuse(r.refusal(), r.getMessage());
            } else {
                refuse(HttpRefusal.CONNECT_FAILED, String.valueOf(cause.getMessage()));
            }
            return;
        }
        Channel ch = (Channel) f.getNow();
        if (closing || !ctx.channel().isActive()) {
            ch.close();
            return;
        }
        upstream = ch;
        upstreamKey = t.key();
        upstreamKeepAlive = true;
        ch.pipeline().addLast("http", new HttpClientCodec(8192, 65536, maxChunk));
        ch.pipeline().addLast("proxy", new Upstream(this));
        for (HttpObject o : held) {
            ch.write(o, ch.voidPromise());
        }
        held.clear();
        ch.flush();
        ch.config().setAutoRead(true);
        if (requestOpen) {
            resumeClient();
        }
    }

    /** CONNECT: once the server connection is up, answer 200 and splice the two (RFC 9110 §9.3.6). */
    private void tunnel(Target t) {
        ctx.channel().config().setAutoRead(false);
        connecting = true;
        connector.connect(ctx.channel().eventLoop(), t).addListener(f -> {
            connecting = false;
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                refuse(cause instanceof Refused r ? r.refusal() : HttpRefusal.CONNECT_FAILED,
                        String.valueOf(cause.getMessage()));
                return;
            }
            Channel server = (Channel) f.getNow();
            Channel self = ctx.channel();
            if (closing || !self.isActive()) {
                server.close();
                return;
            }
            self.closeFuture().addListener(x -> server.close());
            FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    new HttpResponseStatus(200, "Connection established"));
            ok.headers().set("Via", ProxyHeaders.VIA);
            self.writeAndFlush(ok).addListener(w -> {
                if (!w.isSuccess()) {
                    self.close();
                    return;
                }
                Runnable idle = () -> { };
                server.pipeline().addLast("splice", new Splice(self, counters.toClient(), idle));
                self.pipeline().replace(this, "splice", new Splice(server, counters.toServer(), idle));
                // Bytes the codec already holds (a client that did not wait for the 200) go on
                // to the splice as it leaves.
                self.pipeline().remove(HttpServerCodec.class);
                if (self.pipeline().get(HttpServerUpgradeHandler.class) != null) {
                    self.pipeline().remove(HttpServerUpgradeHandler.class);
                }
                self.pipeline().remove("continue");
                server.config().setAutoRead(true);
                self.config().setAutoRead(true);
            });
        });
    }

    // ---- from the server -----------------------------------------------------------------

    void responseHead(HttpResponse res) {
        int code = res.status().code();
        informational = code >= 100 && code < 200 && code != 101;
        if (!informational) {
            responseStarted = true;
            if (!HttpUtil.isKeepAlive(res)) {
                upstreamKeepAlive = false;
            }
        }
        ProxyHeaders.response(res);
        if (!informational) {
            boolean framed = HttpUtil.isContentLengthSet(res) || HttpUtil.isTransferEncodingChunked(res)
                    || headRequest || code == 204 || code == 304;
            if (!framed) {
                // The server ends this body by closing (RFC 9112 §6.3 item 8). Towards the client
                // the codec chunks it instead, so the client's connection can stay open.
                HttpUtil.setTransferEncodingChunked(res, true);
            }
            res.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        }
        if (!(res instanceof HttpContent)) {
            ctx.write(res, ctx.voidPromise()); // a full response is written whole by responseContent
        }
    }

    /** The server's response did not parse (head or body): it is not passed on as if it had. */
    void responseMalformed(Channel ch, Throwable cause) {
        if (ch != upstream) {
            ch.close(); // a server connection already given up
        } else if (awaitingResponse && !closing) {
            refuse(HttpRefusal.BAD_GATEWAY, "malformed response from the server: " + cause.getMessage());
        } else {
            closeUpstream();
        }
    }

    void responseContent(HttpContent c) {
        counters.toClient().add(c.content().readableBytes());
        boolean last = c instanceof LastHttpContent;
        ctx.write(c, ctx.voidPromise());
        if (!last) {
            return;
        }
        if (informational) {
            informational = false;
            ctx.flush();
            return;
        }
        responseEnded();
    }

    void flushClient() {
        ctx.flush();
        if (upstream != null && !ctx.channel().isWritable()) {
            upstream.config().setAutoRead(false);
        }
    }

    /** The server's buffer drained: a request body may flow again. */
    void upstreamWritable() {
        if (requestOpen && !connecting) {
            resumeClient();
        }
    }

    void upstreamClosed(Channel ch) {
        if (ch != upstream) {
            return;
        }
        upstream = null;
        upstreamKey = null;
        if (awaitingResponse && !closing) {
            if (responseStarted) {
                closing = true;
                closeWhenFlushed();
            } else {
                refuse(HttpRefusal.BAD_GATEWAY, "the server closed the connection without an answer");
            }
        }
    }

    private void responseEnded() {
        awaitingResponse = false;
        ctx.flush();
        if (!keepAlive) {
            closing = true;
            closeWhenFlushed();
            return;
        }
        if (!upstreamKeepAlive) {
            closeUpstream();
        }
        headDeadline.awaitNextHead();
        while (!queued.isEmpty() && !closing && !(awaitingResponse && !requestOpen) && !connecting) {
            handle(queued.poll());
        }
        if (queued.isEmpty() && !closing && !connecting && !(awaitingResponse && !requestOpen)) {
            resumeClient();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null && !connecting) {
            upstream.flush();
            if (!upstream.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && upstream != null) {
            upstream.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client sent FIN: answer what it asked (a client may half-close after its
            // request), then close; nothing more will come.
            keepAlive = false;
            inputEnded = true;
            if (!awaitingResponse) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void refuse(HttpRefusal r, String why) {
        counters.refuse(r);
        log.warn("http: refused " + r.status() + " (" + r.key() + "): client " + Families.text(clientAddress) + ": "
                + requestLine + ": " + why);
        closing = true;
        closeUpstream();
        held.forEach(ReferenceCountUtil::release);
        held.clear();
        if (responseStarted) {
            ctx.close();
            return;
        }
        HttpResponseStatus status = HttpResponseStatus.valueOf(r.status());
        ByteBuf body = Unpooled.copiedBuffer(status.code() + " " + status.reasonPhrase() + ": " + r.key() + "\n",
                StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        res.headers().set("Via", ProxyHeaders.VIA);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the client side once what was written has gone out. */
    private void closeWhenFlushed() {
        if (ctx.channel() instanceof Http2StreamChannel) {
            // An HTTP/2 stream takes frames only; its response already ended it (END_STREAM).
            ctx.flush();
            ctx.close();
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void resumeClient() {
        if (!inputEnded && ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void closeUpstream() {
        if (upstream != null) {
            Channel u = upstream;
            upstream = null;
            upstreamKey = null;
            u.close();
        }
    }
}
