package dev.isthmus.nat;

import static dev.isthmus.nat.TcpState.ESTABLISHED;
import static dev.isthmus.nat.TcpState.TRANS;
import static dev.isthmus.nat.TcpState.V4_FIN_RCV;
import static dev.isthmus.nat.TcpState.V4_INIT;
import static dev.isthmus.nat.TcpState.V6_FIN_RCV;
import static dev.isthmus.nat.TcpState.V6_INIT;
import static dev.isthmus.nat.TcpState.V6_V4_FIN_RCV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The RFC 6146 §3.5.2.2 state machine, one transition per row. */
class TcpStateTest {
    private static final int ACK = 0x10;

    /**
     * from state, packet side (6 = from IPv6, 4 = from IPv4), flags, next state, timer
     * (KEEP, TRANS, EST).
     */
    @ParameterizedTest(name = "{0} + {1}:{2} -> {3} ({4})")
    @CsvSource({
        // V4 INIT: an IPv6 SYN completes the open; anything else changes nothing.
        "V4_INIT, 6, SYN, ESTABLISHED, EST",
        "V4_INIT, 6, SYNACK, ESTABLISHED, EST",
        "V4_INIT, 4, SYN, V4_INIT, KEEP",
        "V4_INIT, 6, ACK, V4_INIT, KEEP",
        "V4_INIT, 4, ACK, V4_INIT, KEEP",
        // V6 INIT: the IPv4 SYN (answer or simultaneous open, RFC 5382 REQ-2) establishes;
        // a retransmitted IPv6 SYN refreshes TCP_TRANS.
        "V6_INIT, 4, SYNACK, ESTABLISHED, EST",
        "V6_INIT, 4, SYN, ESTABLISHED, EST",
        "V6_INIT, 6, SYN, V6_INIT, TRANS",
        "V6_INIT, 6, ACK, V6_INIT, KEEP",
        "V6_INIT, 4, RST, V6_INIT, KEEP",
        // ESTABLISHED
        "ESTABLISHED, 6, ACK, ESTABLISHED, EST",
        "ESTABLISHED, 4, ACK, ESTABLISHED, EST",
        "ESTABLISHED, 4, FIN, V4_FIN_RCV, EST",
        "ESTABLISHED, 6, FIN, V6_FIN_RCV, EST",
        "ESTABLISHED, 6, RST, TRANS, TRANS",
        "ESTABLISHED, 4, RST, TRANS, TRANS",
        "ESTABLISHED, 4, FINRST, TRANS, TRANS",
        // V4 FIN RCV: the IPv6 FIN closes both halves.
        "V4_FIN_RCV, 6, FIN, V6_V4_FIN_RCV, TRANS",
        "V4_FIN_RCV, 4, FIN, V4_FIN_RCV, EST",
        "V4_FIN_RCV, 6, ACK, V4_FIN_RCV, EST",
        "V4_FIN_RCV, 4, ACK, V4_FIN_RCV, EST",
        "V4_FIN_RCV, 6, RST, TRANS, TRANS",
        // V6 FIN RCV: the IPv4 FIN closes both halves.
        "V6_FIN_RCV, 4, FIN, V6_V4_FIN_RCV, TRANS",
        "V6_FIN_RCV, 6, FIN, V6_FIN_RCV, EST",
        "V6_FIN_RCV, 4, ACK, V6_FIN_RCV, EST",
        "V6_FIN_RCV, 4, RST, TRANS, TRANS",
        // V6+V4 FIN RCV: translated, never refreshed.
        "V6_V4_FIN_RCV, 6, ACK, V6_V4_FIN_RCV, KEEP",
        "V6_V4_FIN_RCV, 4, ACK, V6_V4_FIN_RCV, KEEP",
        "V6_V4_FIN_RCV, 4, RST, V6_V4_FIN_RCV, KEEP",
        // TRANS: anything but an RST revives the connection.
        "TRANS, 6, ACK, ESTABLISHED, EST",
        "TRANS, 4, ACK, ESTABLISHED, EST",
        "TRANS, 4, SYN, ESTABLISHED, EST",
        "TRANS, 6, RST, TRANS, KEEP",
        "TRANS, 4, RST, TRANS, KEEP",
    })
    void transition(TcpState from, int side, String flags, TcpState to, String timer) {
        int packed = TcpState.next(from, side == 6, flags(flags));
        assertEquals(to, TcpState.of(packed >>> 8));
        assertEquals(switch (timer) {
            case "KEEP" -> TcpState.KEEP;
            case "TRANS" -> TcpState.T_TRANS;
            case "EST" -> TcpState.T_EST;
            default -> throw new IllegalArgumentException(timer);
        }, packed & 0xff);
    }

    static int flags(String f) {
        return switch (f) {
            case "SYN" -> TcpState.SYN;
            case "SYNACK" -> TcpState.SYN | ACK;
            case "ACK" -> ACK;
            case "FIN" -> TcpState.FIN | ACK;
            case "RST" -> TcpState.RST;
            case "FINRST" -> TcpState.FIN | TcpState.RST;
            default -> throw new IllegalArgumentException(f);
        };
    }

    @Test
    void closedIsNotAStoredState() {
        assertThrows(IllegalArgumentException.class, () -> TcpState.next(TcpState.CLOSED, true, TcpState.SYN));
    }

    @Test
    void whatExpiryDoes() {
        // RFC 6146 §3.5.2.2: ESTABLISHED (and the half-closed states, refreshed with TCP_EST) go
        // to TRANS; the transitory states are deleted.
        assertTrue(TcpState.expiresToTrans(ESTABLISHED));
        assertTrue(TcpState.expiresToTrans(V4_FIN_RCV));
        assertTrue(TcpState.expiresToTrans(V6_FIN_RCV));
        assertFalse(TcpState.expiresToTrans(V4_INIT));
        assertFalse(TcpState.expiresToTrans(V6_INIT));
        assertFalse(TcpState.expiresToTrans(V6_V4_FIN_RCV));
        assertFalse(TcpState.expiresToTrans(TRANS));
    }

    @Test
    void labels() {
        assertEquals("V6+V4 FIN RCV", V6_V4_FIN_RCV.label());
        assertEquals("V6 INIT", V6_INIT.label());
    }
}
