package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.ACK;
import static dev.isthmus.nat.Fixture.FIN;
import static dev.isthmus.nat.Fixture.RST;
import static dev.isthmus.nat.Fixture.SYN;
import static dev.isthmus.nat.Fixture.T;
import static dev.isthmus.nat.Fixture.T0;
import static dev.isthmus.nat.Fixture.X_HI;
import static dev.isthmus.nat.Fixture.X_LO;
import static dev.isthmus.nat.Fixture.Z;
import static dev.isthmus.nat.Fixture.Z2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RFC 6146 §3.5.2 through the table: creation from CLOSED, the stored IPv4 SYN, timers, expiry. */
class Nat64TcpTest {
    private final NatResult r = new NatResult();
    private final Fixture.Recorder rec = new Fixture.Recorder();
    private int port;

    private Nat64Table table(Nat64Settings.Builder b) {
        return new Nat64Table(b.build(), rec);
    }

    private static long at(Duration d) {
        return T0 + d.toNanos();
    }

    private NatVerdict out(Nat64Table t, int flags, long now) {
        NatVerdict v = t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40000, Z, 80, flags, now);
        if (v == NatVerdict.OK) {
            port = r.t4Port();
        }
        return v;
    }

    private NatVerdict in(Nat64Table t, int flags, long now) {
        return t.inbound(r, NatProtocol.TCP, Z, 80, T, port, flags, now);
    }

    private TcpState state(Nat64Table t) {
        var s = t.sessions(NatProtocol.TCP, null, T0);
        return s.isEmpty() ? TcpState.CLOSED : s.get(0).state();
    }

    @Test
    void closedPlusIpv6SynGoesToV6InitWithTcpTrans() {
        Nat64Table t = table(Fixture.settings());
        assertEquals(NatVerdict.OK, out(t, SYN, T0));
        assertEquals(TcpState.V6_INIT, r.state());
        assertTrue(r.sessionCreated() && r.bibCreated());
        assertEquals(0, t.expire(at(Duration.ofMinutes(4)), 1 << 16));
        assertEquals(1, t.expire(at(Duration.ofMinutes(4).plusSeconds(1)), 1 << 16), "V6 INIT dies after TCP_TRANS");
        assertEquals(0, t.stats().bibTcp());
    }

    @Test
    void fullOpenAndCloseThroughTheTable() {
        Nat64Table t = table(Fixture.settings());
        out(t, SYN, T0);
        assertEquals(NatVerdict.OK, in(t, SYN | ACK, T0));
        assertEquals(TcpState.ESTABLISHED, r.state());
        out(t, ACK, T0);
        assertEquals(TcpState.ESTABLISHED, r.state());
        out(t, FIN, T0);
        assertEquals(TcpState.V6_FIN_RCV, r.state());
        in(t, FIN, T0);
        assertEquals(TcpState.V6_V4_FIN_RCV, r.state());
        out(t, ACK, at(Duration.ofMinutes(3)));
        assertEquals(TcpState.V6_V4_FIN_RCV, r.state());
        // Not refreshed in V6+V4 FIN RCV: TCP_TRANS from the second FIN.
        assertEquals(1, t.expire(at(Duration.ofMinutes(4).plusSeconds(1)), 1 << 16));
        assertTrue(rec.events.stream().anyMatch(e -> e.startsWith("session-end") && e.endsWith("CLOSED")));
    }

    @Test
    void simultaneousOpen() {
        // RFC 5382 REQ-2: both SYNs cross; V6 INIT + IPv4 SYN → ESTABLISHED.
        Nat64Table t = table(Fixture.settings());
        out(t, SYN, T0);
        assertEquals(NatVerdict.OK, in(t, SYN, T0));
        assertEquals(TcpState.ESTABLISHED, r.state());
    }

    @Test
    void establishedLivesTcpEstThenTransAndIsProbed() {
        Nat64Table t = table(Fixture.settings());
        out(t, SYN, T0);
        in(t, SYN | ACK, T0);
        assertEquals(0, t.expire(at(Duration.ofMinutes(119)), 1 << 16));
        assertEquals(TcpState.ESTABLISHED, state(t));
        assertEquals(0, t.expire(at(Duration.ofMinutes(121)), 1 << 16));
        assertEquals(TcpState.TRANS, state(t), "TCP_EST ran out: TRANS, not deleted (RFC 6146 §3.5.2.2)");
        assertEquals(1, rec.count("probe"));
        assertEquals(1, t.stats().probes());
        // The probe is answered: back to ESTABLISHED.
        in(t, ACK, at(Duration.ofMinutes(122)));
        assertEquals(TcpState.ESTABLISHED, r.state());
    }

    @Test
    void establishedSilentAfterProbeIsDeletedAfterTwoHoursFourMinutes() {
        // RFC 5382 REQ-5: 2 h 4 min at least.
        Nat64Table t = table(Fixture.settings().probeEstablished(false));
        out(t, SYN, T0);
        in(t, SYN | ACK, T0);
        t.expire(at(Duration.ofMinutes(121)), 1 << 16);
        assertEquals(0, rec.count("probe"), "probing off: no probe asked, still TRANS");
        assertEquals(0, t.expire(at(Duration.ofMinutes(124)), 1 << 16));
        assertEquals(1, t.expire(at(Duration.ofMinutes(125).plusSeconds(2)), 1 << 16));
        assertEquals(0, t.stats().sessions());
    }

    @Test
    void rstMovesToTransAndIsTranslated() {
        Nat64Table t = table(Fixture.settings());
        out(t, SYN, T0);
        in(t, SYN | ACK, T0);
        assertEquals(NatVerdict.OK, in(t, RST, T0));
        assertEquals(TcpState.TRANS, r.state());
        assertEquals(1, t.expire(at(Duration.ofMinutes(4).plusSeconds(1)), 1 << 16));
    }

    @Test
    void ipv6NonSynWithoutStateIsDropped() {
        Nat64Table t = table(Fixture.settings());
        assertEquals(NatVerdict.NO_SESSION, out(t, ACK, T0));
        assertEquals(0, t.stats().bibTcp());
    }

    @Test
    void nonSynWithBibButNoSessionIsTranslatedStatelessly() {
        Nat64Table t = table(Fixture.settings());
        out(t, SYN, T0);
        // Another destination, same (X',x): the BIB exists, the packet is not a SYN.
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40000, Z2, 443, ACK, T0));
        assertTrue(r.stateless());
        assertEquals(1, t.stats().sessions());
    }

    @Test
    void ipv4SynWithBibAndEndpointIndependentFilteringIsTranslatedInV4Init() {
        Nat64Table t = table(Fixture.settings());
        out(t, SYN, T0);
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.TCP, Z2, 5555, T, port, SYN, T0));
        assertEquals(TcpState.V4_INIT, r.state());
        assertEquals(40000, r.x6Port());
        // V4 INIT + IPv6 SYN → ESTABLISHED.
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40000, Z2, 5555, SYN | ACK, T0);
        assertEquals(TcpState.ESTABLISHED, r.state());
    }

    @Test
    void v4InitExpiresAfterTcpIncomingSyn() {
        Nat64Table t = table(Fixture.settings());
        out(t, SYN, T0);
        t.inbound(r, NatProtocol.TCP, Z2, 5555, T, port, SYN, T0);
        assertEquals(2, t.stats().sessions());
        assertEquals(1, t.expire(at(Duration.ofSeconds(7)), 1 << 16));
        assertEquals(1, t.stats().sessions());
    }

    @Test
    void ipv4SynWithoutBibIsStoredAndAnsweredWith33OnTimeout() {
        Nat64Table t = table(Fixture.settings());
        MemorySegment syn = MemorySegment.ofArray(new byte[40]);
        assertEquals(NatVerdict.SYN_STORED,
                t.inbound(r, NatProtocol.TCP, Z, 80, T, 40000, SYN, T0, syn, 0, 40));
        assertEquals(IcmpReply.NONE, r.verdict().icmp(), "not answered now (RFC 5382 REQ-4: wait 6 s)");
        assertEquals(NatVerdict.SYN_STORED, t.inbound(r, NatProtocol.TCP, Z, 80, T, 40000, SYN, T0));
        assertEquals(1, t.stats().storedSyns(), "a retransmission is not stored twice");
        t.expire(at(Duration.ofSeconds(5)), 1 << 16);
        assertEquals(0, rec.count("syn-expired"));
        t.expire(at(Duration.ofSeconds(7)), 1 << 16);
        assertEquals(1, rec.count("syn-expired"));
        assertTrue(rec.events.contains("syn-bytes 40"));
        assertEquals(0, t.stats().storedSyns());
        assertEquals(1, t.stats().storedSynsExpired());
    }

    @Test
    void storedSynTimeoutCanBeSilent() {
        Nat64Table t = table(Fixture.settings().storedSynIcmp(false));
        t.inbound(r, NatProtocol.TCP, Z, 80, T, 40000, SYN, T0);
        t.expire(at(Duration.ofSeconds(7)), 1 << 16);
        assertEquals(0, rec.count("syn-expired"));
        assertEquals(1, t.stats().storedSynsExpired());
    }

    @Test
    void matchingIpv6SynDropsTheStoredSynSilently() {
        // Address-dependent filtering: the BIB exists but Z has never been contacted.
        Nat64Table t = table(Fixture.settings().filtering(Filtering.ADDRESS_DEPENDENT));
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40000, Z2, 443, SYN, T0);
        port = r.t4Port();
        assertEquals(NatVerdict.SYN_STORED, in(t, SYN, T0));
        // The IPv6 host now opens towards Z: V4 INIT + IPv6 SYN → ESTABLISHED.
        assertEquals(NatVerdict.OK, out(t, SYN, at(Duration.ofSeconds(2))));
        assertEquals(TcpState.ESTABLISHED, r.state());
        assertEquals(1, t.stats().storedSynsSuperseded());
        t.expire(at(Duration.ofSeconds(10)), 1 << 16);
        assertEquals(0, rec.count("syn-expired"), "dropped silently, no 3/3");
    }

    @Test
    void simultaneousOpenBeginningWithTheIpv4SynMeetsOnTheKeptPort() {
        // The IPv4 SYN to (T,40000) finds no BIB entry: V4 INIT, stored (RFC 6146 §3.5.2.2). The
        // client's SYN from port 40000 to the same peer keeps its port (§3.5.1.1), so its BIB
        // entry is (T,40000), and the stored SYN meets it: ESTABLISHED, the stored SYN dropped
        // silently (RFC 5382 REQ-4).
        Nat64Table t = table(Fixture.settings());
        assertEquals(NatVerdict.SYN_STORED, t.inbound(r, NatProtocol.TCP, Z, 80, T, 40000, SYN, T0));
        assertEquals(NatVerdict.OK, out(t, SYN, at(Duration.ofSeconds(2))));
        assertEquals(40000, r.t4Port());
        assertEquals(TcpState.ESTABLISHED, r.state());
        assertEquals(1, t.stats().storedSynsSuperseded());
        assertEquals(0, t.stats().storedSyns());
        assertTrue(t.loans(t.sliceOwner(T, 40000)).borrower(Nat64Table.StaticMap.key(0, T, 40000)) >= 0,
                "the case that needs a loan: 40000 lies in another shard's slice than the client's");
        assertEquals(NatVerdict.OK, in(t, ACK, at(Duration.ofSeconds(2))));
        assertEquals(40000, r.x6Port());
        assertEquals(TcpState.ESTABLISHED, r.state());
        t.expire(at(Duration.ofSeconds(10)), 1 << 16);
        assertEquals(0, rec.count("syn-expired"), "superseded: no 3/3 for it");
        t.checkInvariants();
    }

    @Test
    void staticMappingGetsTheStoredSynSuperseded() {
        Nat64Table t = table(Fixture.settings().filtering(Filtering.ADDRESS_DEPENDENT));
        t.addStatic(NatProtocol.TCP, X_HI, X_LO, 40000, T, 4000);
        port = 4000;
        assertEquals(NatVerdict.SYN_STORED, in(t, SYN, T0));
        assertEquals(NatVerdict.OK, out(t, SYN, T0));
        assertEquals(TcpState.ESTABLISHED, r.state());
        assertEquals(4000, r.t4Port());
    }

    @Test
    void externalSynsCanBeRefused() {
        Nat64Table t = table(Fixture.settings().dropExternalTcp(true));
        out(t, SYN, T0);
        assertEquals(NatVerdict.EXTERNAL_SYN_DENIED, t.inbound(r, NatProtocol.TCP, Z2, 1, T, port, SYN, T0));
        assertEquals(NatVerdict.EXTERNAL_SYN_DENIED, t.inbound(r, NatProtocol.TCP, Z2, 1, T, 1, SYN, T0));
        assertEquals(0, t.stats().storedSyns());
        // The answer to our own SYN is not an external open.
        assertEquals(NatVerdict.OK, in(t, SYN | ACK, T0));
    }

    @Test
    void storedSynLimit() {
        Nat64Table t = table(Fixture.settings().maxStoredSyns(2).shards(1));
        assertEquals(NatVerdict.SYN_STORED, t.inbound(r, NatProtocol.TCP, Z, 1, T, 100, SYN, T0));
        assertEquals(NatVerdict.SYN_STORED, t.inbound(r, NatProtocol.TCP, Z, 2, T, 100, SYN, T0));
        assertEquals(NatVerdict.STORED_SYN_LIMIT, t.inbound(r, NatProtocol.TCP, Z, 3, T, 100, SYN, T0));
        t.expire(at(Duration.ofSeconds(7)), 16);
        assertEquals(NatVerdict.SYN_STORED, t.inbound(r, NatProtocol.TCP, Z, 3, T, 100, SYN, at(Duration.ofSeconds(7))));
    }

    @Test
    void ipv4NonSynWithoutBibIsDroppedSilently() {
        Nat64Table t = table(Fixture.settings());
        assertEquals(NatVerdict.NO_SESSION, in(t, ACK, T0));
        assertEquals(IcmpReply.NONE, r.verdict().icmp());
        assertFalse(r.sessionCreated());
    }

    @Test
    void tcpPortAllocationKeepsTheRange() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 700, Z, 80, SYN, T0);
        assertTrue(r.t4Port() < 1024 && r.t4Port() > 0, "well-known range kept: " + r.t4Port());
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 50000, Z, 80, SYN, T0);
        assertTrue(r.t4Port() >= 1024, "high range kept: " + r.t4Port());
    }
}
