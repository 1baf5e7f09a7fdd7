package dev.isthmus.alg.turn;

import static dev.isthmus.wire.HexText.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ChannelData framing (RFC 8656 §12.4-12.5) and the first-byte demultiplexing of RFC 7983 §7. */
class ChannelDataViewTest {
    /** Channel 0x4001 carrying five bytes, padded to 8 data bytes as over TCP. */
    static final byte[] PADDED = hex("""
            40 01 00 05   # channel 0x4001, length 5
            68 65 6c 6c   # "hello"
            6f 00 00 00   # padding (stream only)
            """);

    private final ChannelDataView view = new ChannelDataView();

    @Test
    void readsTheFields() {
        view.wrap(PADDED, 0, PADDED.length);
        assertEquals(ChannelDataVerdict.OK, view.check(true));
        assertEquals(0x4001, view.channelNumber());
        assertEquals(5, view.dataLength());
        assertEquals(4, view.dataOffset());
        assertEquals(12, view.frameLength(true));
        assertEquals(9, view.frameLength(false));
    }

    @Test
    void overUdpPaddingIsOptional() {
        assertEquals(ChannelDataVerdict.OK, view.wrap(PADDED, 0, 9).check(false));
        assertEquals(ChannelDataVerdict.OK, view.wrap(PADDED, 0, 12).check(false));
        assertEquals(ChannelDataVerdict.INCOMPLETE, view.wrap(PADDED, 0, 8).check(false));
    }

    @Test
    void overAStreamPaddingIsRequired() {
        assertEquals(ChannelDataVerdict.INCOMPLETE, view.wrap(PADDED, 0, 9).check(true));
        assertEquals(ChannelDataVerdict.OK, view.wrap(PADDED, 0, 12).check(true));
    }

    @Test
    void tooShort() {
        assertEquals(ChannelDataVerdict.TOO_SHORT, view.wrap(PADDED, 0, 3).check(false));
    }

    @ParameterizedTest(name = "channel 0x{0}: {1}")
    @CsvSource({"3FFF, NOT_A_CHANNEL", "4000, OK", "4FFF, OK", "5000, NOT_A_CHANNEL", "7FFF, NOT_A_CHANNEL",
        "0001, NOT_A_CHANNEL", "8000, NOT_A_CHANNEL"})
    void channelRange(String number, ChannelDataVerdict verdict) {
        byte[] m = new byte[4];
        BigEndian.putShort(m, 0, Integer.parseInt(number, 16));
        assertEquals(verdict, view.wrap(m, 0, 4).check(true));
    }

    @Test
    void writesPaddingOnlyOverAStream() {
        byte[] dst = new byte[16];
        Arrays.fill(dst, (byte) 0xEE);
        byte[] data = "xhello".getBytes(StandardCharsets.US_ASCII);
        assertEquals(12, ChannelDataView.write(dst, 4, 0x4001, data, 1, 5, true));
        assertArrayEquals(PADDED, Arrays.copyOfRange(dst, 4, 16));
        Arrays.fill(dst, (byte) 0xEE);
        assertEquals(9, ChannelDataView.write(dst, 0, 0x4001, data, 1, 5, false));
        assertArrayEquals(Arrays.copyOf(PADDED, 9), Arrays.copyOf(dst, 9));
        assertEquals((byte) 0xEE, dst[9]);
        assertThrows(IllegalArgumentException.class, () -> ChannelDataView.write(dst, 0, 0x5000, data, 0, 0, false));
    }

    @ParameterizedTest(name = "first byte {0}: {1}")
    @CsvSource({"0, STUN", "1, STUN", "3, STUN", "4, OTHER", "16, OTHER", "19, OTHER", "20, DTLS", "63, DTLS",
        "64, CHANNEL_DATA", "79, CHANNEL_DATA", "80, OTHER", "127, OTHER", "128, OTHER", "191, OTHER", "255, OTHER"})
    void demultiplexesByFirstByte(int firstByte, TurnDemux kind) {
        assertEquals(kind, TurnDemux.classify(firstByte));
    }

    @Test
    void demuxAgreesWithBothDecoders() {
        assertEquals(TurnDemux.CHANNEL_DATA, TurnDemux.classify(PADDED[0] & 0xFF));
        byte[] stun = new StunMessageBuilder(StunMethod.BINDING, StunClass.REQUEST, new byte[12]).encode();
        assertEquals(TurnDemux.STUN, TurnDemux.classify(stun[0] & 0xFF));
    }
}
