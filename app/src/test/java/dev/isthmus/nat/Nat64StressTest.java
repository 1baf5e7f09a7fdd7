package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Workers, a housekeeping thread and an operator share one table, as in the data plane (a flow's
 * two directions on different workers). Between rounds every thread waits at a barrier and the
 * invariants are checked: no duplicate (T,t), every BIB entry and session consistent and in the
 * right shard, counts equal to the limits' counters and within the limits. Bounded in
 * operations and in time.
 */
class Nat64StressTest {
    private static final int WORKERS = 4;
    private static final int ROUNDS = 8;
    private static final int OPS_PER_ROUND = 20_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sharedTableKeepsItsInvariants() throws Exception {
        for (Filtering f : Filtering.values()) {
            run(Nat64Settings.builder(Pool4.of("192.0.2.0/30")).filtering(f).shards(16)
                    .maxSessions(20_000).maxSessionsPerSubscriber(300).maxBib(NatProtocol.TCP, 8000)
                    .maxStoredSyns(64).build());
        }
    }

    private void run(Nat64Settings settings) throws Exception {
        Nat64Table table = new Nat64Table(settings, null);
        AtomicLong clock = new AtomicLong(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int threads = WORKERS + 2;
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier end = new CyclicBarrier(threads + 1);
        List<Thread> all = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int seed = w;
            all.add(new Thread(() -> guarded(failure, start, end, () -> work(table, clock, seed))));
        }
        // Housekeeping: the clock moves 2 s a call, expiry runs with a small budget.
        all.add(new Thread(() -> guarded(failure, start, end, () -> {
            for (int i = 0; i < 200; i++) {
                long now = clock.addAndGet(Duration.ofSeconds(2).toNanos());
                table.expire(now, 512);
            }
        })));
        // The operator adds and removes static entries while traffic flows.
        all.add(new Thread(() -> guarded(failure, start, end, () -> {
            SplittableRandom rnd = new SplittableRandom(99);
            for (int i = 0; i < 200; i++) {
                int t4 = Ipv4Address.parse("192.0.2.0") + rnd.nextInt(4);
                int port = 1 + rnd.nextInt(65535);
                NatProtocol p = NatProtocol.of(rnd.nextInt(3));
                if (table.addStatic(p, Fixture.X_HI, 1_000_000 + rnd.nextInt(50), 7000 + rnd.nextInt(50), t4, port)
                        == Nat64Table.StaticResult.ADDED && rnd.nextBoolean()) {
                    table.removeStatic(p, t4, port);
                }
            }
        })));
        all.forEach(Thread::start);
        for (int round = 0; round < ROUNDS; round++) {
            start.await(60, TimeUnit.SECONDS);
            end.await(60, TimeUnit.SECONDS);
            if (failure.get() != null) {
                break;
            }
            table.checkInvariants();
            TableStats s = table.stats();
            assertTrue(s.sessions() <= settings.maxSessions());
        }
        for (Thread t : all) {
            t.join(10_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("a thread failed", failure.get());
        }
        table.checkInvariants();
        assertTrue(table.stats().sessionsCreated() > 1000, "the run did something");
    }

    private static void guarded(AtomicReference<Throwable> failure, CyclicBarrier start, CyclicBarrier end,
            Runnable round) {
        try {
            for (int r = 0; r < ROUNDS; r++) {
                start.await(60, TimeUnit.SECONDS);
                try {
                    if (failure.get() == null) {
                        round.run();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                end.await(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    /** One round of one worker: flows of a few hundred subscribers, both directions. */
    private static void work(Nat64Table table, AtomicLong clock, int seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 7919L + clock.get());
        NatResult r = new NatResult();
        NatResult back = new NatResult();
        for (int i = 0; i < OPS_PER_ROUND; i++) {
            long now = clock.get();
            NatProtocol p = NatProtocol.of(rnd.nextInt(3));
            long lo = rnd.nextInt(400);
            int x = 1000 + rnd.nextInt(200);
            int z4 = Ipv4Address.parse("198.51.100.0") + rnd.nextInt(8);
            int z = 80 + rnd.nextInt(4);
            int flags = p == NatProtocol.TCP ? (rnd.nextInt(4) == 0 ? Fixture.ACK : Fixture.SYN) : 0;
            NatVerdict v = table.outbound(r, p, Fixture.X_HI, lo, x, z4, z, flags, now);
            if (v != NatVerdict.OK) {
                continue;
            }
            // The other direction, as another worker would see it: the same mapping back.
            int zz = p == NatProtocol.ICMP ? 0 : z;
            NatVerdict b = table.inbound(back, p, z4, zz, r.t4(), r.t4Port(),
                    p == NatProtocol.TCP ? (Fixture.SYN | Fixture.ACK) : 0, now);
            if (b == NatVerdict.OK && (back.x6Lo() != lo || back.x6Port() != x)) {
                // (T,t) may serve another subscriber only once this flow's session could have
                // expired and its BIB entry been freed: the housekeeping clock runs ahead fast.
                long elapsed = clock.get() - now;
                assertTrue(elapsed >= Nat64Settings.ICMP_DEFAULT.toNanos(),
                        "(T,t) reused after " + elapsed + " ns: " + lo + " became " + back.x6Lo());
            } else if (b != NatVerdict.OK) {
                // Only limits (or a concurrent expiry of a stateless TCP mapping) may refuse it.
                assertTrue(b == NatVerdict.SESSION_LIMIT || b == NatVerdict.SUBSCRIBER_LIMIT
                        || b == NatVerdict.NO_BIB || b == NatVerdict.SYN_STORED || b == NatVerdict.FILTERED
                        || b == NatVerdict.STORED_SYN_LIMIT || b == NatVerdict.NO_SESSION, b.toString());
            }
            if (rnd.nextInt(16) == 0) {
                // Unsolicited IPv4 traffic to a random (T,t).
                table.inbound(back, p, z4, z, Ipv4Address.parse("192.0.2.0") + rnd.nextInt(4), rnd.nextInt(65536),
                        p == NatProtocol.TCP ? Fixture.SYN : 0, now);
            }
        }
    }
}
