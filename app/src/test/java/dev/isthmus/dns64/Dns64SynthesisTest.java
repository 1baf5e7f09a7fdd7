package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The RFC 6147 §5 rules, one test per rule, over a fake upstream. The zone: SOA TTL 3600 with
 * MINIMUM 60 (so the negative TTL of RFC 2308 §5 is 60), addresses from the documentation
 * ranges, prefix 2001:db8:64::/96 (RFC 6052 §2.2: the IPv4 address is the last 32 bits, so
 * 192.0.2.1 = c000:201).
 */
class Dns64SynthesisTest {
    private static final String SOA = "test. 3600 IN SOA ns.test. host.test. 1 3600 600 86400 60";

    private final Dns64Fixture f = new Dns64Fixture();

    @Test
    void aOnlyNameGetsASynthesizedAaaaWithTheSmallerOfATtlAndNegativeTtl() {
        // RFC 6147 §5.1.7: owner = the A record's owner, class IN, RDATA per RFC 6052,
        // TTL = min(A TTL 300, negative TTL min(3600, 60)).
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        Message m = f.ask("a.test AAAA");
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(List.of("a.test. 60 IN AAAA 2001:db8:64::c000:201"), Dns64Fixture.answer(m));
        assertEquals(List.of("a.test. AAAA", "a.test. A"), f.upstream.asked);
        assertEquals(1, f.counters.get(Dns64Counter.SYNTHESIZED));
    }

    @Test
    void aTtlBelowTheNegativeTtlIsKept() {
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("a.test A", Rcode.NOERROR, "a.test. 30 IN A 192.0.2.1");
        assertEquals(List.of("a.test. 30 IN AAAA 2001:db8:64::c000:201"), Dns64Fixture.answer(f.ask("a.test AAAA")));
    }

    @Test
    void withoutSoaTheTtlIsAtMost600Seconds() {
        // RFC 6147 §5.1.7: no SOA in the negative AAAA answer: min(A TTL, 600).
        f.upstream.on("a.test AAAA", Rcode.NOERROR)
                .on("a.test A", Rcode.NOERROR, "a.test. 900 IN A 192.0.2.1");
        assertEquals(List.of("a.test. 600 IN AAAA 2001:db8:64::c000:201"), Dns64Fixture.answer(f.ask("a.test AAAA")));
    }

    @Test
    void realAaaaIsReturnedAndNoAQueryIsMade() {
        // RFC 6147 §5.1.1.
        f.upstream.on("v6.test AAAA", Rcode.NOERROR, "v6.test. 300 IN AAAA 2001:db8:1::1");
        assertEquals(List.of("v6.test. 300 IN AAAA 2001:db8:1::1"), Dns64Fixture.answer(f.ask("v6.test AAAA")));
        assertEquals(List.of("v6.test. AAAA"), f.upstream.asked);
        assertEquals(1, f.counters.get(Dns64Counter.REAL_AAAA));
    }

    @Test
    void nxdomainIsReturnedWithoutAnAQuery() {
        // RFC 6147 §5.1.2: NXDOMAIN means there is no A record either.
        f.upstream.on("none.test AAAA", Rcode.NXDOMAIN, "--", SOA);
        Message m = f.ask("none.test AAAA");
        assertEquals(Rcode.NXDOMAIN, m.getRcode());
        assertEquals(List.of(), Dns64Fixture.answer(m));
        assertEquals(1, m.getSection(Section.AUTHORITY).size());
        assertEquals(List.of("none.test. AAAA"), f.upstream.asked);
    }

    @Test
    void excludedAaaaCountsAsAbsentAndIsNeverReturned() {
        // RFC 6147 §5.1.4: ::ffff:0:0/96 is in the default exclusion set.
        f.upstream.on("mapped.test AAAA", Rcode.NOERROR, "mapped.test. 300 IN AAAA ::ffff:192.0.2.7", "--", SOA)
                .on("mapped.test A", Rcode.NOERROR, "mapped.test. 300 IN A 192.0.2.7");
        assertEquals(List.of("mapped.test. 60 IN AAAA 2001:db8:64::c000:207"),
                Dns64Fixture.answer(f.ask("mapped.test AAAA")));
        assertEquals(1, f.counters.get(Dns64Counter.EXCLUDED_AAAA));
    }

    @Test
    void realAaaaNextToAnExcludedOneIsReturnedAlone() {
        f.upstream.on("mixed.test AAAA", Rcode.NOERROR,
                "mixed.test. 300 IN AAAA ::ffff:192.0.2.7", "mixed.test. 300 IN AAAA 2001:db8:1::7");
        assertEquals(List.of("mixed.test. 300 IN AAAA 2001:db8:1::7"), Dns64Fixture.answer(f.ask("mixed.test AAAA")));
        assertEquals(List.of("mixed.test. AAAA"), f.upstream.asked);
    }

    @Test
    void aCnameChainIsKeptAndTheFinalNameSynthesized() {
        // RFC 6147 §5.1.5: the chain stays; the AAAA's owner is the A record's owner (§5.1.7).
        f.upstream.on("www.test AAAA", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "--", SOA)
                .on("www.test A", Rcode.NOERROR, "www.test. 300 IN CNAME a.test.", "a.test. 300 IN A 192.0.2.1");
        assertEquals(List.of("www.test. 300 IN CNAME a.test.", "a.test. 60 IN AAAA 2001:db8:64::c000:201"),
                Dns64Fixture.answer(f.ask("www.test AAAA")));
    }

    @Test
    void aaaaServfailIsTreatedAsEmptyAndSynthesizedFromA() {
        // RFC 6147 §5.1.2: an rcode other than NXDOMAIN counts as an empty answer.
        f.upstream.on("sf.test AAAA", Rcode.SERVFAIL)
                .on("sf.test A", Rcode.NOERROR, "sf.test. 300 IN A 192.0.2.3");
        assertEquals(List.of("sf.test. 300 IN AAAA 2001:db8:64::c000:203"), Dns64Fixture.answer(f.ask("sf.test AAAA")));
    }

    @Test
    void anAaaaTimeoutIsTreatedAsEmptyToo() {
        // RFC 6147 §5.1.3: a timeout is a SERVFAIL, so it too leads to the A query.
        f.upstream.on("slow.test A", Rcode.NOERROR, "slow.test. 300 IN A 192.0.2.4");
        assertEquals(List.of("slow.test. 300 IN AAAA 2001:db8:64::c000:204"),
                Dns64Fixture.answer(f.ask("slow.test AAAA")));
    }

    @Test
    void anAErrorIsWhatTheClientGets() {
        // RFC 6147 §5.1.6.
        f.upstream.on("bad.test AAAA", Rcode.NOERROR, "--", SOA).on("bad.test A", Rcode.SERVFAIL);
        assertEquals(Rcode.SERVFAIL, f.ask("bad.test AAAA").getRcode());
        f.upstream.on("refused.test AAAA", Rcode.NOERROR, "--", SOA).on("refused.test A", Rcode.REFUSED);
        assertEquals(Rcode.REFUSED, f.ask("refused.test AAAA").getRcode());
    }

    @Test
    void noUpstreamAnswerAtAllIsServfail() {
        Message m = f.ask("gone.test AAAA");
        assertEquals(Rcode.SERVFAIL, m.getRcode());
        assertEquals(1, f.counters.get(Dns64Counter.SERVFAIL));
    }

    @Test
    void nodataForBothIsNodataWithTheSoa() {
        f.upstream.on("txt.test AAAA", Rcode.NOERROR, "--", SOA).on("txt.test A", Rcode.NOERROR, "--", SOA);
        Message m = f.ask("txt.test AAAA");
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(List.of(), Dns64Fixture.answer(m));
        assertEquals(Type.SOA, m.getSection(Section.AUTHORITY).getFirst().getType());
    }

    @Test
    void excludedIpv4IsNeverSynthesizedAndTheARecordIsNotReturned() {
        // RFC 6147 §5.1.6 and §5: loopback cannot be reached through a translator.
        f.upstream.on("lo.test AAAA", Rcode.NOERROR, "--", SOA).on("lo.test A", Rcode.NOERROR, "lo.test. 300 IN A 127.0.0.1");
        Message m = f.ask("lo.test AAAA");
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(List.of(), Dns64Fixture.answer(m));
        assertEquals(1, f.counters.get(Dns64Counter.EXCLUDED_IPV4));
    }

    @Test
    void theWellKnownPrefixNeverStandsForANonGlobalAddress() {
        // RFC 6052 §3.1: 192.0.2.1 (documentation) is not global; 93.184.216.34 is.
        Dns64Fixture wkp = new Dns64Fixture(Dns64Fixture.settings(List.of("64:ff9b::/96"), 0));
        wkp.upstream.on("doc.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("doc.test A", Rcode.NOERROR, "doc.test. 300 IN A 192.0.2.1", "doc.test. 300 IN A 93.184.216.34");
        assertEquals(List.of("doc.test. 60 IN AAAA 64:ff9b::5db8:d822"), Dns64Fixture.answer(wkp.ask("doc.test AAAA")));
    }

    @Test
    void everyPrefixGetsItsOwnAaaa() {
        // RFC 6147 §5.2 allows several prefixes; RFC 6052 §2.2 embeds per prefix length (/64: bits 72-103).
        Dns64Fixture two = new Dns64Fixture(Dns64Fixture.settings(List.of("2001:db8:64::/96", "2001:db8:65::/64"), 0));
        two.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA).on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        assertEquals(List.of("a.test. 60 IN AAAA 2001:db8:64::c000:201", "a.test. 60 IN AAAA 2001:db8:65:0:c0:2:100:0"),
                Dns64Fixture.answer(two.ask("a.test AAAA")));
    }

    @Test
    void aReverseQueryUnderThePrefixIsAnsweredFromInAddrArpa() {
        // RFC 6147 §5.3.1: 2001:db8:64::c000:201 → 1.2.0.192.in-addr.arpa.
        String ip6 = "1.0.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.4.6.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
        f.upstream.on("1.2.0.192.in-addr.arpa PTR", Rcode.NOERROR, "1.2.0.192.in-addr.arpa. 300 IN PTR a.test.");
        assertEquals(List.of(ip6 + " 300 IN PTR a.test."), Dns64Fixture.answer(f.ask(ip6 + " PTR")));
        assertEquals(List.of("1.2.0.192.in-addr.arpa. PTR"), f.upstream.asked);
    }

    @Test
    void aReverseQueryOutsideThePrefixPassesThrough() {
        String ip6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
        f.upstream.on(ip6 + " PTR", Rcode.NOERROR, ip6 + " 300 IN PTR v6.test.");
        assertEquals(List.of(ip6 + " 300 IN PTR v6.test."), Dns64Fixture.answer(f.ask(ip6 + " PTR")));
    }

    @Test
    void otherTypesPassThroughUnchanged() {
        // RFC 6147 §5.3.3: A queries and the rest are answered as without DNS64.
        f.upstream.on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        assertEquals(List.of("a.test. 300 IN A 192.0.2.1"), Dns64Fixture.answer(f.ask("a.test A")));
        assertEquals(1, f.counters.get(Dns64Counter.PASSED_THROUGH));
    }

    @Test
    void withCdAndDoTheDataIsReturnedRawWithoutSynthesis() {
        // RFC 6147 §5.5: the client validates; a synthesized record would fail its validation.
        f.upstream.on("a.test AAAA", Rcode.NOERROR, "--", SOA).on("a.test A", Rcode.NOERROR, "a.test. 300 IN A 192.0.2.1");
        Message m = f.ask("a.test AAAA", true, true, true);
        assertEquals(List.of(), Dns64Fixture.answer(m));
        assertEquals(List.of("a.test. AAAA"), f.upstream.asked);
        assertTrue(m.getHeader().getFlag(Flags.CD));
        assertEquals(1, f.counters.get(Dns64Counter.DNSSEC_RAW));
    }

    @Test
    void synthesizedDataNeverCarriesAdNorTheARecordsSignature() {
        // RFC 6147 §5.5: AD only on data validated as sent; the RRSIG over A signs nothing left.
        f.upstream.on("s.test AAAA", Rcode.NOERROR, "--", SOA)
                .on("s.test A", Rcode.NOERROR, "s.test. 300 IN A 192.0.2.9",
                        "s.test. 300 IN RRSIG A 13 2 300 20300101000000 20200101000000 12345 test. AAAA")
                .authenticated("s.test A");
        Message m = f.ask("s.test AAAA", true, true, false);
        assertEquals(List.of("s.test. 60 IN AAAA 2001:db8:64::c000:209"), Dns64Fixture.answer(m));
        assertFalse(m.getHeader().getFlag(Flags.AD));
        assertTrue(m.getOPT() != null && (m.getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0,
                "DO is echoed (RFC 3225 §3)");
    }

    @Test
    void adOfUnchangedDataReachesOnlyClientsThatAskedForDnssec() {
        // RFC 6840 §5.8.
        f.upstream.on("v6.test AAAA", Rcode.NOERROR, "v6.test. 300 IN AAAA 2001:db8:1::1").authenticated("v6.test AAAA");
        assertTrue(f.ask("v6.test AAAA", true, true, false).getHeader().getFlag(Flags.AD));
        assertFalse(f.ask("v6.test AAAA", true, false, false).getHeader().getFlag(Flags.AD));
    }

    @Test
    void ipv4onlyArpaIsAnsweredLocallyEvenUnderTheWellKnownPrefix() {
        // RFC 8880 §7.2, RFC 7050 §3: 192.0.0.170/171 are synthesized with 64:ff9b::/96 although
        // 192.0.0.0/24 is not global; nothing is asked upstream.
        Dns64Fixture wkp = new Dns64Fixture(Dns64Fixture.settings(List.of("64:ff9b::/96"), 0));
        assertEquals(List.of("ipv4only.arpa. 86400 IN AAAA 64:ff9b::c000:aa", "ipv4only.arpa. 86400 IN AAAA 64:ff9b::c000:ab"),
                Dns64Fixture.answer(wkp.ask("ipv4only.arpa AAAA")));
        assertEquals(List.of("ipv4only.arpa. 86400 IN A 192.0.0.170", "ipv4only.arpa. 86400 IN A 192.0.0.171"),
                Dns64Fixture.answer(wkp.ask("ipv4only.arpa A")));
        assertEquals(List.of(), wkp.upstream.asked);
        assertEquals(2, wkp.counters.get(Dns64Counter.IPV4ONLY_ARPA));
    }

    @Test
    void otherClassesAreNotSynthesized() {
        // RFC 6147 §5.1: class IN only. A CHAOS AAAA question goes upstream as it is.
        byte[] q = Dns64Fixture.query("a.test AAAA", true, false, false, 7);
        q[q.length - 11 - 1] = 3; // the question's class, last byte before the OPT record: CH
        f.handler.handle(q, Dns64Fixture.CLIENT, false);
        assertEquals(List.of("a.test. AAAA"), f.upstream.asked);
        assertEquals(1, f.counters.get(Dns64Counter.PASSED_THROUGH));
    }
}
