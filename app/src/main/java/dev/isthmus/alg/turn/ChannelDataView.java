package dev.isthmus.alg.turn;

/**
 * A ChannelData message (RFC 8656 §12.4) over a byte array, read in place: TURN's 4-byte
 * framing of application data on a bound channel, used instead of Send and Data indications.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Channel Number        |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Application Data                        |
 * |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * +-------------------------------+  padding to 4 bytes over TCP/TLS
 * </pre>
 *
 * <p>Per packet, so one view is made per worker and {@link #wrap}ped over each packet; after
 * {@link #check} has said {@link ChannelDataVerdict#OK} the accessors cannot fail.
 */
public final class ChannelDataView {
    public static final int HEADER_LENGTH = 4;
    /** RFC 8656 §12: channel numbers 0x4000 through 0x4FFF. */
    public static final int MIN_CHANNEL = 0x4000;
    public static final int MAX_CHANNEL = 0x4FFF;

    private byte[] buf;
    private int off;
    private int len;

    /** Views {@code buf[off, off + len)}: a datagram, or what a stream has buffered so far. */
    public ChannelDataView wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /** Whether {@code n} is a channel number a client may bind (RFC 8656 §12). */
    public static boolean isChannel(int n) {
        return n >= MIN_CHANNEL && n <= MAX_CHANNEL;
    }

    /**
     * Checks the header against the bytes viewed. Over UDP padding "MAY be included" and bytes
     * after the data are ignored; over a stream the padding to 4 "MUST" be there (RFC 8656 §12.5)
     * so {@link #frameLength} bytes are needed.
     */
    public ChannelDataVerdict check(boolean stream) {
        if (len < HEADER_LENGTH) {
            return ChannelDataVerdict.TOO_SHORT;
        }
        if (!isChannel(channelNumber())) {
            return ChannelDataVerdict.NOT_A_CHANNEL;
        }
        return frameLength(stream) > len ? ChannelDataVerdict.INCOMPLETE : ChannelDataVerdict.OK;
    }

    public int channelNumber() {
        return BigEndian.u16(buf, off);
    }

    /** The Length field: the application data's bytes, without padding. */
    public int dataLength() {
        return BigEndian.u16(buf, off + 2);
    }

    /** Where the application data starts in the array. */
    public int dataOffset() {
        return off + HEADER_LENGTH;
    }

    /** The bytes this message takes: header, data, and over a stream the padding. */
    public int frameLength(boolean stream) {
        int data = dataLength();
        return HEADER_LENGTH + (stream ? data + 3 & ~3 : data);
    }

    /**
     * Writes a ChannelData message for {@code data[dataOff, dataOff + dataLen)} at {@code dst[off]}
     * and returns its length, padded with zeros over a stream; the caller sizes {@code dst}.
     */
    public static int write(byte[] dst, int off, int channel, byte[] data, int dataOff, int dataLen, boolean stream) {
        if (!isChannel(channel) || dataLen > 0xFFFF) {
            throw new IllegalArgumentException("channel " + channel + ", " + dataLen + " bytes");
        }
        BigEndian.putShort(dst, off, channel);
        BigEndian.putShort(dst, off + 2, dataLen);
        System.arraycopy(data, dataOff, dst, off + HEADER_LENGTH, dataLen);
        int end = off + HEADER_LENGTH + (stream ? dataLen + 3 & ~3 : dataLen);
        for (int i = off + HEADER_LENGTH + dataLen; i < end; i++) {
            dst[i] = 0;
        }
        return end - off;
    }
}
