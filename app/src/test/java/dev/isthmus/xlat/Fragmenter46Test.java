package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.wire.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7915 §4.1 / RFC 8200 §4.5: the fragments {@link Fragmenter46} makes, in place. */
class Fragmenter46Test {

    private static final long SRC_HI = 0x20010db8_00640000L;
    private static final long SRC_LO = 0x00000000_c0000221L;
    private static final long DST_HI = 0x20010db8_00060000L;
    private static final long DST_LO = 0x00000000_00000005L;

    /** 2500 bytes at mtu 1280: 1232 + 1232 + 36, offsets 0, 154, 308, M 1 1 0, headers in front. */
    @Test
    void splitsInPlace() {
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        byte[] data = Xlat46Fixtures.pattern(2500, 3);
        b.load(data);
        List<byte[]> out = new ArrayList<>();
        int n = new Fragmenter46().fragment(b.segment(), PacketBuffer.HEADROOM, PacketBuffer.HEADROOM + data.length,
                1280, 0xb8, 63, 17, 0, false, 0x1234, SRC_HI, SRC_LO, DST_HI, DST_LO,
                (s, o, l) -> out.add(s.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE)));
        assertEquals(3, n);
        int[] lengths = {1280, 1280, 84};
        int[] fo = {0 << 3 | 1, 154 << 3 | 1, 308 << 3};
        for (int i = 0; i < 3; i++) {
            byte[] f = out.get(i);
            assertEquals(lengths[i], f.length);
            assertEquals(HexFormat.of().formatHex(Xlat46Fixtures.hex("""
                    6b 80 00 00   # version 6, traffic class 0xb8, flow label 0
                    """)), HexFormat.of().formatHex(f, 0, 4));
            assertEquals(f.length - 40, Xlat46Fixtures.u16(f, 4));
            assertEquals(44, f[6]);
            assertEquals(63, f[7]);
            assertEquals(17, f[40]);
            assertEquals(0, f[41]);
            assertEquals(fo[i], Xlat46Fixtures.u16(f, 42));
            assertEquals(0x1234, Xlat46Fixtures.u32(f, 44));
            for (int j = 48; j < f.length; j++) {
                assertEquals(data[i * 1232 + j - 48], f[j], "fragment " + i + " byte " + j);
            }
        }
    }

    /** The offset of the packet being split and its M flag carry over (an IPv4 fragment split again). */
    @Test
    void keepsOffsetAndLastMore() {
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        b.load(new byte[1300]);
        List<Integer> fo = new ArrayList<>();
        new Fragmenter46().fragment(b.segment(), PacketBuffer.HEADROOM, PacketBuffer.HEADROOM + 1300, 1280, 0, 1, 6, 40,
                true, 7, 0, 0, 0, 0, (s, o, l) -> fo.add(s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(
                        java.nio.ByteOrder.BIG_ENDIAN), o + 42) & 0xffff));
        assertEquals(List.of(40 << 3 | 1, (40 + 154) << 3 | 1), fo);
    }

    /** Data per fragment: the largest multiple of 8 that fits with 48 bytes of headers. */
    @ParameterizedTest
    @CsvSource({"1280, 1232", "1281, 1232", "1288, 1240", "1500, 1448", "9000, 8952", "40, 8"})
    void chunk(int mtu, int chunk) {
        assertEquals(chunk, Fragmenter46.chunk(mtu));
    }

    /** Writing the headers in place never touches bytes beyond the data. */
    @Test
    void writesOnlyInFront() {
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        MemorySegment s = b.segment();
        s.fill((byte) 0x77);
        b.load(new byte[3000]);
        new Fragmenter46().fragment(s, PacketBuffer.HEADROOM, PacketBuffer.HEADROOM + 3000, 1280, 0, 1, 17, 0, false, 1,
                0, 0, 0, 0, (seg, o, l) -> { });
        for (int i = PacketBuffer.HEADROOM + 3000; i < PacketBuffer.HEADROOM + 3100; i++) {
            assertEquals(0x77, s.get(ValueLayout.JAVA_BYTE, i));
        }
        for (int i = 0; i < PacketBuffer.HEADROOM - 48; i++) {
            assertEquals(0x77, s.get(ValueLayout.JAVA_BYTE, i));
        }
    }
}
