package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The cache's fast path ({@link PlainQuery}, no parse) gives the very bytes the parse path
 * gives: two handlers, one with the fast path and one without, over the same upstream data and
 * clock, each asked a question once (the cache fills) and, 7 s later, again with another ID and
 * letter case; the second answers must be equal byte for byte, and counted the same.
 */
class Dns64FastPathTest {
    private static final String SOA = "test. 3600 IN SOA ns.test. host.test. 1 3600 600 86400 60";

    /** One query: the question, EDNS payload size (0: no OPT), DO, CD, over TCP. */
    record Query(String question, int payload, boolean dnssecOk, boolean checkingDisabled, boolean tcp) {
        byte[] wire(int id) {
            String[] q = question.split(" ");
            Message m = Message.newQuery(Record.newRecord(FakeUpstream.name(q[0]), Type.value(q[1]), DClass.IN));
            m.getHeader().setID(id);
            if (checkingDisabled) {
                m.getHeader().setFlag(Flags.CD);
            }
            if (payload > 0) {
                m.addRecord(new OPTRecord(payload, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
            }
            return m.toWire();
        }

        @Override
        public String toString() {
            return question + (payload > 0 ? " EDNS " + payload : "") + (dnssecOk ? " DO" : "")
                    + (checkingDisabled ? " CD" : "") + (tcp ? " TCP" : "");
        }
    }

    static Stream<Arguments> queries() {
        return Stream.of(
                // cached synthesized AAAA, with and without EDNS, any payload size
                q("a.test AAAA", 0, false, false, false),
                q("a.test AAAA", 1232, false, false, false),
                q("a.test AAAA", 512, false, false, false),
                q("a.test AAAA", 100, false, false, false), // below 512: taken as 512 (RFC 6891 §6.2.3)
                q("a.test AAAA", 65535, false, false, false), // above ours: ours
                q("A.TeSt AAAA", 1232, false, false, false),
                q("a.test AAAA", 0, false, false, true),
                // the DO and CD bits (RFC 6147 §5.5) and a signed, validated real AAAA
                q("a.test AAAA", 1232, true, false, false),
                q("a.test AAAA", 1232, false, true, false),
                q("a.test AAAA", 1232, true, true, false),
                q("signed.test AAAA", 1232, true, false, false),
                q("signed.test AAAA", 1232, false, false, false),
                // NODATA, NXDOMAIN, a CNAME chain, a real AAAA, passed-through types
                q("nodata.test AAAA", 1232, false, false, false),
                q("nodata.test AAAA", 0, false, false, false),
                q("gone.test AAAA", 1232, false, false, false),
                q("GONE.test AAAA", 0, false, false, false),
                q("www.test AAAA", 1232, false, false, false),
                q("Www.Test AAAA", 0, false, false, false),
                q("v6.test AAAA", 4096, false, false, false),
                q("a.test A", 1232, false, false, false),
                q("test MX", 0, false, false, false),
                // too large for the client: truncated (TC) the same way, over TCP whole
                q("big.test AAAA", 0, false, false, false),
                q("big.test AAAA", 600, false, false, false),
                q("BIG.test AAAA", 1232, false, false, false),
                q("big.test AAAA", 0, false, false, true),
                // built-in data (RFC 8880 §7.2)
                q("ipv4only.arpa AAAA", 1232, false, false, false));
    }

    private static Arguments q(String question, int payload, boolean dnssecOk, boolean cd, boolean tcp) {
        return Arguments.of(new Query(question, payload, dnssecOk, cd, tcp));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queries")
    void theFastPathAnswersByteForByteAsTheParsePath(Query query) {
        Dns64Fixture fast = fixture(true);
        Dns64Fixture parsed = fixture(false);
        byte[] fill = query.wire(0x0101);
        byte[] again = new Query(mixCase(query.question()), query.payload(), query.dnssecOk(),
                query.checkingDisabled(), query.tcp()).wire(0xbeef);
        assertNotNull(PlainQuery.read(again), "the query takes the fast path");
        for (Dns64Fixture f : List.of(fast, parsed)) {
            f.handler.handle(fill, Dns64Fixture.CLIENT, query.tcp());
            f.nanos.addAndGet(7_000_000_000L); // TTLs count down by 7
        }
        byte[] fromFast = fast.handler.handle(again, Dns64Fixture.CLIENT, query.tcp());
        byte[] fromParse = parsed.handler.handle(again, Dns64Fixture.CLIENT, query.tcp());
        assertArrayEquals(fromParse, fromFast,
                () -> "parse " + HexFormat.of().formatHex(fromParse) + "\nfast  " + HexFormat.of().formatHex(fromFast));
        for (Dns64Counter c : Dns64Counter.values()) {
            assertEquals(parsed.counters.get(c), fast.counters.get(c), c.key());
        }
        assertEquals(parsed.upstream.asked, fast.upstream.asked);
        // Every one of these answers is cacheable: the second one came from the cache.
        assertEquals(1, fast.counters.get(Dns64Counter.CACHE_HITS));
    }

    private static Dns64Fixture fixture(boolean fastPath) {
        Dns64Fixture f = new Dns64Fixture(Dns64Fixture.settings(List.of("2001:db8:64::/96"), 0), fastPath);
        List<String> big = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            big.add("big.test. 300 IN A 192.0.2." + i);
        }
        big.add("--");
        big.add(SOA);
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1")
                .on("signed.test AAAA", Rcode.NOERROR, "signed.test. 300 IN AAAA 2001:db8::5",
                        "signed.test. 300 IN RRSIG AAAA 13 2 300 20300101000000 20200101000000 1234 test. AAAA")
                .authenticated("signed.test AAAA")
                .on("nodata.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("nodata.test A", Rcode.NOERROR, "--", SOA)
                .on("gone.test AAAA", Rcode.NXDOMAIN, "--", SOA)
                .on("www.test AAAA", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "--", SOA)
                .on("www.test A", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "a.test. 300 IN A 192.0.2.1")
                .on("v6.test AAAA", Rcode.NOERROR, "v6.test. 300 IN AAAA 2001:db8::6")
                .on("test MX", Rcode.NOERROR, "test. 300 IN MX 10 mail.test.")
                .on("big.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("big.test A", Rcode.NOERROR, big.toArray(String[]::new));
        return f;
    }

    /** The question with the case of its letters alternated ("0x20" randomization). */
    private static String mixCase(String question) {
        StringBuilder b = new StringBuilder();
        String name = question.substring(0, question.indexOf(' '));
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            b.append(i % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return b + question.substring(question.indexOf(' '));
    }
}
