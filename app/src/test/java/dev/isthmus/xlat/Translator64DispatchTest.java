package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.C6;
import static dev.isthmus.xlat.Xlat64Fixtures.S6;
import static dev.isthmus.xlat.Xlat64Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat64Fixtures.ipv6;
import static dev.isthmus.xlat.Xlat64Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.isthmus.wire.PacketBuffer;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Through the public {@link Translator}: version 6 goes to Translator64, with a random ID generator. */
class Translator64DispatchTest {

    @Test
    void publicTranslatorRunsTheSixToFourDirection() {
        XlatCounters counters = new XlatCounters();
        Translator t = new Translator(Xlat64Fixtures.settings().build(), counters, NanoClock.SYSTEM);
        List<byte[]> out = new ArrayList<>();
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        byte[] in = ipv6(C6, S6, 17, 64, 0, udp(1, 2, new byte[8]));
        b.load(in);
        assertEquals(Verdict.TRANSLATED, t.translate(b, (s, o, l) -> out.add(s.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE))));
        assertEquals(Verdict.TRANSLATED, t.trace().verdict());
        assertEquals(1, counters.paths(Path.UDP_64));
        assertIpv4Valid(out.get(0));
        assertEquals(out.get(0).length, b.length());
        b.load(in);
        t.translate(b, (s, o, l) -> out.add(s.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE)));
        // Two packets of one flow: different Identifications (RFC 6864 §4.1).
        assertNotEquals(Xlat64Fixtures.u16(out.get(0), 4), Xlat64Fixtures.u16(out.get(1), 4));
    }
}
