package dev.isthmus.wire.pcap;

import static dev.isthmus.wire.pcap.CaptureBytes.IPV4_UDP;
import static dev.isthmus.wire.pcap.CaptureBytes.IPV6_UDP;
import static dev.isthmus.wire.pcap.CaptureBytes.hex;
import static dev.isthmus.wire.pcap.CaptureBytes.hexOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.wire.pcap.CaptureBytes.Read;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {

    private static final long T0 = 1_700_000_000L * 1_000_000_000L;

    @Test
    void writesHeaderAndRecordBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.create(Channels.newChannel(out))) {
            byte[] p = hex(IPV4_UDP);
            // 999 ns below the next microsecond: the record keeps whole microseconds only.
            w.write(T0 + 123_456_999L, MemorySegment.ofArray(p), 0, p.length);
            assertEquals(1, w.packetCount());
        }
        assertEquals(hexOf(hex("""
                d4 c3 b2 a1   # magic 0xa1b2c3d4 little-endian: microsecond timestamps
                02 00 04 00   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 00 04 00   # snap length 262144
                65 00 00 00   # link type 101 (RAW)
                00 f1 53 65   # record 1: seconds 1700000000
                40 e2 01 00   #   microseconds 123456
                20 00 00 00   #   captured length 32
                20 00 00 00   #   original length 32
                """ + IPV4_UDP)), hexOf(out.toByteArray()));
    }

    /** The reader reads back what the writer wrote, through a file, by write() and by the sink. */
    @Test
    void roundTripThroughAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.pcap");
        byte[] v4 = hex(IPV4_UDP);
        byte[] v6 = hex(IPV6_UDP);
        AtomicLong now = new AtomicLong(T0 + 2_000_000L);
        try (PcapWriter w = PcapWriter.create(file)) {
            PacketBuffer pb = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
            pb.load(v6);
            w.write(T0 + 1_000L, pb);
            PacketSink sink = w.sink(now::get);
            // A window that does not start at offset 0, as the translator leaves it.
            byte[] framed = new byte[v4.length + 7];
            System.arraycopy(v4, 0, framed, 7, v4.length);
            sink.emit(MemorySegment.ofArray(framed), 7, v4.length);
            now.set(T0 + 3_000_000L);
            sink.emit(MemorySegment.ofArray(v6), 0, v6.length);
        }
        try (CaptureReader r = CaptureReader.open(file)) {
            assertEquals(CaptureFormat.PCAP_MICROS, r.format());
            assertEquals(List.of(
                    new Read(1, T0 + 1_000L, LinkType.RAW, 0, 52, false, 6, hexOf(v6)),
                    new Read(2, T0 + 2_000_000L, LinkType.RAW, 0, 32, false, 4, hexOf(v4)),
                    new Read(3, T0 + 3_000_000L, LinkType.RAW, 0, 52, false, 6, hexOf(v6))),
                    CaptureBytes.readAll(r));
        }
    }

    /** Enough records to refill both buffers many times; every byte and length must survive. */
    @Test
    void roundTripOfManyRecordsAcrossBufferRefills(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("many.pcap");
        int count = 20_000;
        byte[] data = new byte[1_500];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        MemorySegment src = MemorySegment.ofArray(data);
        try (PcapWriter w = PcapWriter.create(file)) {
            for (int i = 0; i < count; i++) {
                src.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45); // version nibble 4
                src.set(ValueLayout.JAVA_INT_UNALIGNED, 4, i);
                w.write(T0 + i * 1_000L, src, 0, 20 + (i * 37) % 1_480);
            }
        }
        PacketBuffer pb = PacketBuffer.allocate(Arena.ofAuto(), PacketBuffer.DEFAULT_CAPACITY);
        try (CaptureReader r = CaptureReader.open(file)) {
            for (int i = 0; i < count; i++) {
                assertTrue(r.next(pb), "record " + (i + 1));
                int len = 20 + (i * 37) % 1_480;
                assertEquals(len, pb.length());
                assertEquals(T0 + i * 1_000L, r.timestampNanos());
                byte[] got = pb.toArray();
                assertEquals(i, MemorySegment.ofArray(got).get(ValueLayout.JAVA_INT_UNALIGNED, 4));
                for (int k = 8; k < len; k++) {
                    if (got[k] != data[k]) {
                        throw new AssertionError("record " + (i + 1) + " byte " + k);
                    }
                }
            }
            assertFalse(r.next(pb));
        }
    }

    @Test
    void packetLongerThanTheSnapLengthIsStoredTruncated() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.create(Channels.newChannel(out))) {
            w.write(0, MemorySegment.ofArray(new byte[300_000]), 0, 300_000);
        }
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24 + 16 + PcapWriter.SNAPLEN, b.limit());
        assertEquals(PcapWriter.SNAPLEN, b.getInt(24 + 8));
        assertEquals(300_000, b.getInt(24 + 12));
    }

    /** A PacketSink cannot throw: the failure is kept, later packets dropped, and close() reports it. */
    @Test
    void sinkKeepsWriteFailureForClose() throws IOException {
        IOException diskFull = new IOException("No space left on device");
        FailingChannel ch = new FailingChannel(diskFull);
        PcapWriter w = PcapWriter.create(ch);
        PacketSink sink = w.sink(() -> 0L);
        MemorySegment big = MemorySegment.ofArray(new byte[65_535]);
        for (int i = 0; i < 20; i++) { // 20 × 64 KiB overflows the 1 MiB buffer: a write happens
            sink.emit(big, 0, 65_535);
        }
        assertTrue(w.droppedCount() > 0);
        assertSame(diskFull, assertThrows(IOException.class, w::flush));
        assertSame(diskFull, assertThrows(IOException.class, () -> w.write(0, big, 0, 1)));
        assertSame(diskFull, assertThrows(IOException.class, w::close));
        assertFalse(ch.isOpen());
        w.close(); // idempotent once closed
    }

    @Test
    void flushFailureIsReportedByFlushAndClose() throws IOException {
        IOException broken = new IOException("Broken pipe");
        PcapWriter w = PcapWriter.create(new FailingChannel(broken));
        assertSame(broken, assertThrows(IOException.class, w::flush));
        assertSame(broken, assertThrows(IOException.class, w::close));
    }

    @Test
    void rejectsNegativeLength() throws IOException {
        try (PcapWriter w = PcapWriter.create(Channels.newChannel(new ByteArrayOutputStream()))) {
            assertThrows(IllegalArgumentException.class, () -> w.write(0, MemorySegment.ofArray(new byte[1]), 0, -1));
        }
    }

    @Test
    void createTruncatesAnExistingFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("old.pcap");
        Files.write(file, new byte[1000]);
        PcapWriter.create(file).close();
        assertArrayEquals(hex("""
                d4 c3 b2 a1   # magic, little-endian microseconds
                02 00 04 00   # version 2.4
                00 00 00 00   # reserved1
                00 00 00 00   # reserved2
                00 00 04 00   # snap length 262144
                65 00 00 00   # link type 101 (RAW)
                """), Files.readAllBytes(file));
    }

    private static final class FailingChannel implements WritableByteChannel {
        private final IOException failure;
        private boolean open = true;

        FailingChannel(IOException failure) {
            this.failure = failure;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            throw failure;
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
