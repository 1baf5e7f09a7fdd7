package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.smtp.DeliveryHarness.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** RFC 7050 §3 discovery: what each answer teaches, how long it is kept, and a failing DNS. */
class Dns64DiscoveryTest {
    private static final Name ARPA = Name.fromConstantString("arpa.");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScriptedDns dns = new ScriptedDns();
    private final Dns64Discovery discovery = new Dns64Discovery(dns, clock);

    @Test
    void theWellKnownPrefixFromATypicalDns64() {
        // RFC 7050 §3's example: a DNS64 with 64:ff9b::/96 answers both WKAs synthesized.
        dns.answer = q -> aaaa(q, 600, "64:ff9b::c000:aa", "64:ff9b::c000:ab");
        assertEquals(List.of(Ipv6Prefix.parse("64:ff9b::/96")), discovery.prefixes());
        assertEquals(1, dns.queries.get());
    }

    @Test
    void severalPrefixesAreAllUsed() {
        // RFC 7050 §3: a DNS64 may synthesize with more than one Pref64::/n.
        dns.answer = q -> aaaa(q, 600, "2001:db8:122:344:c0:0:aa00:0", "2001:db8:64::c000:ab", "64:ff9b::c000:aa");
        assertEquals(List.of(Ipv6Prefix.parse("2001:db8:122:344::/64"), Ipv6Prefix.parse("2001:db8:64::/96"),
                Ipv6Prefix.parse("64:ff9b::/96")), discovery.prefixes());
    }

    @Test
    void anAmbiguousAddressTeachesNothingItsTwinStillDoes() {
        // .170 is found at /32 and /96 in the first; the second holds .170 at /32 and .171 at /96: ambiguous too.
        dns.answer = q -> aaaa(q, 600, "2001:db8:c000:aa::c000:aa", "2001:db8:c000:aa::c000:ab", "64:ff9b::c000:aa");
        assertEquals(List.of(Ipv6Prefix.parse("64:ff9b::/96")), discovery.prefixes());
        assertTrue(discovery.known().outcome().contains("2 of 3 AAAA records without an unambiguous"),
                discovery.known().outcome());
    }

    @Test
    void theAnswerIsKeptForItsTtl() {
        dns.answer = q -> aaaa(q, 600, "64:ff9b::c000:aa");
        discovery.prefixes();
        clock.advance(Duration.ofSeconds(599));
        discovery.prefixes();
        assertEquals(1, dns.queries.get());
        clock.advance(Duration.ofSeconds(1));
        dns.answer = q -> aaaa(q, 600, "2001:db8:64::c000:aa");
        assertEquals(List.of(Ipv6Prefix.parse("2001:db8:64::/96")), discovery.prefixes());
        assertEquals(2, dns.queries.get());
    }

    @Test
    void aTtlOfZeroIsHeldAMinuteAndAHugeOneADay() {
        dns.answer = q -> aaaa(q, 0, "64:ff9b::c000:aa");
        discovery.prefixes();
        assertEquals(clock.instant().plus(Dns64Discovery.MIN_TTL), discovery.known().until());
        clock.advance(Dns64Discovery.MIN_TTL);
        dns.answer = q -> aaaa(q, 0x7fffffffL, "64:ff9b::c000:aa");
        discovery.prefixes();
        assertEquals(clock.instant().plus(Dns64Discovery.MAX_TTL), discovery.known().until());
        assertEquals(2, dns.queries.get());
    }

    @Test
    void nxdomainMeansNoDns64KeptForTheNegativeTtl() {
        // RFC 2308 §5: the smaller of the SOA's TTL (3600) and its minimum (900).
        dns.answer = q -> negative(q, Rcode.NXDOMAIN, 3600, 900);
        assertEquals(List.of(), discovery.prefixes());
        assertEquals(clock.instant().plus(Duration.ofSeconds(900)), discovery.known().until());
        assertEquals("no DNS64 in the path (NXDOMAIN)", discovery.known().outcome());
    }

    @Test
    void anAnswerWithoutAaaaMeansNoDns64() {
        // A resolver without DNS64 knows ipv4only.arpa's A records only (RFC 7050 §2, RFC 8880).
        dns.answer = q -> negative(q, Rcode.NOERROR, 300, 3600);
        assertEquals(List.of(), discovery.prefixes());
        assertEquals(clock.instant().plus(Duration.ofSeconds(300)), discovery.known().until());
        assertEquals("no DNS64 in the path (no AAAA)", discovery.known().outcome());
    }

    @Test
    void onlyAaaaRecordsCountNotTheARecordsBesideThem() throws Exception {
        dns.answer = q -> {
            Message m = reply(q, Rcode.NOERROR);
            m.addRecord(new ARecord(Dns64Discovery.IPV4ONLY_ARPA, DClass.IN, 600,
                    InetAddress.getByName("192.0.0.170")), Section.ANSWER);
            return m;
        };
        assertEquals(List.of(), discovery.prefixes());
    }

    @Test
    void aFailureKeepsWhatWasLearnedAndTriesAgainAMinuteLater() {
        dns.answer = q -> aaaa(q, 600, "64:ff9b::c000:aa");
        discovery.prefixes();
        clock.advance(Duration.ofSeconds(600));
        dns.answer = q -> {
            throw new IOException("timed out");
        };
        assertEquals(List.of(Ipv6Prefix.parse("64:ff9b::/96")), discovery.prefixes());
        assertTrue(discovery.known().outcome().startsWith("query failed (timed out)"), discovery.known().outcome());
        clock.advance(Duration.ofSeconds(59));
        discovery.prefixes();
        assertEquals(2, dns.queries.get(), "not again before RETRY");
        clock.advance(Duration.ofSeconds(1));
        dns.answer = q -> reply(q, Rcode.SERVFAIL);
        assertEquals(List.of(Ipv6Prefix.parse("64:ff9b::/96")), discovery.prefixes());
        assertEquals(3, dns.queries.get());
        assertTrue(discovery.known().outcome().startsWith("query failed (SERVFAIL)"), discovery.known().outcome());
    }

    @Test
    void aFailureBeforeAnyAnswerGivesNoPrefix() {
        dns.answer = q -> {
            throw new IOException("network unreachable");
        };
        assertEquals(List.of(), discovery.prefixes());
        assertEquals(clock.instant().plus(Dns64Discovery.RETRY), discovery.known().until());
    }

    static Message reply(Message q, int rcode) {
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setRcode(rcode);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        return r;
    }

    static Message aaaa(Message q, long ttl, String... addresses) {
        Message r = reply(q, Rcode.NOERROR);
        for (String a : addresses) {
            r.addRecord(new AAAARecord(q.getQuestion().getName(), DClass.IN, ttl, InetAddress.ofLiteral(a)),
                    Section.ANSWER);
        }
        return r;
    }

    static Message negative(Message q, int rcode, long soaTtl, long minimum) {
        Message r = reply(q, rcode);
        r.addRecord(new SOARecord(ARPA, DClass.IN, soaTtl, Name.fromConstantString("a.iana-servers.net."),
                Name.fromConstantString("nstld.iana.org."), 2026010100, 1800, 900, 604800, minimum), Section.AUTHORITY);
        return r;
    }

    /** A DNS whose every answer the test writes. */
    static final class ScriptedDns extends SynchronousResolver {
        interface Answer {
            Message to(Message query) throws IOException;
        }

        volatile Answer answer = q -> reply(q, Rcode.NXDOMAIN);
        final AtomicInteger queries = new AtomicInteger();

        @Override
        public Message send(Message query) throws IOException {
            queries.incrementAndGet();
            assertEquals(Type.AAAA, query.getQuestion().getType());
            assertEquals(Dns64Discovery.IPV4ONLY_ARPA, query.getQuestion().getName());
            return answer.to(query);
        }
    }
}
