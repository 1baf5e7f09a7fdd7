package dev.isthmus.alg.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The sequence map of one rewritten direction (RFC 6384 §6). The stream used throughout, input
 * sequence numbers from 100:
 *
 * <pre>
 *   input   100 "ab" 102 "EPSV 2\r\n"(8) 110 "cd" 112 [insert "!!"] 112 "IAC WILL 1"(3) 115 "ef" 117
 *   output  100 "ab" 102 "PASV\r\n"(6)   108 "cd" 110 "!!"          112 ""              112 "ef" 114
 * </pre>
 */
class SeqMapTest {
    private static final byte[] IN = "abEPSV 2\r\ncd\u00ff\u00fb\u0001ef".getBytes(StandardCharsets.ISO_8859_1);

    private static SeqMap map() {
        SeqMap m = new SeqMap();
        m.start(100);
        m.identity(2);
        m.chunk(8, bytes("PASV\r\n"), 0, 6);
        m.identity(2);
        m.chunk(0, bytes("!!"), 0, 2);
        m.chunk(3, new byte[0], 0, 0);
        m.identity(2);
        return m;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void mapsInputToTheEarliestOutput() {
        SeqMap m = map();
        assertEquals(100, m.mapSeq(100));
        assertEquals(102, m.mapSeq(102));
        assertEquals(102, m.mapSeq(105), "inside EPSV 2: the PASV line's start");
        assertEquals(108, m.mapSeq(110));
        assertEquals(110, m.mapSeq(112), "before the inserted bytes");
        assertEquals(112, m.mapSeq(113), "inside the removed IAC triple: after the insertion");
        assertEquals(112, m.mapSeq(115));
        assertEquals(114, m.mapSeq(117));
        assertEquals(114, m.mapSeq(120), "beyond what was sent: the next output");
        assertEquals(-3, m.delta());
    }

    @Test
    void mapsAcknowledgementsBackWithoutAcknowledgingPartialChunks() {
        SeqMap m = map();
        assertEquals(102, m.mapAck(102));
        assertEquals(102, m.mapAck(105), "inside PASV: none of EPSV 2 acknowledged");
        assertEquals(110, m.mapAck(108));
        assertEquals(112, m.mapAck(111), "inside the insertion: what came before it");
        assertEquals(115, m.mapAck(112), "the insertion and the removed triple are delivered");
        assertEquals(117, m.mapAck(114));
        assertEquals(117, m.mapAck(200), "never beyond what was sent on");
        assertEquals(95, m.mapAck(95));
    }

    @Test
    void regeneratesWholeChunks() {
        SeqMap m = map();
        assertEquals("ab", regenerate(m, 100, 102));
        assertEquals("PASV\r\n", regenerate(m, 104, 106), "a cut line comes back whole");
        assertEquals("bPASV\r\ncd!!", regenerate(m, 101, 112));
        assertEquals("!!ef", regenerate(m, 112, 117));
        assertEquals("!!", regenerate(m, 112, 112), "an insertion at an empty range's start");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        assertFalse(m.regenerate(110, 111, IN, 0, 100, sink::write), "identity");
        assertTrue(m.regenerate(110, 112, IN, 0, 100, sink::write), "the insertion at the end comes along");
        assertTrue(m.regenerate(110, 113, IN, 0, 100, sink::write));
    }

    private static String regenerate(SeqMap m, int s, int e) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        m.regenerate(s, e, IN, 0, 100, sink::write);
        return sink.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void wrapsAround() {
        SeqMap m = new SeqMap();
        m.start(-3); // 0xfffffffd
        m.identity(2);
        m.chunk(4, bytes("x"), 0, 1); // input 0xffffffff..3 → output 0xffffffff
        assertEquals(0, m.mapSeq(3));
        assertEquals(-1, m.mapSeq(0));
        assertEquals(3, m.mapAck(0));
        assertEquals(-1, m.mapAck(-1));
    }

    @Test
    void forgetsTheOldestChunkBeyondTheBound() {
        SeqMap m = new SeqMap();
        m.start(0);
        for (int i = 0; i < SeqMap.HISTORY + 1; i++) {
            m.identity(1);
            m.chunk(2, bytes("y"), 0, 1);
        }
        assertEquals(3, m.forgetBefore());
        assertEquals(2, m.mapSeq(3));
        assertEquals(3, m.mapAck(2));
    }
}
