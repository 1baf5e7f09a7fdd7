package dev.isthmus.alg.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * {@link ChannelDataView} and {@link TurnDemux} on any bytes, as a datagram or a stream: a
 * verdict, never an exception; what is OK lies within the bytes and the demux calls it
 * ChannelData; writing its data back gives the same frame.
 */
class ChannelDataFuzzTest {
    private final ChannelDataView view = new ChannelDataView();

    @FuzzTest(maxDuration = "30s")
    void checkNeverThrows(FuzzedDataProvider data) {
        boolean stream = data.consumeBoolean();
        byte[] bytes = data.consumeRemainingAsBytes();
        ChannelDataVerdict verdict = view.wrap(bytes, 0, bytes.length).check(stream);
        if (bytes.length > 0) {
            TurnDemux kind = TurnDemux.classify(bytes[0] & 0xFF);
            assertTrue(verdict == ChannelDataVerdict.NOT_A_CHANNEL || kind == TurnDemux.CHANNEL_DATA
                    || verdict == ChannelDataVerdict.TOO_SHORT);
        }
        if (verdict != ChannelDataVerdict.OK) {
            return;
        }
        int frame = view.frameLength(stream);
        assertTrue(frame <= bytes.length);
        byte[] out = new byte[frame];
        assertEquals(frame, ChannelDataView.write(out, 0, view.channelNumber(), bytes, view.dataOffset(),
                view.dataLength(), stream));
        assertArrayEquals(Arrays.copyOf(bytes, 4 + view.dataLength()), Arrays.copyOf(out, 4 + view.dataLength()));
    }
}
