package dev.isthmus.wire.pcap;

import dev.isthmus.wire.HexText;
import dev.isthmus.wire.PacketBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Test fixtures: hex capture files, an in-memory channel, and a reader drained into values. */
final class CaptureBytes {

    /**
     * IPv4 / UDP 192.0.2.1:1234 → 198.51.100.2:53, payload "ping", checksums valid (32 bytes).
     */
    static final String IPV4_UDP = """
            45 00 00 20   # version 4, IHL 5, TOS 0, total length 32
            12 34 40 00   # identification 0x1234, DF, fragment offset 0
            40 11 3c 62   # TTL 64, protocol 17 (UDP), header checksum
            c0 00 02 01   # source 192.0.2.1
            c6 33 64 02   # destination 198.51.100.2
            04 d2 00 35   # UDP source port 1234, destination port 53
            00 0c 2f c7   # UDP length 12, checksum
            70 69 6e 67   # payload "ping"
            """;

    /**
     * IPv6 / UDP 2001:db8::1:1234 → 2001:db8:64::c633:6402:53, payload "ping", checksum valid (52 bytes).
     */
    static final String IPV6_UDP = """
            60 00 00 00   # version 6, traffic class 0, flow label 0
            00 0c 11 40   # payload length 12, next header 17 (UDP), hop limit 64
            20 01 0d b8   # source 2001:db8::1
            00 00 00 00
            00 00 00 00
            00 00 00 01
            20 01 0d b8   # destination 2001:db8:64::c633:6402
            00 64 00 00
            00 00 00 00
            c6 33 64 02
            04 d2 00 35   # UDP source port 1234, destination port 53
            00 0c 95 f1   # UDP length 12, checksum
            70 69 6e 67   # payload "ping"
            """;

    /** One packet as the reader returned it, with the record's metadata. */
    record Read(long recordNumber, long timestampNanos, int linkType, int interfaceId, int originalLength,
            boolean truncated, int ipVersion, String hex) {}

    private CaptureBytes() {}

    /** Hex digits with {@code #} comments to the end of the line and any whitespace. */
    static byte[] hex(String text) {
        return HexText.hex(text);
    }

    static String hexOf(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * A little-endian microsecond pcap file of {@code linkType} holding {@code frames}, record i
     * stamped i seconds + 0 µs. For link-layer tests whose subject is the frame, not the file.
     */
    static byte[] pcapLe(int linkType, byte[]... frames) {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 * frames.length
                + Arrays.stream(frames).mapToInt(f -> f.length).sum()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262_144).putInt(linkType);
        for (int i = 0; i < frames.length; i++) {
            b.putInt(i + 1).putInt(0).putInt(frames[i].length).putInt(frames[i].length).put(frames[i]);
        }
        return b.array();
    }

    /** A reader over {@code file} through a channel that hands out at most 5 bytes per read. */
    static CaptureReader open(byte[] file) throws IOException {
        return CaptureReader.open(new TrickleChannel(file, 5));
    }

    static List<Read> readAll(CaptureReader r) throws IOException {
        List<Read> out = new ArrayList<>();
        PacketBuffer pb = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        while (r.next(pb)) {
            out.add(read(r, pb));
        }
        return out;
    }

    static Read read(CaptureReader r, PacketBuffer pb) {
        return new Read(r.recordNumber(), r.timestampNanos(), r.linkType(), r.interfaceId(),
                r.originalLength(), r.truncated(), r.ipVersion(), hexOf(pb.toArray()));
    }

    /** Reads everything, returning the packets before the failure and the failure itself. */
    static List<Read> readUntilFailure(byte[] file, List<CaptureFormatException> failure) throws IOException {
        List<Read> out = new ArrayList<>();
        PacketBuffer pb = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        try (CaptureReader r = open(file)) {
            while (r.next(pb)) {
                out.add(read(r, pb));
            }
        } catch (CaptureFormatException e) {
            failure.add(e);
        }
        return out;
    }

    /** An in-memory channel that returns short reads, to exercise every refill path of the reader. */
    static final class TrickleChannel implements ReadableByteChannel {
        private final byte[] data;
        private final int chunk;
        private int at;
        private boolean open = true;

        TrickleChannel(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            if (at == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(chunk, dst.remaining()), data.length - at);
            dst.put(data, at, n);
            at += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
