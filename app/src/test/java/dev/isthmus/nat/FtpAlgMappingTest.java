package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.ACK;
import static dev.isthmus.nat.Fixture.SYN;
import static dev.isthmus.nat.Fixture.X_HI;
import static dev.isthmus.nat.Fixture.X_LO;
import static dev.isthmus.nat.Fixture.Z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.isthmus.wire.Ipv4Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The NAT64's side of FTP's data connections: the active-mode mapping the ALG asks for
 * (RFC 6384 §5.3, {@link FtpAlg#mapActive}) lets the server's SYN in on the control connection's
 * pool4 address, and a passive-mode data connection leaves from that address too (paired
 * pooling, RFC 6888 REQ-2; FTP servers check it).
 */
class FtpAlgMappingTest {
    private static final long NOW = 1_000_000_000L;
    private final NatResult r = new NatResult();

    /** The control connection (X',40000) → (Z,21): its T. */
    private static int control(Nat64Table table, long lo, NatResult r) {
        assertEquals(NatVerdict.OK, table.outbound(r, NatProtocol.TCP, X_HI, lo, 40000, Z, 21, SYN, NOW));
        return r.t4();
    }

    @ParameterizedTest
    @EnumSource(Filtering.class)
    void theServersSynFromPort20OrAnyOtherGetsInOnTheControlConnectionsT(Filtering filtering) {
        Nat64Table table = new Nat64Table(Fixture.settings().filtering(filtering).build(), null);
        int t4 = control(table, X_LO, r);
        long mapped = table.ftpAlg().mapActive(X_HI, X_LO, 40001, Z, t4, NOW);
        assertEquals(t4, (int) (mapped >>> 16), "PORT names the control connection's T");
        int t = (int) mapped & 0xffff;

        // RFC 959 §3.2: the server connects from port 20 (the synthetic session, V6 INIT).
        assertEquals(NatVerdict.OK, table.inbound(r, NatProtocol.TCP, Z, 20, t4, t, SYN, NOW));
        assertEquals(40001, r.x6Port());
        assertEquals(X_LO, r.x6Lo());
        assertEquals(TcpState.ESTABLISHED, r.state(), "V6 INIT + IPv4 SYN (RFC 6146 §3.5.2.2)");
        // Some servers connect from an ephemeral port: the BIB entry lets that in too (EIF: anyone;
        // ADF: Z, which X' has a session with now).
        assertEquals(NatVerdict.OK, table.inbound(r, NatProtocol.TCP, Z, 33333, t4, t, SYN, NOW));
        assertEquals(40001, r.x6Port());
        // The client's SYN ACK finds the session.
        assertEquals(NatVerdict.OK, table.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40001, Z, 33333, SYN | ACK, NOW));
        assertEquals(t, r.t4Port());
        table.checkInvariants();
    }

    @Test
    void addressDependentFilteringKeepsOtherServersOut() {
        Nat64Table table = new Nat64Table(Fixture.settings().filtering(Filtering.ADDRESS_DEPENDENT).build(), null);
        int t4 = control(table, X_LO, r);
        int t = (int) table.ftpAlg().mapActive(X_HI, X_LO, 40001, Z, t4, NOW) & 0xffff;
        assertEquals(NatVerdict.SYN_STORED, table.inbound(r, NatProtocol.TCP, Fixture.Z2, 20, t4, t, SYN, NOW),
                "RFC 4787 REQ-8: only Z may use the mapping");
    }

    @Test
    void noMappingBeyondTheSubscribersPortLimit() {
        Nat64Table table = new Nat64Table(Fixture.settings().maxPortsPerSubscriber(1).build(), null);
        int t4 = control(table, X_LO, r);
        assertEquals(-1, table.ftpAlg().mapActive(X_HI, X_LO, 40001, Z, t4, NOW), "RFC 6888 REQ-4 holds");
    }

    @Test
    void noMappingOnAnotherAddressThanTheControlConnections() {
        Nat64Table table = new Nat64Table(Fixture.settings().build(), null);
        int t4 = control(table, X_LO, r);
        assertEquals(-1, table.ftpAlg().mapActive(X_HI, X_LO, 40001, Z, t4 + 1, NOW));
    }

    /**
     * Paired pooling (RFC 6888 REQ-2, RFC 4787 REQ-2): with many pool4 addresses and many clients,
     * each client's passive-mode data connection leaves from its control connection's T.
     */
    @Test
    void passiveDataConnectionsLeaveFromTheControlConnectionsT() {
        Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.0/28")).build(), null);
        int differentT = 0;
        int firstT = 0;
        for (int i = 1; i <= 64; i++) {
            int t4 = control(table, X_LO + i, r);
            firstT = i == 1 ? t4 : firstT;
            differentT += t4 != firstT ? 1 : 0;
            for (int data = 0; data < 3; data++) {
                assertEquals(NatVerdict.OK, table.outbound(r, NatProtocol.TCP, X_HI, X_LO + i, 50000 + data, Z,
                        5001 + data, SYN, NOW));
                assertEquals(Ipv4Address.format(t4), Ipv4Address.format(r.t4()), "client " + i + " data " + data);
            }
        }
        assertNotEquals(0, differentT, "the clients are spread over pool4, so the test means something");
        table.checkInvariants();
    }
}
