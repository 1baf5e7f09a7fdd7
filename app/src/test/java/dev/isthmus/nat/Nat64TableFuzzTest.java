package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;

/**
 * Random sequences of operations (packets both ways, ICMP-error lookups, static entries, expiry
 * with a clock that jumps) against a small table whose pool and limits run out: no exception, no
 * verdict outside those the operation may give, and every invariant after every operation.
 */
class Nat64TableFuzzTest {
    private static final int T_BASE = Ipv4Address.parse("192.0.2.0");
    private static final int Z_BASE = Ipv4Address.parse("198.51.100.0");

    @FuzzTest(maxDuration = "30s")
    void operationsKeepTheInvariants(FuzzedDataProvider data) {
        Nat64Settings.Builder b = Nat64Settings.builder(new Pool4(java.util.List.of(
                        Pool4.Entry.of("192.0.2.0/31", "1000-1040", "1000-1063", "1-20"))))
                .filtering(data.consumeBoolean() ? Filtering.ADDRESS_DEPENDENT : Filtering.ENDPOINT_INDEPENDENT)
                .shards(1 << data.consumeInt(0, 3))
                .maxSessions(data.consumeInt(1, 64))
                .maxSessionsPerSubscriber(data.consumeInt(1, 16))
                // Derived, not consumed, so that the stored inputs keep their meaning.
                .maxPortsPerSubscriber(Math.max(1, data.remainingBytes() % 12))
                .maxBib(NatProtocol.TCP, data.consumeInt(1, 40))
                .maxStoredSyns(data.consumeInt(0, 8))
                .subscriberLength(data.consumeBoolean() ? 128 : 120)
                .probeEstablished(data.consumeBoolean());
        if (data.consumeBoolean()) {
            b.portBlocks(new PortBlocks(Ipv6Prefix.parse("2001:db8::/124"), 128, 16, 1024));
        }
        Nat64Table table = new Nat64Table(b.build(), null);
        NatResult r = new NatResult();
        long now = data.consumeLong();
        int ops = data.consumeInt(0, 200);
        for (int i = 0; i < ops && data.remainingBytes() > 0; i++) {
            NatProtocol p = NatProtocol.of(data.consumeInt(0, 2));
            long lo = data.consumeInt(0, 20);
            int x = data.consumeInt(0, 40) + 1000;
            int z4 = Z_BASE + data.consumeInt(0, 3);
            int z = data.consumeInt(0, 3);
            int t4 = T_BASE + data.consumeInt(0, 2);
            int t = 990 + data.consumeInt(0, 80);
            int flags = data.consumeInt(0, 0x3f);
            switch (data.consumeInt(0, 7)) {
                case 0, 1 -> {
                    NatVerdict v = table.outbound(r, p, Fixture.X_HI, lo, x, z4, z, flags, now);
                    if (v == NatVerdict.OK) {
                        assertTrue(table.settings().pool4().contains(r.t4()));
                        assertEquals(NatVerdict.OK, table.findOutbound(new NatResult(), p, Fixture.X_HI, lo, x, z4, z));
                    }
                }
                case 2, 3 -> {
                    NatVerdict v = table.inbound(r, p, z4, z, t4, t, flags, now);
                    if (v == NatVerdict.OK) {
                        assertEquals(Fixture.X_HI, r.x6Hi());
                    }
                }
                case 4 -> table.findInbound(r, p, z4, z, t4, t);
                case 5 -> table.addStatic(p, Fixture.X_HI, lo, x, t4, t);
                case 6 -> table.removeStatic(p, t4, t);
                default -> {
                    now += data.consumeLong(0, 3 * 3_600_000_000_000L);
                    table.expire(now, data.consumeInt(0, 100));
                }
            }
            table.checkInvariants();
        }
    }
}
