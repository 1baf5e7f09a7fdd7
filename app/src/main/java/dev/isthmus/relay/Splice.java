package dev.isthmus.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.LongAdder;

/**
 * Copies the bytes one TCP channel reads to another ({@code peer}); installed on both channels of
 * a relayed connection, one for each direction.
 *
 * <ul>
 *   <li>Backpressure: when the peer's outbound buffer passes its high-water mark
 *       ({@code isWritable()} false) this side stops reading; the kernel's receive window then
 *       closes and the sender slows down. The peer's own Splice turns reading back on when its
 *       buffer drains below the low-water mark. So a slow reader costs at most the water mark,
 *       never an unbounded buffer.
 *   <li>Half-close (RFC 9293 §3.6, a FIN closes one direction only): the end of this side's input
 *       becomes a FIN on the peer's output, after what was read has been written; the connection
 *       closes when both directions have ended. Needs {@code ALLOW_HALF_CLOSURE} on both channels.
 *   <li>An idle event (from an {@code IdleStateHandler} before this handler) or an error closes
 *       both; a close of either side closes the other once its pending bytes are written.
 * </ul>
 */
public final class Splice extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final LongAdder bytes;
    private final Runnable onIdle;

    /**
     * @param peer where this channel's bytes go
     * @param bytes counts them
     * @param onIdle called (once) when the idle timeout closes the pair
     */
    public Splice(Channel peer, LongAdder bytes, Runnable onIdle) {
        this.peer = peer;
        this.bytes = bytes;
        this.onIdle = onIdle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            bytes.add(b.readableBytes());
            peer.write(b, peer.voidPromise());
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our buffer towards our own socket drained: the peer, which fills it, may read again.
        if (ctx.channel().isWritable() && peer.isActive()
                && !(peer instanceof DuplexChannel d && d.isInputShutdown())) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (peer instanceof DuplexChannel d && d.isActive()) {
                    d.shutdownOutput().addListener(g -> closeIfBothEnded(self));
                } else {
                    self.close();
                }
            });
        } else if (evt instanceof IdleStateEvent) {
            onIdle.run();
            ctx.channel().close();
            peer.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void closeIfBothEnded(Channel self) {
        if (self instanceof DuplexChannel s && peer instanceof DuplexChannel p
                && s.isInputShutdown() && p.isInputShutdown()) {
            self.close();
            peer.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a broken pipe is how TCP connections end every day: not worth a log line.
        ctx.channel().close();
        peer.close();
    }
}
