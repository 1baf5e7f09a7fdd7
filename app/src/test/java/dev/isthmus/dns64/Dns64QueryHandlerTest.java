package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.HexText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;

/** The query path around the algorithm: what is refused, dropped, cached, truncated, and counted. */
class Dns64QueryHandlerTest {
    private static final String SOA = "test. 3600 IN SOA ns.test. host.test. 1 3600 600 86400 60";

    private final Dns64Fixture f = new Dns64Fixture();

    @Test
    void aClientOutsideAllowIsRefused() {
        // An open resolver is a reflection amplifier (RFC 5358).
        f.upstream.on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        Message m = Dns64Fixture.parse(f.handler.handle(Dns64Fixture.query("a.test A", true, false, false, 9),
                Dns64Fixture.STRANGER, false));
        assertEquals(Rcode.REFUSED, m.getRcode());
        assertEquals(9, m.getHeader().getID());
        assertEquals(List.of(), f.upstream.asked);
        assertEquals(1, f.counters.get(Dns64Counter.REFUSED_CLIENT));
    }

    @Test
    void garbageAfterAHeaderIsFormerrWithTheQueryId() {
        byte[] q = HexText.hex("""
                abcd 0100   # ID, RD
                0001 0000   # QDCOUNT 1, ANCOUNT 0
                0000 0000   # NSCOUNT, ARCOUNT
                3f61 6263   # a label of 63 bytes that the datagram does not hold
                """);
        Message m = Dns64Fixture.parse(f.handler.handle(q, Dns64Fixture.CLIENT, false));
        assertEquals(Rcode.FORMERR, m.getRcode());
        assertEquals(0xabcd, m.getHeader().getID());
        assertEquals(1, f.counters.get(Dns64Counter.FORMERR));
    }

    @Test
    void lessThanAHeaderIsDroppedAndCounted() {
        assertNull(f.handler.handle(new byte[] {1, 2, 3}, Dns64Fixture.CLIENT, false));
        assertEquals(1, f.counters.get(Dns64Counter.DROPPED_MALFORMED));
    }

    @Test
    void aResponseIsNeverAnswered() {
        byte[] q = Dns64Fixture.query("a.test A", false, false, false, 1);
        q[2] |= (byte) 0x80;
        assertNull(f.handler.handle(q, Dns64Fixture.CLIENT, false));
        assertEquals(1, f.counters.get(Dns64Counter.DROPPED_RESPONSE));
    }

    @Test
    void anotherOpcodeIsNotimp() {
        byte[] q = Dns64Fixture.query("a.test A", false, false, false, 1);
        q[2] |= (byte) (4 << 3); // NOTIFY
        assertEquals(Rcode.NOTIMP, Dns64Fixture.parse(f.handler.handle(q, Dns64Fixture.CLIENT, false)).getRcode());
    }

    @Test
    void zoneTransfersAreNotimp() {
        assertEquals(Rcode.NOTIMP, f.ask("test AXFR").getRcode());
    }

    @Test
    void anEdnsVersionOtherThanZeroIsBadvers() {
        // RFC 6891 §6.1.3: rcode 16 = OPT extended rcode 1, header rcode 0.
        Message q = Dns64Fixture.parse(Dns64Fixture.query("a.test A", false, false, false, 1));
        q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 1, 0), org.xbill.DNS.Section.ADDITIONAL);
        Message m = Dns64Fixture.parse(f.handler.handle(q.toWire(), Dns64Fixture.CLIENT, false));
        assertEquals(Rcode.BADVERS, m.getRcode());
    }

    @Test
    void aSecondQueryIsAnsweredFromTheCacheWithTtlsCountingDown() {
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA).on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        f.ask("a.test AAAA");
        f.nanos.addAndGet(10_000_000_000L);
        Message m = f.ask("a.test AAAA");
        assertEquals(List.of("a.test. 50 IN AAAA 2001:db8:64::c000:201"), Dns64Fixture.answer(m));
        assertEquals(2, f.upstream.asked.size());
        assertEquals(1, f.counters.get(Dns64Counter.CACHE_HITS));
    }

    @Test
    void anExpiredAnswerIsAskedForAgain() {
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA).on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        f.ask("a.test AAAA");
        f.nanos.addAndGet(61_000_000_000L);
        f.ask("a.test AAAA");
        assertEquals(4, f.upstream.asked.size());
    }

    @Test
    void theCachedAnswerCarriesEachClientsIdAndLetterCase() {
        // RFC 1035 §7.3: the question comes back as asked (resolvers randomize the case, "0x20").
        f.upstream.on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        f.ask("a.test A");
        byte[] q = Dns64Fixture.query("A.TeSt A", true, false, false, 0x4242);
        Message m = Dns64Fixture.parse(f.handler.handle(q, Dns64Fixture.CLIENT, false));
        assertEquals(0x4242, m.getHeader().getID());
        assertEquals("A.TeSt.", m.getQuestion().getName().toString());
        assertEquals(1, f.counters.get(Dns64Counter.CACHE_HITS));
    }

    @Test
    void servfailIsNotCached() {
        f.ask("gone.test A");
        f.ask("gone.test A");
        assertEquals(2, f.upstream.asked.size());
    }

    @Test
    void anAnswerTooLargeForAClassicUdpClientIsTruncated() {
        // RFC 1035 §4.2.1: 512 bytes without EDNS0; TC tells the client to ask over TCP.
        List<String> records = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            records.add("big.test. 300 IN A 192.0.2." + i);
        }
        records.add("--");
        records.add(SOA);
        f.upstream.on("big.test AAAA", Rcode.NOERROR, "--", SOA).on("big.test A", Rcode.NOERROR, records.toArray(String[]::new));
        Message udp = f.ask("big.test AAAA", false, false, false);
        assertTrue(udp.getHeader().getFlag(Flags.TC));
        assertTrue(udp.toWire().length <= 512);
        Message tcp = Dns64Fixture.parse(f.handler.handle(Dns64Fixture.query("big.test AAAA", false, false, false, 5),
                Dns64Fixture.CLIENT, true));
        assertFalse(tcp.getHeader().getFlag(Flags.TC));
        assertEquals(40, Dns64Fixture.answer(tcp).size());
        assertEquals(1, f.counters.get(Dns64Counter.TRUNCATED));
    }

    @Test
    void identicalQueriesInFlightAreResolvedOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        Upstream slow = (Name name, int type, int dclass, boolean cd, boolean dok) -> {
            asked.add(name + " " + type);
            return CompletableFuture.supplyAsync(() -> {
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return f.upstream.answer(name, type);
            }, Thread::startVirtualThread);
        };
        f.upstream.on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        Dns64Settings s = Dns64Fixture.settings(List.of("2001:db8:64::/96"), 0);
        QueryHandler h = new QueryHandler(s, new Dns64Resolver(slow, new Synthesis(s, f.counters), f.counters),
                f.counters, System::nanoTime);
        byte[][] answers = new byte[3][];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            threads.add(Thread.startVirtualThread(() -> answers[n] = h.handle(
                    Dns64Fixture.query("a.test A", true, false, false, n), Dns64Fixture.CLIENT, false)));
        }
        while (f.counters.get(Dns64Counter.COALESCED) < 2) {
            Thread.sleep(5);
        }
        release.countDown();
        for (Thread t : threads) {
            t.join(5000);
        }
        assertEquals(1, asked.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("a.test. 300 IN A 192.0.2.1"), Dns64Fixture.answer(Dns64Fixture.parse(answers[i])));
            assertEquals(i, Dns64Fixture.parse(answers[i]).getHeader().getID());
        }
    }

    @Test
    void theRateLimitDropsTheQueriesAboveIt() {
        Dns64Fixture limited = new Dns64Fixture(Dns64Fixture.settings(List.of("2001:db8:64::/96"), 2));
        limited.upstream.on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        byte[] q = Dns64Fixture.query("a.test A", false, false, false, 1);
        int answered = 0;
        for (int i = 0; i < 5; i++) {
            answered += limited.handler.handle(q, Dns64Fixture.CLIENT, false) != null ? 1 : 0;
        }
        assertEquals(2, answered);
        assertEquals(3, limited.counters.get(Dns64Counter.RATE_LIMITED));
        limited.nanos.addAndGet(1_000_000_000L);
        assertTrue(limited.handler.handle(q, Dns64Fixture.CLIENT, false) != null, "a second later the bucket has refilled");
    }

    @Test
    void anEdnsClientGetsOurOptRecordAndAClassicClientNone() {
        f.upstream.on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        assertEquals(1232, f.ask("a.test A").getOPT().getPayloadSize());
        assertNull(f.ask("a.test A", false, false, false).getOPT());
    }

    @Test
    void lifetimeFollowsRfc2308() {
        Answer negative = new Answer(Rcode.NXDOMAIN, false, List.of(), List.of(FakeUpstream.rr(SOA)), List.of());
        assertEquals(60, QueryHandler.lifetime(negative, 86_400));
        Answer noSoa = new Answer(Rcode.NOERROR, false, List.of(), List.of(), List.of());
        assertEquals(0, QueryHandler.lifetime(noSoa, 86_400));
        Answer positive = new Answer(Rcode.NOERROR, false, List.of(FakeUpstream.rr("a.test. 300 IN A 192.0.2.1")),
                List.of(), List.of());
        assertEquals(100, QueryHandler.lifetime(positive, 100));
        assertEquals(0, QueryHandler.lifetime(Answer.servfail(), 100));
    }
}
