package dev.isthmus.wire.pcap;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Writes IP packets as a classic pcap file (draft-ietf-opsawg-pcap §4, §5): microsecond
 * timestamps, link type {@link LinkType#RAW}, snap length {@link #SNAPLEN}, little-endian (the
 * byte order nearly every capture tool writes; readers accept both).
 *
 * <p>Records are assembled in one 1 MiB native buffer and written to the channel when it fills, so
 * {@link #write} allocates nothing. A packet longer than {@link #SNAPLEN} is stored truncated with
 * its full original length, as a capture would.
 *
 * <p>{@link #sink} adapts the writer to a {@link PacketSink}, whose {@code emit} cannot throw: the
 * first {@link IOException} on that path is kept, later packets are dropped and counted, and
 * {@link #flush} and {@link #close} rethrow it, so a failed disk never goes unnoticed.
 *
 * <p>Not thread-safe.
 */
public final class PcapWriter implements AutoCloseable {
    /** The snap length written in the header: libpcap's default, larger than any IP packet. */
    public static final int SNAPLEN = 262_144;

    static final int BUFFER_SIZE = 1 << 20;

    private static final ValueLayout.OfInt LE32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAGIC_MICROS = 0xA1B2C3D4;
    private static final int RECORD_HEADER = 16;

    private final WritableByteChannel channel;
    private final Arena arena;
    private final MemorySegment buf;
    private final ByteBuffer bb;
    private int fill;
    private long packets;
    private long dropped;
    private IOException pending;
    private boolean closed;

    private PcapWriter(WritableByteChannel channel) {
        this.channel = channel;
        this.arena = Arena.ofShared();
        this.buf = arena.allocate(BUFFER_SIZE, 64);
        this.bb = buf.asByteBuffer();
    }

    /** Creates (or truncates) {@code path} and writes the file header. */
    public static PcapWriter create(Path path) throws IOException {
        return create(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Writes a pcap stream to {@code channel} (a file, standard output, memory); the writer owns it. */
    public static PcapWriter create(WritableByteChannel channel) throws IOException {
        PcapWriter w;
        try {
            w = new PcapWriter(channel);
        } catch (RuntimeException | Error e) {
            channel.close();
            throw e;
        }
        // File header, draft-ietf-opsawg-pcap §4: version 2.4, reserved fields zero.
        MemorySegment b = w.buf;
        b.set(LE32, 0, MAGIC_MICROS);
        b.set(LE16, 4, (short) 2);
        b.set(LE16, 6, (short) 4);
        b.set(LE32, 8, 0);
        b.set(LE32, 12, 0);
        b.set(LE32, 16, SNAPLEN);
        b.set(LE32, 20, LinkType.RAW);
        w.fill = 24;
        return w;
    }

    /**
     * Appends one packet record: {@code len} bytes of {@code seg} from {@code off}, stamped with
     * {@code timestampNanos} (nanoseconds since 1970-01-01 UTC, cut to microseconds; seconds are
     * stored as the format's unsigned 32 bits).
     */
    public void write(long timestampNanos, MemorySegment seg, long off, int len) throws IOException {
        if (closed) {
            throw new IllegalStateException("pcap writer is closed");
        }
        if (pending != null) {
            throw pending;
        }
        if (len < 0) {
            throw new IllegalArgumentException("negative packet length " + len);
        }
        int cap = Math.min(len, SNAPLEN);
        if (BUFFER_SIZE - fill < RECORD_HEADER + cap) {
            drain();
        }
        long sec = Math.floorDiv(timestampNanos, 1_000_000_000L);
        long micros = Math.floorMod(timestampNanos, 1_000_000_000L) / 1_000;
        int at = fill;
        buf.set(LE32, at, (int) sec);
        buf.set(LE32, at + 4, (int) micros);
        buf.set(LE32, at + 8, cap);
        buf.set(LE32, at + 12, len);
        MemorySegment.copy(seg, off, buf, at + RECORD_HEADER, cap);
        fill = at + RECORD_HEADER + cap;
        packets++;
    }

    /** Appends the packet in {@code packet}'s window. */
    public void write(long timestampNanos, PacketBuffer packet) throws IOException {
        write(timestampNanos, packet.segment(), packet.offset(), packet.length());
    }

    /**
     * A sink that writes every emitted packet with the timestamp {@code timestampNanos} supplies at
     * that moment (typically {@code reader::timestampNanos}, so a translated packet keeps the time
     * of the packet it came from). Create it once; it allocates nothing per packet.
     */
    public PacketSink sink(LongSupplier timestampNanos) {
        return (segment, offset, length) -> {
            if (pending != null || closed) {
                dropped++;
                return;
            }
            try {
                write(timestampNanos.getAsLong(), segment, offset, length);
            } catch (IOException e) {
                pending = e;
                dropped++;
            }
        };
    }

    /** Records written (into the buffer or the file) so far. */
    public long packetCount() {
        return packets;
    }

    /** Packets a {@link #sink} dropped because an earlier write had failed or the writer was closed. */
    public long droppedCount() {
        return dropped;
    }

    /** Writes the buffered records out; rethrows a failure kept from the sink path. */
    public void flush() throws IOException {
        if (pending != null) {
            throw pending;
        }
        if (!closed) {
            drain();
        }
    }

    /** Flushes and closes the channel; rethrows a failure kept from the sink path. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = pending;
        try {
            if (failure == null) {
                drain();
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            closed = true;
            try {
                channel.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else if (failure != e) {
                    failure.addSuppressed(e);
                }
            } finally {
                arena.close();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void drain() throws IOException {
        bb.limit(fill).position(0);
        try {
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        } catch (IOException e) {
            pending = e;
            throw e;
        }
        fill = 0;
    }
}
