package dev.isthmus.alg.ftp.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.Splice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One client's FTP session through the proxy, from the moment both control connections are up:
 * the client's commands go to the server one line at a time and the server's replies come back,
 * except for the commands the proxy answers itself ({@link FtpCommand.Kind}). Runs on the client
 * connection's event loop, which the server connection and the data connections share.
 *
 * <p>Ordering (RFC 959 §4.2: replies come in the order of the commands): every command sent to
 * the server queues what is to be done with its reply ({@link #expected}). A command the proxy
 * handles itself waits until every reply before it has been passed on, and the commands after it
 * wait in {@link #pending} until it is done, so the client sees its replies in its own order.
 */
final class FtpSession {
    /** The longest command line the proxy reads; RFC 959 sets none, a path fits many times over. */
    static final int MAX_COMMAND = 4096;
    /** The longest reply line the proxy reads (a FEAT or HELP line, a long path in a 257). */
    static final int MAX_REPLY_LINE = 8192;
    /**
     * Commands read ahead of the one being handled before the client's connection stops being
     * read; as many commands may await the server's replies.
     */
    static final int MAX_PENDING = 32;

    private final FtpProxy proxy;
    private final Channel client;
    private final Channel server;
    private final InetAddress clientAddress;
    private final InetAddress clientLocal;
    private final InetSocketAddress serverAddress;
    private final Deque<String> pending = new ArrayDeque<>();
    private final Deque<Consumer<FtpReply>> expected = new ArrayDeque<>();
    private final FtpReply.Reader replies = new FtpReply.Reader();
    private final LongAdder opaqueBytes = new LongAdder();
    /** What is done with the replies to a relayed command: each goes to the client (one instance, compared by identity). */
    private final Consumer<FtpReply> relayReply = this::relay;
    private DataLink link;
    private ScheduledFuture<?> firstCommand;
    private boolean commandSeen;
    private boolean busy;
    private boolean epsvAll;
    private boolean serverHasNoEpsv;
    private boolean serverHasNoEprt;
    private boolean clientEnded;
    private int transfers;

    FtpSession(FtpProxy proxy, Channel client, Channel server) {
        this.proxy = proxy;
        this.client = client;
        this.server = server;
        this.clientAddress = AddressSet.unmapped(((InetSocketAddress) client.remoteAddress()).getAddress());
        this.clientLocal = AddressSet.unmapped(((InetSocketAddress) client.localAddress()).getAddress());
        this.serverAddress = (InetSocketAddress) server.remoteAddress();
    }

    FtpProxySettings settings() {
        return proxy.settings();
    }

    FtpProxyCounters counters() {
        return proxy.counters();
    }

    DescriptorBudget descriptors() {
        return proxy.descriptors();
    }

    /**
     * Starts reading both control connections: the server's greeting (RFC 959 §5.4: 220, or 120
     * then 220) is the first reply passed on. {@code firstCommand} is the deadline armed at accept.
     */
    void start(ScheduledFuture<?> firstCommand) {
        this.firstCommand = firstCommand;
        expected.add(relayReply);
        server.pipeline().addLast("lines", new LineBasedFrameDecoder(MAX_REPLY_LINE, true, true));
        server.pipeline().addLast("session", new ServerSide());
        client.pipeline().addLast("lines", new LineBasedFrameDecoder(MAX_COMMAND, true, true));
        client.pipeline().addLast("session", new ClientSide());
        server.closeFuture().addListener(f -> closeClientAfterWrites());
        client.closeFuture().addListener(f -> {
            server.close();
            if (link != null) {
                link.close();
            }
        });
        server.config().setAutoRead(true);
        client.config().setAutoRead(true);
    }

    // ------------------------------------------------------------------ client side

    private void onCommand(String line) {
        if (!commandSeen) {
            commandSeen = true;
            if (firstCommand != null) {
                firstCommand.cancel(false);
            }
        }
        pending.add(line);
        if (pending.size() >= MAX_PENDING) {
            client.config().setAutoRead(false);
        }
        pump();
    }

    /** Handles the pending commands in order, as far as the one being handled lets it. */
    private void pump() {
        while (!pending.isEmpty() && !busy && client.isActive()) {
            if (expected.size() >= MAX_PENDING) {
                return; // the server is behind: the client's commands wait, then its connection stops being read
            }
            FtpCommand c = FtpCommand.parse(pending.peek());
            FtpCommand.Kind kind = c.kind();
            if (kind != FtpCommand.Kind.RELAY && kind != FtpCommand.Kind.TRANSFER && !expected.isEmpty()) {
                return; // answered here: after the replies to the commands before it
            }
            String line = pending.poll();
            switch (kind) {
                case RELAY -> toServer(line, relayReply);
                case TRANSFER -> transfer(c, line);
                case PASSIVE -> passive(c);
                case ACTIVE -> active(c);
                case EPSV_ALL -> {
                    // RFC 2428 §4: from here the client uses EPSV only; the server side is the proxy's own.
                    epsvAll = true;
                    reply("200 EPSV ALL command successful.");
                }
                case LONG_ADDRESS -> refuse(FtpRefusal.DATA_COMMAND,
                        "502 " + c.verb() + " is not supported (RFC 1639): use " + (c.verb().equals("LPRT") ? "EPRT" : "EPSV")
                                + " (RFC 2428)");
                case AUTH -> auth(line);
            }
        }
        if (pending.size() < MAX_PENDING / 2 && client.isActive() && !client.config().isAutoRead() && !busy) {
            client.config().setAutoRead(true);
        }
        if (clientEnded && pending.isEmpty() && !busy && expected.isEmpty()) {
            shutdownOutput(server);
        }
    }

    private void transfer(FtpCommand c, String line) {
        if (link == null) {
            // RFC 959 §3.2's default data port (the client's own port - 1) is not relayed.
            refuse(FtpRefusal.DATA_COMMAND, "425 Use PORT, PASV, EPRT or EPSV first.");
            return;
        }
        DataLink l = link;
        link = null;
        l.start();
        toServer(line, relayReply);
    }

    private void passive(FtpCommand c) {
        if (epsvAll && c.verb().equals("PASV")) {
            refuse(FtpRefusal.DATA_COMMAND, "503 EPSV ALL was sent: only EPSV sets up data connections (RFC 2428 §4).");
            return;
        }
        String no = DataCommands.passiveRefusal(c, clientLocal);
        if (no != null) {
            refuse(FtpRefusal.DATA_COMMAND, no);
            return;
        }
        DataLink l = newLink();
        serverSide(l, () -> l.listenForClient(clientLocal, clientAddress, port -> {
            counters().countTranslation();
            done(DataCommands.passiveReply(c, clientLocal, port));
        }, why -> dataSetupFailed(why)));
    }

    private void active(FtpCommand c) {
        if (epsvAll) {
            refuse(FtpRefusal.DATA_COMMAND, "503 EPSV ALL was sent: only EPSV sets up data connections (RFC 2428 §4).");
            return;
        }
        DataCommands.Active a = DataCommands.active(c, clientAddress);
        if (a.refusal() != null) {
            refuse(a.refusal(), a.reply());
            return;
        }
        DataLink l = newLink();
        l.clientTarget(new InetSocketAddress(a.target().address(), a.target().port()));
        serverSide(l, () -> {
            counters().countTranslation();
            done("200 " + c.verb() + " command successful.");
        });
    }

    /** A fresh data link for the next transfer; one that was set up and never used is dropped. */
    private DataLink newLink() {
        if (link != null) {
            link.close();
        }
        link = new DataLink(this, client.eventLoop());
        busy = true;
        return link;
    }

    /**
     * Sets up the server's side of {@code l} as configured, then runs {@code clientSide}: passive,
     * EPSV first and PASV when the server refuses it; active, EPRT first and PORT when refused.
     */
    private void serverSide(DataLink l, Runnable clientSide) {
        if (settings().serverMode() == FtpProxySettings.ServerMode.PASSIVE) {
            serverPassive(l, !serverHasNoEpsv, clientSide);
        } else {
            InetAddress own = AddressSet.unmapped(((InetSocketAddress) server.localAddress()).getAddress());
            l.listenForServer(own, serverAddress.getAddress(), port -> serverActive(l, own, port, !serverHasNoEprt,
                    clientSide), this::dataSetupFailed);
        }
    }

    private void serverPassive(DataLink l, boolean epsv, Runnable clientSide) {
        toServer(DataCommands.serverPassive(epsv), r -> {
            if (l != link) {
                return;
            }
            int port = DataCommands.serverPassivePort(epsv, r);
            if (port < 0) {
                if (epsv && DataCommands.fallBack(r, serverAddress.getAddress())) {
                    serverHasNoEpsv = true;
                    serverPassive(l, false, clientSide);
                } else {
                    dataSetupFailed("the server answered " + DataCommands.serverPassive(epsv) + " with \""
                            + FtpReply.Reader.printable(r.last()) + "\"");
                }
                return;
            }
            l.connectServer(new InetSocketAddress(serverAddress.getAddress(), port), failure -> {
                if (l != link) {
                    return;
                }
                if (failure == null) {
                    clientSide.run();
                } else {
                    dataSetupFailed("cannot connect to the server's data port " + port + ": " + failure.getMessage());
                }
            });
        });
    }

    private void serverActive(DataLink l, InetAddress own, int port, boolean eprt, Runnable clientSide) {
        toServer(DataCommands.serverActive(eprt, own, port), r -> {
            if (l != link) {
                return;
            }
            if (r.positive()) {
                clientSide.run();
            } else if (eprt && DataCommands.fallBack(r, serverAddress.getAddress())) {
                serverHasNoEprt = true;
                serverActive(l, own, port, false, clientSide);
            } else {
                dataSetupFailed("the server answered " + (eprt ? "EPRT" : "PORT") + " with \""
                        + FtpReply.Reader.printable(r.last()) + "\"");
            }
        });
    }

    /** Data setup for the client's command failed: 425 (RFC 959 §4.2: can't open data connection). */
    private void dataSetupFailed(String why) {
        if (link != null) {
            link.close();
            link = null;
        }
        counters().refuse(FtpRefusal.DATA_SETUP_FAILED);
        proxy.log().warn(prefix() + "refused (" + FtpRefusal.DATA_SETUP_FAILED.key() + "): " + why);
        done("425 Can't open data connection: " + why + ".");
    }

    /** The client's command handled here is done: {@code reply} goes to the client, the next command may go. */
    private void done(String reply) {
        busy = false;
        reply(reply);
        pump();
    }

    private void auth(String line) {
        if (settings().tls() == FtpProxySettings.Tls.REFUSE) {
            // RFC 2228 §3: 534, the server is unwilling to accept the security mechanism.
            refuse(FtpRefusal.TLS_REFUSED, "534 The FTP proxy refuses TLS (tls = \"refuse\"): it must read this"
                    + " control connection to translate its data connections.");
            return;
        }
        busy = true;
        toServer(line, r -> {
            busy = false;
            if (r.code() == 234) {
                reply(r.code() + " " + text(r.last()) + " [proxy: tls = \"passthrough\": this control connection is"
                        + " relayed opaquely from here, and data connections through the proxy are refused]");
                goOpaque();
                return;
            }
            relay(r);
            pump();
        });
    }

    /**
     * After the server's 234 (RFC 4217 §4): the TLS handshake and everything after it are bytes
     * the proxy passes on unread, in both directions, with what the line decoders still hold.
     * The proxy no longer sees PASV or PORT, so it sets up no data connection: a client's data
     * connection to the port in the server's reply reaches nothing of the proxy's.
     */
    private void goOpaque() {
        counters().countPassthrough();
        for (String held : pending) {
            server.write(Unpooled.copiedBuffer(held + "\r\n", StandardCharsets.ISO_8859_1), server.voidPromise());
        }
        pending.clear();
        server.flush();
        Runnable idle = counters()::idle;
        client.pipeline().replace("session", "splice", new Splice(server, opaqueBytes, idle));
        server.pipeline().replace("session", "splice", new Splice(client, opaqueBytes, idle));
        client.pipeline().remove("lines");
        server.pipeline().remove("lines");
        client.config().setAutoRead(true);
    }

    private void refuse(FtpRefusal r, String reply) {
        counters().refuse(r);
        proxy.log().warn(prefix() + "refused (" + r.key() + "): " + reply);
        reply(reply);
    }

    // ------------------------------------------------------------------ server side

    private void toServer(String line, Consumer<FtpReply> onReply) {
        expected.add(onReply);
        server.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.ISO_8859_1), server.voidPromise());
    }

    private void onReplyLine(String line) {
        FtpReply r;
        try {
            r = replies.add(line);
        } catch (IllegalArgumentException e) {
            proxy.log().warn(prefix() + "the server sent what is not an FTP reply (" + e.getMessage() + "): closed");
            client.close();
            return;
        }
        if (r == null) {
            return;
        }
        Consumer<FtpReply> next = expected.peek();
        if (next == null) {
            relay(r); // unsolicited: a 421 before the server closes (RFC 959 §4.2)
            return;
        }
        if (r.preliminary()) {
            // RFC 959 §4.2: a 1yz reply is followed by the command's final one.
            if (next == relayReply) {
                relay(r);
            }
            return;
        }
        expected.poll();
        next.accept(r);
        pump();
    }

    private void relay(FtpReply r) {
        client.writeAndFlush(Unpooled.copiedBuffer(r.text(), StandardCharsets.ISO_8859_1), client.voidPromise());
    }

    private void reply(String line) {
        relay(FtpReply.of(line));
    }

    /** The text of a reply line after its code. */
    private static String text(String line) {
        return line.length() > 4 ? line.substring(4) : "";
    }

    // ------------------------------------------------------------------ transfers and endings

    void transferStarted(Channel toServer, Channel toClient) {
        counters().transfer();
        transfers++;
        boolean[] ended = {false};
        ChannelFutureListener end = f -> {
            if (!ended[0]) {
                ended[0] = true;
                transfers--;
            }
        };
        toServer.closeFuture().addListener(end);
        toClient.closeFuture().addListener(end);
    }

    /** A data connection of a started transfer failed: the server's connection goes, so the server answers 426. */
    void dataFailed(String why) {
        counters().refuse(FtpRefusal.DATA_SETUP_FAILED);
        proxy.log().warn(prefix() + "refused (" + FtpRefusal.DATA_SETUP_FAILED.key() + "): " + why);
    }

    void refuseData(FtpRefusal r, String why) {
        counters().refuse(r);
        proxy.log().warn(prefix() + "refused (" + r.key() + "): " + why);
    }

    private void closeClientAfterWrites() {
        if (client.isActive()) {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void shutdownOutput(Channel ch) {
        if (ch instanceof DuplexChannel d && d.isActive() && !d.isOutputShutdown()) {
            d.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> d.shutdownOutput());
        }
    }

    private String prefix() {
        return "ftp proxy " + settings().name() + ": client " + Families.text((InetSocketAddress) client.remoteAddress())
                + ": ";
    }

    private static String line(Object msg) {
        ByteBuf b = (ByteBuf) msg;
        try {
            // ISO-8859-1 maps every byte to one char and back: paths in UTF-8 (RFC 2640) pass unchanged.
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    /** Reads the client's control connection. */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                onCommand(line(msg));
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                clientEnded = true;
                pump();
            } else if (evt instanceof IdleStateEvent) {
                if (transfers > 0) {
                    return; // a long transfer keeps its control connection quiet (RFC 959 §5.3.1's 226 comes at the end)
                }
                counters().idle();
                client.writeAndFlush(Unpooled.copiedBuffer("421 Idle timeout (" + settings().idleTimeout().toSeconds()
                        + " s): closing control connection.\r\n", StandardCharsets.ISO_8859_1))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                counters().refuse(FtpRefusal.LINE_TOO_LONG);
                proxy.log().warn(prefix() + "refused (" + FtpRefusal.LINE_TOO_LONG.key() + "): a command line longer than "
                        + MAX_COMMAND + " bytes");
                client.writeAndFlush(Unpooled.copiedBuffer("500 Command line too long: closing control connection.\r\n",
                        StandardCharsets.ISO_8859_1)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.close();
        }
    }

    /** Reads the server's control connection. */
    private final class ServerSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                onReplyLine(line(msg));
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                counters().refuse(FtpRefusal.LINE_TOO_LONG);
                proxy.log().warn(prefix() + "refused (" + FtpRefusal.LINE_TOO_LONG.key() + "): a reply line longer than "
                        + MAX_REPLY_LINE + " bytes from the server");
            }
            ctx.close();
        }
    }
}
