package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.T;
import static dev.isthmus.nat.Fixture.T0;
import static dev.isthmus.nat.Fixture.X2_LO;
import static dev.isthmus.nat.Fixture.X_HI;
import static dev.isthmus.nat.Fixture.X_LO;
import static dev.isthmus.nat.Fixture.Z;
import static dev.isthmus.nat.Fixture.Z2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 6146 §3.5.1 (UDP) and §3.5.3 (ICMP) step by step, filtering, static entries, limits, expiry. */
class Nat64TableTest {
    private final NatResult r = new NatResult();
    private final Fixture.Recorder rec = new Fixture.Recorder();

    private Nat64Table table(Nat64Settings.Builder b) {
        return new Nat64Table(b.build(), rec);
    }

    private static long at(Duration d) {
        return T0 + d.toNanos();
    }

    // ------------------------------------------------------------------ UDP, §3.5.1

    @Test
    void udpOutboundCreatesBibAndSessionKeepingPortAndParity() {
        Nat64Table t = table(Fixture.settings().shards(1));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0));
        assertTrue(r.bibCreated());
        assertTrue(r.sessionCreated());
        assertEquals(T, r.t4());
        assertEquals(40001, r.t4Port(), "one shard owns every port: x itself is kept (RFC 4787 REQ-4 MAY)");
        assertEquals(1, t.stats().sessions());
        assertEquals(1, t.stats().bibUdp());
        t.checkInvariants();
    }

    @Test
    void endpointIndependentMappingReusesTheBib() {
        // RFC 4787 REQ-1: the same (X',x) to any (Z,z) gets the same (T,t).
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        int port = r.t4Port();
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z2, 123, 0, T0);
        assertFalse(r.bibCreated());
        assertTrue(r.sessionCreated());
        assertEquals(port, r.t4Port());
        assertEquals(2, t.stats().sessions());
        assertEquals(1, t.stats().bibUdp());
        t.checkInvariants();
    }

    @Test
    void aBibEntryOutlivesTheSessionItsRecordHolds() {
        // The first session shares the BIB entry's record (Shard's layout); when it ends before a
        // later session, the entry, the later session and a newer one must all stay reachable.
        Nat64Table t = table(Fixture.settings().shards(1));
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        int port = r.t4Port();
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z2, 123, 0, at(Duration.ofMinutes(4)));
        assertEquals(1, t.expire(at(Duration.ofMinutes(5).plusSeconds(1)), 1 << 16));
        assertEquals(1, t.stats().sessions());
        assertEquals(1, t.stats().bibUdp(), "the BIB entry stays while a session uses it");
        t.checkInvariants();
        assertEquals(NatVerdict.OK, t.findInbound(r, NatProtocol.UDP, Z2, 123, T, port));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0,
                at(Duration.ofMinutes(6))));
        assertTrue(r.sessionCreated());
        assertEquals(port, r.t4Port());
        t.checkInvariants();
        assertEquals(1, t.expire(at(Duration.ofMinutes(9).plusSeconds(1)), 1 << 16), "the Z2 session");
        assertEquals(NatVerdict.OK, t.findInbound(r, NatProtocol.UDP, Z, 53, T, port));
        t.checkInvariants();
        assertEquals(1, t.expire(at(Duration.ofMinutes(11).plusSeconds(1)), 1 << 16));
        assertEquals(0, t.stats().bibUdp());
        t.checkInvariants();
    }

    @Test
    void udpInboundWithoutBibIsDroppedWithHostUnreachable() {
        Nat64Table t = table(Fixture.settings());
        assertEquals(NatVerdict.NO_BIB, t.inbound(r, NatProtocol.UDP, Z, 53, T, 40001, 0, T0));
        assertEquals(IcmpReply.V4_HOST_UNREACHABLE, r.verdict().icmp());
        assertEquals(1, r.counters().count(NatProtocol.UDP, NatVerdict.NO_BIB));
    }

    @Test
    void inboundOutsidePool4() {
        Nat64Table t = table(Fixture.settings());
        assertEquals(NatVerdict.NOT_IN_POOL4,
                t.inbound(r, NatProtocol.UDP, Z, 53, Ipv4Address.parse("203.0.113.1"), 1, 0, T0));
    }

    @Test
    void udpInboundFindsTheSessionAndReturnsX() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        int port = r.t4Port();
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 53, T, port, 0, T0));
        assertFalse(r.sessionCreated());
        assertEquals(X_HI, r.x6Hi());
        assertEquals(X_LO, r.x6Lo());
        assertEquals(40001, r.x6Port());
    }

    @Test
    void endpointIndependentFilteringLetsAnyPeerInAndCreatesItsSession() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        int port = r.t4Port();
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z2, 9999, T, port, 0, T0));
        assertTrue(r.sessionCreated());
        assertEquals(2, t.stats().sessions());
        t.checkInvariants();
    }

    @Test
    void addressDependentFilteringLetsInOnlyKnownPeerAddresses() {
        // RFC 6146 §1.2.3 / RFC 4787 REQ-8: any port of a Z we sent to, no other Z.
        Nat64Table t = table(Fixture.settings().filtering(Filtering.ADDRESS_DEPENDENT));
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        int port = r.t4Port();
        assertEquals(NatVerdict.FILTERED, t.inbound(r, NatProtocol.UDP, Z2, 53, T, port, 0, T0));
        assertEquals(IcmpReply.V4_ADMIN_PROHIBITED, r.verdict().icmp());
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 5353, T, port, 0, T0));
        assertTrue(r.sessionCreated());
        t.checkInvariants();
    }

    @Test
    void udpLifetimeAndRefresh() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        // Refreshed by an outbound packet at 4 min: alive at 8 min, gone after 9 min + a tick.
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, at(Duration.ofMinutes(4)));
        assertEquals(0, t.expire(at(Duration.ofMinutes(8)), 1 << 16));
        assertEquals(1, t.stats().sessions());
        assertEquals(1, t.expire(at(Duration.ofMinutes(9).plusSeconds(1)), 1 << 16));
        assertEquals(0, t.stats().sessions());
        assertEquals(0, t.stats().bibUdp(), "a dynamic BIB entry dies with its last session (RFC 6146 §3.1)");
        assertEquals(1, rec.count("bib-remove"));
        t.checkInvariants();
    }

    @Test
    void aStaleClockReadingNeverShortensTheLifetime() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, at(Duration.ofMinutes(4)));
        // Another worker's batch clock, read before the first packet's, refreshes the same flow.
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        assertEquals(0, t.expire(at(Duration.ofMinutes(8)), 1 << 16), "still 4 min + 5 min");
        assertEquals(1, t.expire(at(Duration.ofMinutes(9).plusSeconds(1)), 1 << 16));
        t.checkInvariants();
    }

    @Test
    void neverExpiresEarly() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        assertEquals(0, t.expire(at(Nat64Settings.UDP_DEFAULT), 1 << 16));
        assertEquals(1, t.expire(at(Nat64Settings.UDP_DEFAULT.plusMillis(40)), 1 << 16));
    }

    @Test
    void ipv4RefreshIsAPolicy() {
        for (boolean refresh : new boolean[] {true, false}) {
            Nat64Table t = table(Fixture.settings().ipv4Refreshes(refresh));
            t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
            t.inbound(r, NatProtocol.UDP, Z, 53, T, r.t4Port(), 0, at(Duration.ofMinutes(4)));
            assertEquals(refresh ? 0 : 1, t.expire(at(Duration.ofMinutes(6)), 1 << 16), "refresh=" + refresh);
        }
    }

    @Test
    void icmpErrorsNeverTouchState() {
        // RFC 5508 REQ-6, RFC 5382 REQ-10, RFC 4787 REQ-12.
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        int port = r.t4Port();
        for (int i = 1; i <= 4; i++) {
            assertEquals(NatVerdict.OK, t.findInbound(r, NatProtocol.UDP, Z, 53, T, port));
            assertEquals(X_LO, r.x6Lo());
            assertEquals(NatVerdict.OK, t.findOutbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53));
            assertEquals(port, r.t4Port());
        }
        assertEquals(NatVerdict.OK, t.findInbound(r, NatProtocol.UDP, Z2, 1, T, port));
        assertTrue(r.stateless(), "no session to Z2, and none was created");
        assertEquals(NatVerdict.NO_BIB, t.findInbound(r, NatProtocol.UDP, Z, 53, T, port ^ 2));
        assertEquals(1, t.stats().sessions());
        assertEquals(1, t.expire(at(Duration.ofMinutes(5).plusSeconds(1)), 1 << 16), "not refreshed");
    }

    // ------------------------------------------------------------------ ICMP, §3.5.3

    @Test
    void icmpQueryMapsIdentifiers() {
        Nat64Table t = table(Fixture.settings());
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.ICMP, X_HI, X_LO, 777, Z, 0, 0, T0));
        int i2 = r.t4Port();
        assertEquals(0, r.z4Port());
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.ICMP, Z, 0, T, i2, 0, T0));
        assertEquals(777, r.x6Port());
        assertEquals(NatVerdict.NO_BIB, t.inbound(r, NatProtocol.ICMP, Z, 0, T, i2 ^ 1, 0, T0));
        // ICMP_DEFAULT 60 s.
        assertEquals(0, t.expire(at(Duration.ofSeconds(59)), 1 << 16));
        assertEquals(1, t.expire(at(Duration.ofSeconds(61)), 1 << 16));
    }

    @Test
    void protocolsHaveSeparateBibs() {
        Nat64Table t = table(Fixture.settings().shards(1));
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 5000, Z, 53, 0, T0);
        t.outbound(r, NatProtocol.ICMP, X_HI, X_LO, 5000, Z, 0, 0, T0);
        assertEquals(5000, r.t4Port(), "(T,t) is unique per protocol, so the ICMP id may equal a UDP port");
        assertEquals(1, t.stats().bibUdp());
        assertEquals(1, t.stats().bibIcmp());
    }

    // ------------------------------------------------------------------ paired pooling

    @Test
    void pairedPoolingKeepsOneT() {
        // RFC 4787 REQ-2: every BIB of one X' on the same T.
        Nat64Table t = table(Nat64Settings.builder(Pool4.of("192.0.2.0/28")));
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 1000, Z, 53, 0, T0);
        int first = r.t4();
        for (int port = 2000; port < 2100; port++) {
            t.outbound(r, NatProtocol.UDP, X_HI, X_LO, port, Z, 53, 0, T0);
            assertEquals(first, r.t4());
            t.outbound(r, NatProtocol.TCP, X_HI, X_LO, port, Z, 80, Fixture.SYN, T0);
            assertEquals(first, r.t4());
        }
        t.checkInvariants();
    }

    // ------------------------------------------------------------------ port preservation

    @Test
    void theClientsOwnPortIsKeptWhicheverShardsSliceHoldsIt() {
        // RFC 6146 §3.5.1.1, RFC 4787 REQ-1's discussion: (T,x) free, so t = x. With 64 shards
        // one chunk of 16 ports in 64 is the subscriber's own; the others are lent by their shard.
        Nat64Table t = table(Fixture.settings());
        for (int x = 1025; x < 1025 + 16 * 64 * 2; x += 16) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, x, Z, 53, 0, T0));
            assertEquals(x, r.t4Port());
            assertEquals(T, r.t4());
            assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 53, T, x, 0, T0), "the reply finds it");
            assertEquals(x, r.x6Port());
        }
        t.checkInvariants();
    }

    @Test
    void aKeptPortIsNobodyElsesAndIsFreeAgainWhenItsEntryGoes() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        assertEquals(40001, r.t4Port());
        // Another client on the same port gets another of the same range and parity (REQ-3, REQ-4).
        t.outbound(r, NatProtocol.UDP, X_HI, X2_LO, 40001, Z, 53, 0, T0);
        int other = r.t4Port();
        assertNotEquals(40001, other);
        assertTrue(other >= 1024 && (other & 1) == 1, "range and parity: " + other);
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 53, T, 40001, 0, T0));
        assertEquals(X_LO, r.x6Lo());
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 53, T, other, 0, T0));
        assertEquals(X2_LO, r.x6Lo());
        assertEquals(Nat64Table.StaticResult.IN_USE, t.addStatic(NatProtocol.UDP, X_HI, 99, 1, T, 40001),
                "a static entry cannot take a kept port either");
        t.checkInvariants();
        // Both entries expire; the loan ends with them, and the second client now keeps 40001.
        long later = at(Duration.ofMinutes(6));
        assertEquals(2, t.expire(later, 1 << 16));
        assertEquals(NatVerdict.NO_BIB, t.inbound(r, NatProtocol.UDP, Z, 53, T, 40001, 0, later));
        t.outbound(r, NatProtocol.UDP, X_HI, X2_LO, 40001, Z, 53, 0, later);
        assertEquals(40001, r.t4Port());
        t.checkInvariants();
    }

    // ------------------------------------------------------------------ static entries

    @Test
    void staticEntryAcceptsUnsolicitedTraffic() {
        Nat64Table t = table(Fixture.settings());
        assertEquals(Nat64Table.StaticResult.ADDED, t.addStatic(NatProtocol.UDP, X_HI, X_LO, 53, T, 53));
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 4000, T, 53, 0, T0));
        assertEquals(53, r.x6Port());
        // Outbound from (X',53) uses the static mapping.
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 53, Z2, 4000, 0, T0));
        assertEquals(53, r.t4Port());
        assertFalse(r.bibCreated());
        // Expiry removes the sessions, never the static entry.
        t.expire(at(Duration.ofMinutes(6)), 1 << 16);
        assertEquals(0, t.stats().sessions());
        assertEquals(1, t.stats().bibUdp());
        t.checkInvariants();
    }

    @Test
    void staticEntriesComeAndGoWithoutLosingOtherSessions() {
        Nat64Table t = table(Fixture.settings());
        for (int port = 1024; port < 1124; port++) {
            t.outbound(r, NatProtocol.UDP, X_HI, X2_LO, port, Z, 53, 0, T0);
        }
        assertEquals(Nat64Table.StaticResult.ADDED, t.addStatic(NatProtocol.TCP, X_HI, X_LO, 22, T, 2222));
        t.inbound(r, NatProtocol.TCP, Z, 5555, T, 2222, Fixture.SYN, T0);
        assertEquals(101, t.stats().sessions());
        assertTrue(t.removeStatic(NatProtocol.TCP, T, 2222));
        assertFalse(t.removeStatic(NatProtocol.TCP, T, 2222));
        assertEquals(100, t.stats().sessions(), "only the static entry's own session went");
        assertEquals(NatVerdict.SYN_STORED, t.inbound(r, NatProtocol.TCP, Z, 5555, T, 2222, Fixture.SYN, T0));
        t.checkInvariants();
    }

    @Test
    void staticEntryRefusals() {
        Nat64Table t = table(Fixture.settings().shards(1));
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40000, Z, 53, 0, T0);
        assertEquals(Nat64Table.StaticResult.IN_USE, t.addStatic(NatProtocol.UDP, X_HI, X2_LO, 1, T, 40000));
        assertEquals(Nat64Table.StaticResult.CONFLICT, t.addStatic(NatProtocol.UDP, X_HI, X_LO, 40000, T, 1));
        assertEquals(Nat64Table.StaticResult.NOT_IN_POOL4,
                t.addStatic(NatProtocol.UDP, X_HI, X_LO, 1, Ipv4Address.parse("203.0.113.1"), 1));
        assertEquals(Nat64Table.StaticResult.ADDED, t.addStatic(NatProtocol.UDP, X_HI, X2_LO, 1, T, 40002));
        assertEquals(Nat64Table.StaticResult.IN_USE, t.addStatic(NatProtocol.UDP, X_HI, X_LO, 2, T, 40002));
        // The allocator never hands out a static (T,t): X' wants 40002, gets another even port.
        t.outbound(r, NatProtocol.UDP, X_HI, 99, 40002, Z, 53, 0, T0);
        assertNotEquals(40002, r.t4Port());
        assertEquals(0, r.t4Port() & 1);
        t.checkInvariants();
    }

    // ------------------------------------------------------------------ limits, §5.3

    @Test
    void sessionLimit() {
        Nat64Table t = table(Fixture.settings().maxSessions(10));
        for (int i = 0; i < 10; i++) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, i, 2000 + i, Z, 53, 0, T0));
        }
        assertEquals(NatVerdict.SESSION_LIMIT, t.outbound(r, NatProtocol.UDP, X_HI, 99, 2000, Z, 53, 0, T0));
        assertEquals(IcmpReply.V6_ADDRESS_UNREACHABLE, r.verdict().icmp());
        assertEquals(NatVerdict.SESSION_LIMIT, t.inbound(r, NatProtocol.UDP, Z2, 53, T, portOf(t, 0), 0, T0));
        assertEquals(2, r.counters().count(NatProtocol.UDP, NatVerdict.SESSION_LIMIT), "one outbound, one inbound");
        t.checkInvariants();
        // Existing sessions still work.
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, 0, 2000, Z, 53, 0, T0));
    }

    private int portOf(Nat64Table t, long lo) {
        return t.bib(NatProtocol.UDP).stream().filter(b -> b.x6().lo() == lo).findFirst().orElseThrow().t4Port();
    }

    @Test
    void subscriberLimitCountsThePrefix() {
        Nat64Table t = table(Fixture.settings().maxSessionsPerSubscriber(3).subscriberLength(64));
        for (int i = 0; i < 3; i++) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, i + 1, 2000, Z, 53, 0, T0));
        }
        assertEquals(NatVerdict.SUBSCRIBER_LIMIT, t.outbound(r, NatProtocol.TCP, X_HI, 7, 2000, Z, 80, Fixture.SYN, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI + 1, 1, 2000, Z, 53, 0, T0),
                "another /64 is another subscriber");
        t.checkInvariants();
    }

    @Test
    void bibLimitPerProtocol() {
        Nat64Table t = table(Fixture.settings().maxBib(NatProtocol.TCP, 2));
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 1, Z, 80, Fixture.SYN, T0);
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 2, Z, 80, Fixture.SYN, T0);
        assertEquals(NatVerdict.BIB_LIMIT, t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 3, Z, 80, Fixture.SYN, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 1, Z2, 80, Fixture.SYN, T0),
                "a new session on an existing BIB entry");
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 3, Z, 80, 0, T0));
        t.checkInvariants();
    }

    @Test
    void poolExhaustionIsACountedVerdict() {
        // One address, UDP ports 2000-2003 only, one shard: four BIB entries, then 1/3.
        Pool4 pool = new Pool4(List.of(Pool4.Entry.of("192.0.2.2/32", "1-65535", "2000-2003", "1-65535")));
        Nat64Table t = table(Nat64Settings.builder(pool).shards(1));
        for (int i = 0; i < 4; i++) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 3000 + i, Z, 53, 0, T0));
            assertTrue(r.t4Port() >= 2000 && r.t4Port() <= 2003);
        }
        assertEquals(NatVerdict.POOL_EXHAUSTED, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 3004, Z, 53, 0, T0));
        assertEquals(IcmpReply.V6_ADDRESS_UNREACHABLE, r.verdict().icmp());
        assertEquals(1, r.counters().count(NatVerdict.POOL_EXHAUSTED));
        t.checkInvariants();
        assertEquals(4, t.expire(at(Duration.ofMinutes(6)), 1 << 16));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 3004, Z, 53, 0, at(Duration.ofMinutes(6))));
    }

    @Test
    void oneGreedySubscriberCannotDenyUdpToOthers() {
        // RFC 6888 REQ-4 (issue 19 item 4): one pool4 address, 64 shards. The greedy subscriber
        // first takes every port of its own shard's slice of T, then ports of other slices, until
        // max-ports-per-subscriber (default 1024) refuses it, counted, with ICMPv6 1/3. 35 others,
        // five of them of the greedy's shard, all ask for ports the greedy holds: each still gets
        // its flows, those of the greedy's shard from other shards' slices.
        Nat64Table t = table(Fixture.settings());
        int g = t.subscriberShard(t.subHi(X_HI), t.subLo(X_LO));
        List<Integer> ports = new ArrayList<>();
        for (int port = 1; port < 65536; port++) {
            if (t.sliceOwner(T, port) == g) {
                ports.add(port);
            }
        }
        for (int port = 1; ports.size() < 1100; port++) {
            if (t.sliceOwner(T, port) != g) {
                ports.add(port);
            }
        }
        int held = 0;
        NatVerdict v;
        while ((v = t.outbound(r, NatProtocol.UDP, X_HI, X_LO, ports.get(held), Z, 53, 0, T0)) == NatVerdict.OK) {
            held++;
        }
        assertEquals(NatVerdict.PORT_LIMIT, v);
        assertEquals(IcmpReply.V6_ADDRESS_UNREACHABLE, v.icmp());
        assertEquals(Nat64Settings.DEFAULT_MAX_PORTS_PER_SUBSCRIBER, held);
        assertEquals(1, r.counters().count(NatProtocol.UDP, NatVerdict.PORT_LIMIT));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, ports.getFirst(), Z2, 53, 0, T0),
                "a new session on a BIB entry it holds takes no port");
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40000, Z, 80, Fixture.SYN, T0),
                "the limit is per protocol");
        List<Long> others = new ArrayList<>();
        for (long lo = 0x100; others.size() < 35; lo++) {
            boolean same = t.subscriberShard(t.subHi(X_HI), t.subLo(lo)) == g;
            if (same == others.size() < 5) {
                others.add(lo);
            }
        }
        for (long lo : others) {
            for (int f = 0; f < 32; f++) {
                assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, lo, ports.get(f), Z, 53, 0, T0),
                        "subscriber ::" + Long.toHexString(lo) + " flow " + f);
                int port = r.t4Port();
                assertEquals(T, r.t4(), "paired pooling");
                assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 53, T, port, 0, T0), "the reply");
                assertEquals(lo, r.x6Lo());
            }
        }
        assertEquals(0, r.counters().count(NatVerdict.POOL_EXHAUSTED));
        t.checkInvariants();
    }

    @Test
    void aFullSliceBorrowsFromAnotherShard() {
        // Two shards, UDP ports 2000-2063: four 16-port chunks, two per shard's slice. A subscriber
        // whose source ports lie outside the range fills its shard's slice (parity kept: 16 even,
        // 16 odd), then gets ports of the other slice as that shard's loan (RFC 6146 §3.5.1.1:
        // any free (T,t) will do); a neighbour of the same shard too; then the pool is exhausted.
        Pool4 pool = new Pool4(List.of(Pool4.Entry.of("192.0.2.2/32", "1-65535", "2000-2063", "1-65535")));
        Nat64Table t = table(Nat64Settings.builder(pool).shards(2));
        int home = t.subscriberShard(t.subHi(X_HI), t.subLo(X_LO));
        long neighbour = 0x100;
        while (t.subscriberShard(t.subHi(X_HI), t.subLo(neighbour)) != home) {
            neighbour++;
        }
        for (int i = 0; i < 32; i++) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40000 + i, Z, 53, 0, T0));
            assertEquals(home, t.sliceOwner(T, r.t4Port()), "its own slice first");
            assertEquals(i & 1, r.t4Port() & 1, "parity (RFC 4787 REQ-4)");
        }
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40032, Z, 53, 0, T0));
        int lent = r.t4Port();
        assertEquals(1 - home, t.sliceOwner(T, lent), "the other shard's slice");
        assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 53, T, lent, 0, T0), "the reply finds the borrower");
        assertEquals(X_LO, r.x6Lo());
        assertEquals(40032, r.x6Port());
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, neighbour, 40000, Z, 53, 0, T0),
                "a neighbour of the full shard is not starved");
        assertEquals(1 - home, t.sliceOwner(T, r.t4Port()));
        t.checkInvariants();
        // What is left: 16 odd ports and 14 even ones, all in the other slice.
        for (int x = 40033; x < 40064; x += 2) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, x, Z, 53, 0, T0));
        }
        for (int x = 40034; x < 40062; x += 2) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, x, Z, 53, 0, T0));
        }
        assertEquals(NatVerdict.POOL_EXHAUSTED, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40064, Z, 53, 0, T0),
                "every port of the address is held");
        assertEquals(64, t.stats().bibUdp());
        t.checkInvariants();
        // The entries expire; so do the loans, and the other shard allocates its ports itself again.
        long later = at(Duration.ofMinutes(6));
        assertEquals(64, t.expire(later, 1 << 16));
        t.checkInvariants();
        assertEquals(0, t.loans(1 - home).snapshot().length);
    }

    @Test
    void thePortLimitCountsBibEntriesPerProtocol() {
        // RFC 6888 REQ-4: (T,t) held, per protocol; sessions on held entries and other protocols
        // are not limited by it, and a port given back may be taken again.
        Nat64Table t = table(Fixture.settings().maxPortsPerSubscriber(2));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 1001, Z, 53, 0, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 1002, Z, 53, 0, at(Duration.ofMinutes(1))));
        assertEquals(NatVerdict.PORT_LIMIT, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 1003, Z, 53, 0, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 1001, Z2, 53, 0, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.ICMP, X_HI, X_LO, 7, Z, 0, 0, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X2_LO, 1003, Z, 53, 0, T0),
                "another subscriber");
        t.checkInvariants();
        // The first entry's sessions expire: its port is the subscriber's to use again.
        long later = at(Duration.ofMinutes(5).plusSeconds(30));
        t.expire(later, 1 << 16);
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 1003, Z, 53, 0, later));
        assertEquals(1, r.counters().count(NatVerdict.PORT_LIMIT));
        t.checkInvariants();
    }

    // ------------------------------------------------------------------ expiry, snapshots

    @Test
    void aHitReadsAboutOneIndexSlotAtEverySize() {
        // Open addressing at load <= 1/2 with backward-shift deletion: the probe sequences of a
        // large table that has seen churn are as short as those of a small one.
        Nat64Table t = table(Fixture.settings().maxSessions(1 << 17).maxBib(NatProtocol.UDP, 1 << 17));
        for (int i = 0; i < 1000; i++) {
            t.outbound(r, NatProtocol.UDP, X_HI, i, 5000, Z, 53, 0, T0);
        }
        LookupDepth small = t.lookupDepth();
        for (int i = 1000; i < 20_000; i++) {
            t.outbound(r, NatProtocol.UDP, X_HI, i, 5000, Z, 53, 0, at(Duration.ofMinutes(i < 10_000 ? 0 : 4)));
        }
        t.expire(at(Duration.ofMinutes(6)), 1 << 20);
        for (int i = 0; i < 10_000; i++) {
            t.outbound(r, NatProtocol.UDP, X_HI, i, 5000, Z2, 123, 0, at(Duration.ofMinutes(6)));
        }
        assertEquals(20_000, t.stats().sessions());
        LookupDepth large = t.lookupDepth();
        for (LookupDepth d : List.of(small, large)) {
            assertTrue(d.bibOutSlots() < 1.6 && d.bibInSlots() < 1.6, d.toString());
        }
        // Every BIB entry here has one session, in its own record: no session-index read.
        assertEquals(1.0, large.sessionsInBibRecord());
        t.outbound(r, NatProtocol.UDP, X_HI, 7, 5000, Z, 53, 0, at(Duration.ofMinutes(6)));
        assertTrue(t.lookupDepth().sessionSlots() >= 1, "a second session of a BIB entry is found through the index");
        t.checkInvariants();
    }

    @Test
    void expiryWorkIsBounded() {
        Nat64Table t = table(Fixture.settings().shards(4));
        for (int i = 0; i < 1000; i++) {
            t.outbound(r, NatProtocol.UDP, X_HI, i, 5000, Z, 53, 0, T0);
        }
        long later = at(Duration.ofMinutes(6));
        int first = t.expire(later, 64);
        assertTrue(first > 0 && first <= 64, "64 records examined at most: " + first);
        int total = first;
        int calls = 1;
        while (t.stats().sessions() > 0) {
            total += t.expire(later, 64);
            calls++;
        }
        assertEquals(1000, total);
        assertTrue(calls < 40, "calls " + calls);
        t.checkInvariants();
    }

    @Test
    void snapshots() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        t.outbound(r, NatProtocol.TCP, X_HI, X2_LO, 40002, Z, 80, Fixture.SYN, T0);
        assertEquals(2, t.bib(null).size());
        assertEquals(1, t.bib(NatProtocol.TCP).size());
        List<SessionEntry> s = t.sessions(NatProtocol.TCP, null, T0);
        assertEquals(1, s.size());
        assertEquals(TcpState.V6_INIT, s.get(0).state());
        assertTrue(s.get(0).expiresInMillis() >= 240_000, s.get(0).toString());
        assertEquals(1, t.sessions(null, Ipv6Prefix.parse("2001:db8::1/128"), T0).size());
        assertEquals(2, t.sessions(null, Ipv6Prefix.parse("2001:db8::/64"), T0).size());
        assertEquals(0, t.sessions(null, Ipv6Prefix.parse("2001:db9::/64"), T0).size());
        assertTrue(t.stats().heapBytes() > 0);
    }

    @Test
    void listenerSeesStartAndEnd() {
        Nat64Table t = table(Fixture.settings());
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        t.expire(at(Duration.ofMinutes(6)), 1 << 16);
        assertEquals(List.of("bib-create", "session-start", "session-end", "bib-remove"),
                rec.events.stream().map(e -> e.split(" ")[0]).toList());
        assertTrue(rec.events.get(2).endsWith("EXPIRED"));
    }

    // ------------------------------------------------------------------ settings

    @Test
    void timersWithinTheRfcBounds() {
        assertThrows(IllegalArgumentException.class, () -> Fixture.settings().udpTimeout(Duration.ofSeconds(119)).build());
        assertThrows(IllegalArgumentException.class, () -> Fixture.settings().icmpTimeout(Duration.ofSeconds(59)).build());
        assertThrows(IllegalArgumentException.class, () -> Fixture.settings().tcpEstablished(Duration.ofMinutes(119)).build());
        assertThrows(IllegalArgumentException.class, () -> Fixture.settings().tcpTransitory(Duration.ofMinutes(3)).build());
        assertThrows(IllegalArgumentException.class, () -> Fixture.settings().tcpIncomingSyn(Duration.ofSeconds(5)).build());
        assertThrows(IllegalArgumentException.class, () -> Fixture.settings().shards(3).build());
        assertEquals(Duration.ofMinutes(10), Fixture.settings().udpTimeout(Duration.ofMinutes(10)).build().udpTimeout());
    }

    @Test
    void configurableUdpTimeout() {
        Nat64Table t = table(Fixture.settings().udpTimeout(Nat64Settings.UDP_MIN));
        t.outbound(r, NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        assertEquals(1, t.expire(at(Duration.ofSeconds(121)), 1 << 16));
    }

    @Test
    void pool4Parsing() {
        assertThrows(IllegalArgumentException.class, () -> Pool4.of("192.0.2.0/24", "192.0.2.128/25"));
        assertThrows(IllegalArgumentException.class, () -> PortRange.parse("10-5"));
        assertThrows(IllegalArgumentException.class, () -> PortRange.parse("x"));
        assertEquals(new PortRange(1024, 65535), PortRange.parse("1024-65535"));
        Pool4 p = Pool4.of("192.0.2.0/30", "198.51.100.9/32");
        assertEquals(5, p.size());
        assertEquals(Ipv4Address.parse("198.51.100.9"), p.address(4));
        assertEquals(4, p.indexOf(Ipv4Address.parse("198.51.100.9")));
        assertEquals(-1, p.indexOf(Ipv4Address.parse("198.51.100.10")));
    }
}
