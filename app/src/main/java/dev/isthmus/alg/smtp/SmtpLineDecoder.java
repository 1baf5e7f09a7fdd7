package dev.isthmus.alg.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the client's bytes into {@link SmtpLine}s at LF. A line longer than {@link #MAX_LINE}
 * becomes one {@code tooLong} line and its octets are discarded as they come, so a client that
 * never sends LF costs no memory beyond one line. Unlike Netty's LineBasedFrameDecoder it tells
 * a CR LF from a bare LF: the session refuses a message with a bare LF rather than guessing
 * where a line ends (the "SMTP smuggling" of a {@code <LF>.<LF>} end of data).
 */
final class SmtpLineDecoder extends ByteToMessageDecoder {
    /** RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets with its CR LF. */
    static final int MAX_LINE = 1000;

    private boolean discarding;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (lf < 0) {
                if (in.readableBytes() > MAX_LINE) {
                    discarding = true;
                    in.skipBytes(in.readableBytes());
                }
                return;
            }
            int length = lf - in.readerIndex(); // without the LF
            boolean crlf = length > 0 && in.getByte(lf - 1) == '\r';
            if (discarding || length + 1 > MAX_LINE) {
                discarding = false;
                in.readerIndex(lf + 1);
                out.add(new SmtpLine(new byte[0], crlf, true));
                continue;
            }
            byte[] line = new byte[crlf ? length - 1 : length];
            in.readBytes(line);
            in.readerIndex(lf + 1);
            out.add(new SmtpLine(line, crlf, false));
        }
    }

    /** Octets read but not yet a whole line (STARTTLS must find none: RFC 3207 §4.2's injection). */
    boolean holdsPartialLine() {
        return discarding || actualReadableBytes() > 0;
    }
}
