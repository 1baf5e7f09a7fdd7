package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The transparent relay's {@code connect-ports}. */
class PortSetTest {
    @Test
    void itemsAreLonePortsAndRanges() {
        assertEquals(List.of("1-24", "26-65535"), PortSet.ALL_BUT_SMTP.items());
        assertEquals(List.of(22, "80-81", 65535), PortSet.NONE.with(80, 81).with(22, 22).with(65535, 65535).items());
        assertEquals(List.of(), PortSet.NONE.items());
        assertTrue(PortSet.NONE.isEmpty());
    }

    @Test
    void containsOnlyWhatWasAdded() {
        PortSet p = PortSet.NONE.with(63, 64).with(65535, 65535);
        assertTrue(p.contains(63) && p.contains(64) && p.contains(65535));
        assertFalse(p.contains(62) || p.contains(65) || p.contains(0) || p.contains(65536) || p.contains(-1));
        assertEquals(p, PortSet.NONE.with(65535, 65535).with(63, 64));
    }

    @Test
    void outOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PortSet.NONE.with(0, 10));
        assertThrows(IllegalArgumentException.class, () -> PortSet.NONE.with(10, 65536));
        assertThrows(IllegalArgumentException.class, () -> PortSet.NONE.with(20, 10));
    }
}
