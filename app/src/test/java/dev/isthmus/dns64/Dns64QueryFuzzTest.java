package dev.isthmus.dns64;

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
 * carries the query's ID and fits the transport.
 */
class Dns64QueryFuzzTest {
    private static final String SOA = "test. 3600 IN SOA ns.test. host.test. 1 3600 600 86400 60";

    @FuzzTest(maxDuration = "30s")
    void anyQueryGetsAWellFormedAnswerOrACountedDrop(FuzzedDataProvider data) {
        Dns64Fixture f = new Dns64Fixture();
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1")
                .on("www.test AAAA", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "--", SOA)
                .on("www.test A", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "a.test. 300 IN A 192.0.2.1");
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
