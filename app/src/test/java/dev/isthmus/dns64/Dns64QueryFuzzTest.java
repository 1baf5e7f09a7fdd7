package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * The whole query path ({@link QueryHandler#handle}) on any bytes, from an allowed client over
 * UDP or TCP, against an upstream that knows a few names: never throws and counts nothing as an
 * internal error; the answer is either no answer (a counted drop) or a DNS response that parses,
 * carries the query's ID and fits the transport. And the cache's fast path ({@link PlainQuery},
 * no parse) changes nothing: with a few answers cached, a handler with it and one without give
 * the same bytes and count the same, whatever the query.
 */
class Dns64QueryFuzzTest {
    private static final String SOA = "test. 3600 IN SOA ns.test. host.test. 1 3600 600 86400 60";

    private static Dns64Fixture fixture(boolean fastPath) {
        Dns64Fixture f = new Dns64Fixture(Dns64Fixture.settings(java.util.List.of("2001:db8:64::/96"), 0), fastPath);
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1")
                .on("www.test AAAA", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "--", SOA)
                .on("www.test A", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "a.test. 300 IN A 192.0.2.1")
                .on("gone.test AAAA", Rcode.NXDOMAIN, "--", SOA);
        return f;
    }

    @FuzzTest(maxDuration = "30s")
    void theFastPathAnswersAsTheParsePath(FuzzedDataProvider data) {
        Dns64Fixture fast = fixture(true);
        Dns64Fixture parsed = fixture(false);
        for (Dns64Fixture f : java.util.List.of(fast, parsed)) {
            for (String q : java.util.List.of("a.test AAAA", "www.test AAAA", "gone.test AAAA", "a.test A")) {
                for (int edns = 0; edns < 3; edns++) {
                    f.handler.handle(Dns64Fixture.query(q, edns > 0, edns == 2, false, 1), Dns64Fixture.CLIENT, false);
                }
            }
            f.nanos.addAndGet(3_000_000_000L);
        }
        boolean tcp = data.consumeBoolean();
        byte[] query = data.consumeRemainingAsBytes();
        byte[] a = fast.handler.handle(query.clone(), Dns64Fixture.CLIENT, tcp);
        byte[] b = parsed.handler.handle(query.clone(), Dns64Fixture.CLIENT, tcp);
        assertArrayEquals(b, a, "the fast path answered otherwise");
        for (Dns64Counter c : Dns64Counter.values()) {
            assertEquals(parsed.counters.get(c), fast.counters.get(c), c.key());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyQueryGetsAWellFormedAnswerOrACountedDrop(FuzzedDataProvider data) {
        Dns64Fixture f = fixture(true);
        boolean tcp = data.consumeBoolean();
        byte[] query = data.consumeRemainingAsBytes();
        byte[] answer = f.handler.handle(query, Dns64Fixture.CLIENT, tcp);
        assertEquals(0, f.counters.get(Dns64Counter.INTERNAL_ERRORS), "internal error");
        if (answer == null) {
            long drops = f.counters.get(Dns64Counter.DROPPED_MALFORMED) + f.counters.get(Dns64Counter.DROPPED_RESPONSE);
            assertEquals(1, drops, "a drop that no counter saw");
            return;
        }
        assertTrue(answer.length <= (tcp ? 65_535 : 1232), "answer of " + answer.length + " bytes");
        assertEquals(query[0], answer[0]);
        assertEquals(query[1], answer[1]);
        assertTrue((answer[2] & 0x80) != 0, "QR set");
        try {
            new Message(answer);
        } catch (IOException e) {
            throw new AssertionError("our answer does not parse: " + e.getMessage(), e);
        }
    }
}
