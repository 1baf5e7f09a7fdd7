package dev.isthmus.wire.pcap;

import static dev.isthmus.wire.pcap.CaptureBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class CapturePropertiesTest {

    /** Whatever the writer writes, the reader returns unchanged, timestamps cut to microseconds. */
    @Property(tries = 200)
    void writerThenReaderRoundTrips(@ForAll @Size(max = 40) List<@Size(min = 1, max = 1600) byte[]> packets,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int startSeconds) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = startSeconds * 1_000_000_000L;
        try (PcapWriter w = PcapWriter.create(Channels.newChannel(out))) {
            for (int i = 0; i < packets.size(); i++) {
                byte[] p = packets.get(i);
                p[0] = (byte) ((i % 2 == 0 ? 0x40 : 0x60) | (p[0] & 0x0f)); // raw IP: version nibble 4 or 6
                w.write(t0 + i * 1_234_567L, MemorySegment.ofArray(p), 0, p.length);
            }
        }
        PacketBuffer pb = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        try (CaptureReader r = CaptureBytes.open(out.toByteArray())) {
            for (int i = 0; i < packets.size(); i++) {
                assertTrue(r.next(pb));
                assertArrayEquals(packets.get(i), pb.toArray());
                assertEquals(i + 1, r.recordNumber());
                assertEquals((t0 + i * 1_234_567L) / 1_000 * 1_000, r.timestampNanos());
                assertEquals(i % 2 == 0 ? 4 : 6, r.ipVersion());
            }
            assertFalse(r.next(pb));
        }
    }

    /** Random damage to a valid file: packets or a format error, never another exception. */
    @Property(tries = 1000)
    void damagedFilesFailOnlyWithFormatErrors(@ForAll("validFiles") byte[] file, @ForAll long seed)
            throws IOException {
        Random rnd = new Random(seed);
        byte[] damaged = file.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            damaged[rnd.nextInt(damaged.length)] = (byte) rnd.nextInt(256);
        }
        if (rnd.nextBoolean()) {
            damaged = Arrays.copyOf(damaged, rnd.nextInt(damaged.length + 1));
        }
        CaptureBytes.readUntilFailure(damaged, new ArrayList<>());
    }

    @Provide
    Arbitrary<byte[]> validFiles() {
        return Arbitraries.of(
                hex(CaptureReaderPcapngTest.LE_FILE),
                CaptureBytes.pcapLe(LinkType.ETHERNET,
                        hex("02 00 00 00 00 02 02 00 00 00 00 01 88 a8 00 64 81 00 00 0a 86 dd"
                                + CaptureBytes.IPV6_UDP)),
                CaptureBytes.pcapLe(LinkType.LINUX_SLL2,
                        hex("86 dd 00 00 00 00 00 02 00 01 04 06 02 00 00 00 00 01 00 00"
                                + CaptureBytes.IPV6_UDP)),
                CaptureBytes.pcapLe(LinkType.NULL, hex("02 00 00 00" + CaptureBytes.IPV4_UDP)));
    }
}
