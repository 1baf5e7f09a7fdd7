package dev.isthmus.alg.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.ftp.PendingCommands.Kind;
import org.junit.jupiter.api.Test;

/** The FIFO that pairs replies with commands (RFC 959 §4.2). */
class PendingCommandsTest {
    @Test
    void runsOfForwardedCommandsTakeOneSlot() {
        PendingCommands p = new PendingCommands();
        for (int i = 0; i < 1000; i++) {
            p.push(Kind.FORWARD, null);
        }
        p.push(Kind.LOCAL, "216 x");
        assertEquals(2, p.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals(Kind.FORWARD, p.pop());
        }
        assertEquals("216 x", p.peekReply());
        assertEquals(Kind.LOCAL, p.pop());
        assertNull(p.pop());
        assertNull(p.peek());
    }

    @Test
    void aForwardAlwaysFitsAfterTheLastSpecial() {
        PendingCommands p = new PendingCommands();
        int specials = 0;
        while (p.roomForSpecial()) {
            p.push(Kind.EPSV, null);
            specials++;
        }
        assertEquals(PendingCommands.SLOTS - 1, specials);
        p.push(Kind.FORWARD, null);
        p.push(Kind.FORWARD, null);
        assertFalse(p.roomForSpecial());
        for (int i = 0; i < specials; i++) {
            assertEquals(Kind.EPSV, p.pop());
        }
        assertEquals(Kind.FORWARD, p.pop());
        assertEquals(Kind.FORWARD, p.pop());
        assertTrue(p.roomForSpecial());
    }
}
