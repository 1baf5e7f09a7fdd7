package dev.isthmus.nat.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.DynamicBindings;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The paper's three phases (bind, look up, unbind) with a clock the test turns by hand. */
class DynamicPoolTest {
    private static final long HOUR = 3_600_000;
    private static final Ipv6Address A = Ipv6Address.parse("2001:db8:1::a");
    private static final Ipv6Address B = Ipv6Address.parse("2001:db8:1::b");
    private static final Ipv6Address C = Ipv6Address.parse("2001:db8:1::c");

    private final AtomicLong clock = new AtomicLong(1_764_000_000_000L);

    private DynamicPool pool(String prefix) {
        return new DynamicPool(Ipv4Prefix.parse(prefix), 2 * HOUR, clock::get);
    }

    private static int v4(String s) {
        return Ipv4Address.parse(s);
    }

    @Test
    void bindLookUpUnbind() {
        DynamicPool p = pool("192.0.2.128/30");
        // Phase 1: the first packet from A binds it.
        assertEquals(DynamicBindings.NONE, p.find64(A.hi(), A.lo()));
        long a = p.bind64(A.hi(), A.lo());
        assertEquals(Integer.toUnsignedLong(v4("192.0.2.128")), a);
        assertEquals(1, p.dynamicBindings());
        assertEquals(1, p.created());
        // Phase 2: look-ups both ways find the same pair; a second bind is the same binding.
        assertEquals(a, p.find64(A.hi(), A.lo()));
        assertEquals(a, p.bind64(A.hi(), A.lo()));
        long[] six = new long[2];
        assertTrue(p.find46((int) a, six));
        assertArrayEquals(new long[] {A.hi(), A.lo()}, six);
        assertFalse(p.find46(v4("192.0.2.129"), six), "an address not handed out has no binding");
        assertFalse(p.find46(v4("192.0.2.200"), six), "outside the pool");
        assertTrue(p.inPool(v4("192.0.2.131")));
        assertFalse(p.inPool(v4("192.0.2.132")));
        assertFalse(p.inPool(v4("192.0.2.127")));
        // Phase 3: released only after the idle timeout.
        clock.addAndGet(2 * HOUR - 1);
        assertEquals(0, p.expire(p.tick()));
        clock.addAndGet(1);
        assertEquals(1, p.expire(p.tick()));
        assertEquals(DynamicBindings.NONE, p.find64(A.hi(), A.lo()));
        assertFalse(p.find46((int) a, six));
        assertEquals(0, p.dynamicBindings());
        assertEquals(1, p.released());
        assertEquals(4, p.freeAddresses());
    }

    @Test
    void lookUpsKeepABindingAlive() {
        DynamicPool p = pool("192.0.2.128/30");
        long a = p.bind64(A.hi(), A.lo());
        long[] six = new long[2];
        for (int i = 0; i < 5; i++) {
            clock.addAndGet(HOUR);
            p.tick();
            // Each direction refreshes: 6→4 and 4→6 alternately.
            if (i % 2 == 0) {
                assertEquals(a, p.find64(A.hi(), A.lo()));
            } else {
                assertTrue(p.find46((int) a, six));
            }
            assertEquals(0, p.expire(clock.get()), "used an hour ago at most");
        }
        clock.addAndGet(2 * HOUR);
        assertEquals(1, p.expire(p.tick()));
    }

    @Test
    void aReleasedAddressRestsWhileOthersAreFree() {
        DynamicPool p = pool("192.0.2.128/30");
        long a = p.bind64(A.hi(), A.lo());
        clock.addAndGet(3 * HOUR);
        p.expire(p.tick());
        long b = p.bind64(B.hi(), B.lo());
        assertNotEquals(a, b, "round robin: B does not get A's address at once");
        long c = p.bind64(C.hi(), C.lo());
        assertEquals(3, new HashSet<>(List.of(a, b, c)).size());
    }

    @Test
    void exhaustionRefusesNewSourcesAndCountsThem() {
        DynamicPool p = pool("192.0.2.128/31");
        long a = p.bind64(A.hi(), A.lo());
        long b = p.bind64(B.hi(), B.lo());
        assertNotEquals(DynamicBindings.NONE, a);
        assertNotEquals(DynamicBindings.NONE, b);
        assertEquals(DynamicBindings.NONE, p.bind64(C.hi(), C.lo()));
        assertEquals(DynamicBindings.NONE, p.bind64(C.hi(), C.lo()));
        assertEquals(2, p.exhausted());
        // Existing bindings still work when the pool is full.
        assertEquals(a, p.bind64(A.hi(), A.lo()));
        // Once one expires, the new source gets its address.
        clock.addAndGet(HOUR);
        p.tick();
        p.find64(B.hi(), B.lo());
        clock.addAndGet(HOUR + 1);
        assertEquals(1, p.expire(p.tick()));
        assertEquals(a, p.bind64(C.hi(), C.lo()));
    }

    @Test
    void staticBindingsNeverExpireAndTakeTheirAddress() {
        DynamicPool p = pool("192.0.2.128/30");
        assertNull(p.addStatic(A, v4("192.0.2.128"), true));
        assertNull(p.addStatic(B, v4("192.0.2.129"), false));
        assertEquals(2, p.staticBindings());
        long c = p.bind64(C.hi(), C.lo());
        assertEquals(Integer.toUnsignedLong(v4("192.0.2.130")), c, "dynamic bindings skip static addresses");
        clock.addAndGet(100 * HOUR);
        assertEquals(1, p.expire(p.tick()));
        assertEquals(Integer.toUnsignedLong(v4("192.0.2.128")), p.find64(A.hi(), A.lo()));
        assertEquals(Integer.toUnsignedLong(v4("192.0.2.129")), p.find64(B.hi(), B.lo()));
    }

    @Test
    void staticBindingConflictsAreRefused() {
        DynamicPool p = pool("192.0.2.128/30");
        long a = p.bind64(A.hi(), A.lo());
        assertNotNull(p.addStatic(B, (int) a, false), "the address is taken by A's dynamic binding");
        assertNotNull(p.addStatic(A, v4("192.0.2.131"), false), "A is bound elsewhere already");
        assertNotNull(p.addStatic(B, v4("198.51.100.1"), false), "outside the pool");
        // The same pair turns the dynamic binding static: it no longer expires.
        assertNull(p.addStatic(A, (int) a, false));
        assertEquals(0, p.dynamicBindings());
        clock.addAndGet(100 * HOUR);
        assertEquals(0, p.expire(p.tick()));
    }

    @Test
    void removingAStaticBindingKeepsTheOthers() {
        DynamicPool p = pool("192.0.2.128/29");
        long a = p.bind64(A.hi(), A.lo());
        assertNull(p.addStatic(B, v4("192.0.2.133"), false));
        assertNull(p.addStatic(C, v4("192.0.2.134"), true));
        assertNotNull(p.removeStatic((int) a), "a dynamic binding is not removed by hand");
        assertNotNull(p.removeStatic(v4("192.0.2.134")), "a config binding is removed in the config");
        assertNotNull(p.removeStatic(v4("192.0.2.135")), "no binding");
        assertNull(p.removeStatic(v4("192.0.2.133")));
        assertEquals(DynamicBindings.NONE, p.find64(B.hi(), B.lo()));
        assertEquals(a, p.find64(A.hi(), A.lo()));
        assertEquals(Integer.toUnsignedLong(v4("192.0.2.134")), p.find64(C.hi(), C.lo()));
        assertEquals(2, p.bindings().size());
    }

    @Test
    void manyBindAndReleaseRoundsKeepTheIndexConsistent() {
        // Tombstones pile up and the index is rebuilt; every look-up must stay right.
        DynamicPool p = pool("192.0.2.0/28");
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 16; i++) {
                long a = p.bind64(0x2001_0db8_0000_0000L | round, i);
                assertNotEquals(DynamicBindings.NONE, a);
            }
            assertEquals(DynamicBindings.NONE, p.bind64(0x2001_0db8_ffff_0000L, round));
            for (int i = 0; i < 16; i++) {
                long[] six = new long[2];
                long a = p.find64(0x2001_0db8_0000_0000L | round, i);
                assertTrue(p.find46((int) a, six));
                assertEquals(i, six[1]);
            }
            clock.addAndGet(3 * HOUR);
            assertEquals(16, p.expire(p.tick()));
        }
    }

    @Test
    void bindingsAreNeverHandedOutTwiceUnderConcurrentBinds() throws InterruptedException {
        DynamicPool p = pool("192.0.2.0/24");
        int threads = 4;
        int perThread = 200;
        ConcurrentHashMap<Long, Long> owner = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        Set<String> failures = ConcurrentHashMap.newKeySet();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                // Every thread asks for the same sources: each must get one address, the same for all.
                for (int i = 0; i < perThread; i++) {
                    long a = p.bind64(0x2001_0db8_0000_0000L, i);
                    Long prev = owner.putIfAbsent(a, (long) i);
                    if (a == DynamicBindings.NONE || prev != null && prev != i) {
                        failures.add("source " + i + " got " + a + " owned by " + prev);
                    }
                }
            });
            ts[t].start();
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(Set.of(), failures);
        assertEquals(perThread, owner.size());
        assertEquals(perThread, p.dynamicBindings());
    }
}
