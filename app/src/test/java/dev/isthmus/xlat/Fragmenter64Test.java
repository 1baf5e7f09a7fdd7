package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.hex;
import static dev.isthmus.xlat.Xlat64Fixtures.sum;
import static dev.isthmus.xlat.Xlat64Fixtures.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** RFC 791 fragmentation of translated packets, in place. */
class Fragmenter64Test {

    /** A 20-byte header (ID 0xabcd, TTL 63, UDP, 198.51.100.5 → 192.0.2.33) with {@code flags}, then {@code data}. */
    static byte[] packet(int flags, byte[] data) {
        byte[] h = hex("4500 0000 abcd 0000 3f11 0000 c6336405 c0000221");
        Xlat64Fixtures.put16(h, 6, flags);
        byte[] p = new byte[20 + data.length];
        System.arraycopy(h, 0, p, 0, 20);
        System.arraycopy(data, 0, p, 20, data.length);
        return p;
    }

    static List<byte[]> fragment(byte[] p, int mtu) {
        List<byte[]> out = new ArrayList<>();
        MemorySegment s = MemorySegment.ofArray(p.clone());
        int n = new Fragmenter64().fragment(s, 0, p.length, mtu,
                (seg, off, len) -> out.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)));
        assertEquals(out.size(), n);
        return out;
    }

    @Test
    void splitsOnEightByteBoundaries() {
        byte[] data = Xlat64Fixtures.pattern(100, 0);
        List<byte[]> f = fragment(packet(0, data), 68); // 48 data bytes per fragment
        assertEquals(3, f.size());
        assertEquals(68, f.get(0).length);
        assertEquals(68, f.get(1).length);
        assertEquals(24, f.get(2).length);
        assertEquals(0x2000, u16(f.get(0), 6));
        assertEquals(0x2000 | 6, u16(f.get(1), 6));
        assertEquals(12, u16(f.get(2), 6));
        for (byte[] x : f) {
            assertEquals(x.length, u16(x, 2));
            assertEquals(0xabcd, u16(x, 4));
            assertEquals(0xffff, sum(x, 0, 20, 0), "header checksum");
        }
        assertArrayEquals(data, reassemble(f));
    }

    /** Splitting a fragment: offsets continue from its own, and the last piece keeps its MF. */
    @Test
    void splitsAFragment() {
        List<byte[]> f = fragment(packet(0x2000 | 50, new byte[64]), 60); // 40 per piece
        assertEquals(List.of(0x2000 | 50, 0x2000 | 55), List.of(u16(f.get(0), 6), u16(f.get(1), 6)));
        f = fragment(packet(50, new byte[64]), 60);
        assertEquals(List.of(0x2000 | 50, 55), List.of(u16(f.get(0), 6), u16(f.get(1), 6)));
    }

    @Property(tries = 200)
    void reassemblesToTheOriginal(@ForAll @IntRange(min = 1, max = 3000) int length,
            @ForAll @IntRange(min = 28, max = 1500) int mtu) {
        byte[] data = Xlat64Fixtures.pattern(length, length);
        List<byte[]> f = fragment(packet(0, data), mtu);
        for (int i = 0; i < f.size(); i++) {
            byte[] x = f.get(i);
            assertEquals(0xffff, sum(x, 0, 20, 0));
            if (i < f.size() - 1) {
                assertEquals(0, (x.length - 20) % 8);
                assertEquals(true, x.length <= Math.max(mtu, 28));
            }
        }
        assertArrayEquals(data, reassemble(f));
    }

    static byte[] reassemble(List<byte[]> fragments) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int expect = 0;
        for (byte[] x : fragments) {
            assertEquals(expect, (u16(x, 6) & 0x1fff) * 8);
            o.write(x, 20, x.length - 20);
            expect += x.length - 20;
        }
        return o.toByteArray();
    }
}
