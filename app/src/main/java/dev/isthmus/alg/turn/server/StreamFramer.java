package dev.isthmus.alg.turn.server;

import dev.isthmus.alg.turn.ChannelDataView;
import dev.isthmus.alg.turn.StunMessage;
import dev.isthmus.alg.turn.TurnDemux;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts a TCP stream into TURN messages (RFC 8656 §5: STUN messages and ChannelData share the
 * connection, told apart by the first byte, RFC 8656 §12): a STUN message is its 20-byte header
 * and the length it states (RFC 8489 §6.2.2), a ChannelData message its 4-byte header and the
 * data padded to 4 (RFC 8656 §12.5). Anything else cannot be resynchronised on a stream: the
 * connection is closed and the refusal counted.
 */
final class StreamFramer extends ByteToMessageDecoder {
    private final TurnCounters counters;

    StreamFramer(TurnCounters counters) {
        this.counters = counters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= ChannelDataView.HEADER_LENGTH) {
            int at = in.readerIndex();
            int length = in.getUnsignedShort(at + 2);
            int frame;
            switch (TurnDemux.classify(in.getUnsignedByte(at))) {
                case STUN -> frame = StunMessage.HEADER_LENGTH + length;
                case CHANNEL_DATA -> frame = ChannelDataView.HEADER_LENGTH + (length + 3 & ~3);
                default -> {
                    counters.refuse(TurnRefusal.MALFORMED);
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
            }
            if (in.readableBytes() < frame) {
                return;
            }
            out.add(in.readRetainedSlice(frame));
        }
    }
}
