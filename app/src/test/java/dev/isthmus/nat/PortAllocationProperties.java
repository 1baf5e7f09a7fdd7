package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.T0;
import static dev.isthmus.nat.Fixture.Z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * RFC 6146 §3.5.1.1 and RFC 4787 §4.1 as properties of the allocator: (T,t) unique (REQ-3,
 * MUST), the range kept (REQ-3a) and the UDP parity kept (REQ-4) while there is room, T paired
 * (REQ-2, before the range when the range is full), the port inside the protocol's configured
 * range, the port itself kept whenever it is free (RFC 6146 §3.5.1.1), whichever shard's slice
 * holds it.
 */
class PortAllocationProperties {
    private static final long HI = Fixture.X_HI;

    @Property(tries = 60)
    void uniqueParityAndRangeKept(@ForAll @Size(min = 1, max = 300) List<@IntRange(min = 1, max = 65535) Integer> ports,
            @ForAll @IntRange(min = 0, max = 6) int shardBits, @ForAll @IntRange(min = 1, max = 8) int subscribers) {
        Nat64Table t = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.0/30"))
                .shards(1 << shardBits).build(), null);
        NatResult r = new NatResult();
        Set<Long> seen = new HashSet<>();
        int[] pairedT = new int[subscribers];
        for (int i = 0; i < ports.size(); i++) {
            int x = ports.get(i);
            int sub = i % subscribers;
            NatProtocol p = (i & 1) == 0 ? NatProtocol.UDP : NatProtocol.TCP;
            NatVerdict v = t.outbound(r, p, HI, sub + 1, x, Z, 53, p == NatProtocol.TCP ? Fixture.SYN : 0, T0);
            assertEquals(NatVerdict.OK, v);
            if (!r.bibCreated()) {
                continue; // the same (X',x) again: endpoint-independent mapping reused it
            }
            int port = r.t4Port();
            boolean xWasFree = !seen.contains((long) p.ordinal() << 48 | (r.t4() & 0xffff_ffffL) << 16 | x);
            assertTrue(seen.add((long) p.ordinal() << 48 | (r.t4() & 0xffff_ffffL) << 16 | port),
                    "duplicate (T,t) " + port);
            assertEquals(xWasFree, port == x, "x kept exactly when free at T: x=" + x + " t=" + port);
            assertTrue(port >= 1 && port <= 65535);
            // The high range always has room here; the well-known range (16 ports per shard and
            // address) only with one shard.
            if (x >= 1024 || shardBits == 0) {
                assertEquals(x < 1024, port < 1024, "range kept: x=" + x + " t=" + port);
            }
            if (p == NatProtocol.UDP) {
                assertEquals(x & 1, port & 1, "parity kept: x=" + x + " t=" + port);
            }
            if (pairedT[sub] == 0) {
                pairedT[sub] = r.t4();
            }
            assertEquals(pairedT[sub], r.t4(), "paired pooling");
        }
        t.checkInvariants();
    }

    @Property(tries = 60)
    void thePortItselfIsKeptWhenFreeAtAnyShardCount(@ForAll @IntRange(min = 1, max = 65535) int x,
            @ForAll @IntRange(min = 0, max = 6) int shardBits, @ForAll NatProtocol p) {
        Nat64Table t = new Nat64Table(Fixture.settings().shards(1 << shardBits).build(), null);
        NatResult r = new NatResult();
        int flags = p == NatProtocol.TCP ? Fixture.SYN : 0;
        assertEquals(NatVerdict.OK, t.outbound(r, p, HI, 1, x, Z, 53, flags, T0));
        assertEquals(x, r.t4Port());
        assertEquals(NatVerdict.OK, t.inbound(r, p, Z, 53, r.t4(), x, p == NatProtocol.TCP ? Fixture.SYN | 0x10 : 0, T0));
        assertEquals(1, r.x6Lo(), "the reply reaches the client that kept the port");
        // A second subscriber wanting the same port gets another instead: of the same range for
        // TCP and UDP (0-1023 has 16 ports per shard, enough here), and the same parity for UDP.
        assertEquals(NatVerdict.OK, t.outbound(r, p, HI, 2, x, Z, 53, flags, T0));
        assertNotEquals(x, r.t4Port());
        if (p != NatProtocol.ICMP) {
            assertEquals(x < 1024, r.t4Port() < 1024, "range kept: " + r.t4Port());
        }
        if (p == NatProtocol.UDP) {
            assertEquals(x & 1, r.t4Port() & 1, "parity kept");
        }
        t.checkInvariants();
    }

    @Property(tries = 30)
    void staysInTheConfiguredRangeUntilExhausted(@ForAll @IntRange(min = 1024, max = 60000) int first,
            @ForAll @IntRange(min = 1, max = 64) int size) {
        int last = first + size - 1;
        Pool4 pool = new Pool4(List.of(Pool4.Entry.of("192.0.2.2/32", first + "-" + last, "1-65535", null)));
        Nat64Table t = new Nat64Table(Nat64Settings.builder(pool).shards(1).build(), null);
        NatResult r = new NatResult();
        int ok = 0;
        for (int i = 0; i < size + 5; i++) {
            NatVerdict v = t.outbound(r, NatProtocol.TCP, HI, 1, 2000 + i, Z, 80, Fixture.SYN, T0);
            if (v == NatVerdict.OK) {
                ok++;
                assertTrue(r.t4Port() >= first && r.t4Port() <= last);
            } else {
                assertEquals(NatVerdict.POOL_EXHAUSTED, v);
            }
        }
        assertEquals(size, ok, "every port of the range used, then exhausted");
        assertEquals(NatVerdict.POOL_EXHAUSTED, t.outbound(r, NatProtocol.ICMP, HI, 1, 1, Z, 0, 0, T0),
                "ICMP is not served by this pool4 entry");
        t.checkInvariants();
    }
}
