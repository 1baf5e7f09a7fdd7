package dev.isthmus.alg.turn.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * {@link StreamFramer} on any bytes, arriving in any chunks: never an exception; the frames it
 * cuts, put back together, are the start of what arrived; when it stops short of the end, either
 * the rest is an incomplete frame or the connection was closed on bytes that are no TURN frame.
 */
class StreamFramerFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void framesArePrefixesOfTheStream(FuzzedDataProvider data) {
        TurnCounters counters = new TurnCounters();
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFramer(counters));
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        while (data.remainingBytes() > 0 && ch.isOpen()) {
            byte[] chunk = data.consumeBytes(data.consumeInt(1, 200));
            sent.writeBytes(chunk);
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        for (ByteBuf f; (f = ch.readInbound()) != null; ) {
            byte[] b = new byte[f.readableBytes()];
            f.readBytes(b);
            f.release();
            assertTrue(b.length >= 4);
            framed.writeBytes(b);
        }
        byte[] all = sent.toByteArray();
        byte[] cut = framed.toByteArray();
        assertArrayEquals(Arrays.copyOf(all, cut.length), cut);
        if (cut.length < all.length && ch.isOpen()) {
            int rest = all.length - cut.length;
            assertTrue(rest < 4 || rest < frameLength(all, cut.length), "a whole frame left uncut");
        }
        if (!ch.isOpen()) {
            assertTrue(counters.refused(TurnRefusal.MALFORMED) == 1);
        }
        ch.finishAndReleaseAll();
    }

    private static int frameLength(byte[] b, int at) {
        int length = (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
        return (b[at] & 0xC0) == 0 ? 20 + length : 4 + (length + 3 & ~3);
    }
}
