package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.T0;
import static dev.isthmus.nat.Fixture.Z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Deterministic port blocks (RFC 7422 §2): forward and reverse from the configuration alone. */
class PortBlocksTest {
    /** 2001:db8:100::/40 cut into /48 subscribers: 256 of them, 2048 ports each (31 blocks an address), on 192.0.2.0/28. */
    private static final PortBlocks BLOCKS = new PortBlocks(Ipv6Prefix.parse("2001:db8:100::/40"), 48, 2048, 1024);
    private static final Pool4 POOL = Pool4.of("192.0.2.0/28");

    @Test
    void forwardMapping() {
        Ipv6Address a = Ipv6Address.parse("2001:db8:105:1::9");
        int i = BLOCKS.subscriberIndex(a.hi(), a.lo());
        assertEquals(5, i);
        assertEquals(Ipv4Address.parse("192.0.2.5"), POOL.address(BLOCKS.addressIndex(POOL, i)));
        assertEquals(1024, BLOCKS.blockStart(POOL, i));
        int j = BLOCKS.subscriberIndex(Ipv6Address.parse("2001:db8:115::").hi(), 0);
        assertEquals(21, j);
        assertEquals(Ipv4Address.parse("192.0.2.5"), POOL.address(BLOCKS.addressIndex(POOL, j)));
        assertEquals(1024 + 2048, BLOCKS.blockStart(POOL, j));
        assertEquals(-1, BLOCKS.subscriberIndex(Ipv6Address.parse("2001:db9::").hi(), 0));
    }

    @Property(tries = 200)
    void reverseUndoesForward(@ForAll @IntRange(min = 0, max = 255) int i, @ForAll @IntRange(min = 0, max = 2047) int offset) {
        int t4 = POOL.address(BLOCKS.addressIndex(POOL, i));
        int port = BLOCKS.blockStart(POOL, i) + offset;
        assertEquals(i, BLOCKS.subscriberOf(POOL, t4, port));
        assertEquals(i, BLOCKS.subscriberIndex(BLOCKS.subscriberHi(i), BLOCKS.subscriberLo(i)));
    }

    @Test
    void poolTooSmallIsRefused() {
        PortBlocks big = new PortBlocks(Ipv6Prefix.parse("2001:db8::/32"), 48, 2048, 1024);
        assertThrows(IllegalArgumentException.class,
                () -> Nat64Settings.builder(POOL).portBlocks(big).build());
        assertThrows(IllegalArgumentException.class, () -> new PortBlocks(Ipv6Prefix.parse("2001:db8::/32"), 48, 1000, 1024));
    }

    @Test
    void tableAllocatesInsideTheBlock() {
        Nat64Table t = new Nat64Table(Nat64Settings.builder(POOL).portBlocks(BLOCKS).build(), null);
        NatResult r = new NatResult();
        Ipv6Address a = Ipv6Address.parse("2001:db8:115:7::1");
        for (int x = 40000; x < 40100; x++) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, a.hi(), a.lo(), x, Z, 53, 0, T0));
            assertEquals(Ipv4Address.parse("192.0.2.5"), r.t4());
            assertTrue(r.t4Port() >= 3072 && r.t4Port() < 3072 + 2048, "in the block: " + r.t4Port());
            assertEquals(x & 1, r.t4Port() & 1);
            assertEquals(21, BLOCKS.subscriberOf(POOL, r.t4(), r.t4Port()), "the log can be reversed");
            assertEquals(NatVerdict.OK, t.inbound(r, NatProtocol.UDP, Z, 53, r.t4(), r.t4Port(), 0, T0));
            assertEquals(x, r.x6Port());
        }
        assertEquals(NatVerdict.NOT_A_SUBSCRIBER,
                t.outbound(r, NatProtocol.UDP, Ipv6Address.parse("2001:db8:200::1").hi(), 1, 1, Z, 53, 0, T0));
        t.checkInvariants();
    }

    @Test
    void aPortInsideTheBlockIsKept() {
        // Blocks from 1026 are not aligned to their size: subscriber 21 has 3074-5121 on 192.0.2.5.
        PortBlocks shifted = new PortBlocks(Ipv6Prefix.parse("2001:db8:100::/40"), 48, 2048, 1026);
        Nat64Table t = new Nat64Table(Nat64Settings.builder(POOL).portBlocks(shifted).build(), null);
        NatResult r = new NatResult();
        Ipv6Address a = Ipv6Address.parse("2001:db8:115:7::1");
        Ipv6Address b = Ipv6Address.parse("2001:db8:115:8::1");
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, a.hi(), a.lo(), 4000, Z, 53, 0, T0));
        assertEquals(4000, r.t4Port(), "inside the block and free: kept");
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, b.hi(), b.lo(), 4000, Z, 53, 0, T0));
        assertTrue(r.t4Port() != 4000 && r.t4Port() >= 3074 && r.t4Port() <= 5121 && (r.t4Port() & 1) == 0,
                "taken: another even port of the block, " + r.t4Port());
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, a.hi(), a.lo(), 40001, Z, 53, 0, T0));
        assertTrue(r.t4Port() >= 3074 && r.t4Port() <= 5121 && (r.t4Port() & 1) == 1,
                "outside the block: an odd port of the block, " + r.t4Port());
        t.checkInvariants();
    }

    @Test
    void aFullBlockIsExhaustedWithoutTouchingOthers() {
        PortBlocks small = new PortBlocks(Ipv6Prefix.parse("2001:db8:100::/40"), 48, 16, 1024);
        Nat64Table t = new Nat64Table(Nat64Settings.builder(POOL).portBlocks(small).build(), null);
        NatResult r = new NatResult();
        long hi = Ipv6Address.parse("2001:db8:101::").hi();
        for (int x = 0; x < 16; x++) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.TCP, hi, 1, 5000 + x, Z, 80, Fixture.SYN, T0));
        }
        assertEquals(NatVerdict.POOL_EXHAUSTED, t.outbound(r, NatProtocol.TCP, hi, 1, 6000, Z, 80, Fixture.SYN, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.TCP, hi + (1L << 16), 1, 6000, Z, 80, Fixture.SYN, T0));
        t.checkInvariants();
    }

    @Test
    void aPortLimitBelowTheBlockSizeRefusesFirst() {
        // RFC 6888 REQ-4 composes with RFC 7422 blocks: a subscriber holds at most the smaller of
        // max-ports-per-subscriber and its block; the limit counts per protocol.
        PortBlocks small = new PortBlocks(Ipv6Prefix.parse("2001:db8:100::/40"), 48, 16, 1024);
        Nat64Table t = new Nat64Table(Nat64Settings.builder(POOL).portBlocks(small).maxPortsPerSubscriber(4).build(),
                null);
        NatResult r = new NatResult();
        long hi = Ipv6Address.parse("2001:db8:101::").hi();
        for (int x = 0; x < 4; x++) {
            assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.TCP, hi, 1, 5000 + x, Z, 80, Fixture.SYN, T0));
        }
        assertEquals(NatVerdict.PORT_LIMIT, t.outbound(r, NatProtocol.TCP, hi, 1, 6000, Z, 80, Fixture.SYN, T0));
        assertEquals(NatVerdict.OK, t.outbound(r, NatProtocol.UDP, hi, 1, 6000, Z, 53, 0, T0));
        assertEquals(small.subscriberIndex(hi, 1), small.subscriberOf(POOL, r.t4(), r.t4Port()), "from its block");
        t.checkInvariants();
    }
}
