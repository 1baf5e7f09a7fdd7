package dev.isthmus.dns64;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DNS64 algorithm of RFC 6147 §5 for one question: which upstream questions to ask and
 * what to make of their answers, as a chain of futures that the upstream's answers drive;
 * {@link AnswerCache} in front of it makes sure one question is resolved once at a time.
 */
class Dns64Resolver {
    /** What {@link QueryHandler} asks: the question, and the client's CD and DO bits. */
    record Question(Name name, int type, int dclass, boolean checkingDisabled, boolean dnssecOk) {}

    private final Upstream upstream;
    private final Synthesis synthesis;
    private final Dns64Counters counters;

    Dns64Resolver(Upstream upstream, Synthesis synthesis, Dns64Counters counters) {
        this.upstream = upstream;
        this.synthesis = synthesis;
        this.counters = counters;
    }

    /** The answer; completes when the upstream has answered (or timed out), never exceptionally by design. */
    CompletableFuture<Answer> resolve(Question q) {
        if (q.dclass() == DClass.IN && q.name().equals(Synthesis.IPV4ONLY_ARPA)) {
            List<Record> local = synthesis.ipv4OnlyArpa(q.type());
            if (local != null) {
                counters.count(Dns64Counter.IPV4ONLY_ARPA);
                return CompletableFuture.completedFuture(new Answer(Rcode.NOERROR, false, local, List.of(), List.of()));
            }
        }
        // RFC 6147 §5.1: only class IN is synthesized; other classes as if there were no DNS64.
        if (q.dclass() == DClass.IN && q.type() == Type.AAAA) {
            return ask(q, q.name(), Type.AAAA).thenCompose(aaaa -> aaaa(q, aaaa));
        }
        if (q.dclass() == DClass.IN && q.type() == Type.PTR) {
            Name inAddr = synthesis.inAddrName(q.name());
            if (inAddr != null) {
                return ask(q, inAddr, Type.PTR).thenApply(m -> ptr(q, inAddr, m));
            }
        }
        counters.count(Dns64Counter.PASSED_THROUGH);
        return upstream.ask(q.name(), q.type(), q.dclass(), q.checkingDisabled(), q.dnssecOk())
                .thenApply(m -> passThrough(m, q));
    }

    private CompletableFuture<Message> ask(Question q, Name name, int type) {
        return upstream.ask(name, type, DClass.IN, q.checkingDisabled(), q.dnssecOk());
    }

    private CompletableFuture<Answer> aaaa(Question q, Message aaaa) {
        if (q.checkingDisabled() && q.dnssecOk()) {
            // RFC 6147 §5.5: a client that validates itself gets the data as signed: no synthesis.
            counters.count(Dns64Counter.DNSSEC_RAW);
            return CompletableFuture.completedFuture(passThrough(aaaa, q));
        }
        if (aaaa != null && aaaa.getRcode() == Rcode.NXDOMAIN) {
            // RFC 6147 §5.1.2: the name does not exist, so there is no A record to synthesize from.
            return CompletableFuture.completedFuture(passThrough(aaaa, q));
        }
        if (aaaa != null && aaaa.getRcode() == Rcode.NOERROR) {
            List<Record> real = synthesis.realAaaa(aaaa);
            if (real != null) {
                // RFC 6147 §5.1.1: real AAAA records are returned; excluded ones never (§5.1.4),
                // and when some were removed the remaining RRset no longer validates as sent.
                counters.count(Dns64Counter.REAL_AAAA);
                boolean unchanged = real.size() == aaaa.getSection(Section.ANSWER).size();
                return CompletableFuture.completedFuture(
                        Answer.of(aaaa, false).withAnswer(real, unchanged && passAd(aaaa, q)));
            }
        }
        // NODATA, every AAAA excluded (§5.1.4), another rcode (§5.1.2) or no answer (§5.1.3): ask for A.
        return ask(q, q.name(), Type.A).thenApply(a -> fromA(aaaa, a));
    }

    /** RFC 6147 §5.1.6–§5.1.7: the answer made from the A query's answer. */
    private Answer fromA(Message aaaa, Message a) {
        if (a == null) {
            return Answer.servfail();
        }
        if (a.getRcode() != Rcode.NOERROR) {
            // RFC 6147 §5.1.6: an error on the A query is what the client gets.
            return Answer.of(a, false);
        }
        List<Record> synthesized = synthesis.synthesize(a, Synthesis.negativeTtl(aaaa));
        if (synthesized == null) {
            // RFC 6147 §5.1.6: nothing to synthesize from: the client gets an empty answer, never
            // the A records themselves; the CNAME chain stays and the AAAA query's SOA says for how
            // long the name has no AAAA.
            List<Record> chain = new ArrayList<>(a.getSection(Section.ANSWER));
            chain.removeIf(r -> r instanceof ARecord || r.getRRsetType() == Type.A);
            List<Record> authority = aaaa != null && aaaa.getRcode() == Rcode.NOERROR
                    ? aaaa.getSection(Section.AUTHORITY) : a.getSection(Section.AUTHORITY);
            return new Answer(Rcode.NOERROR, false, chain, authority, List.of());
        }
        counters.count(Dns64Counter.SYNTHESIZED);
        // RFC 6147 §5.4: authority and additional sections come from the A response, unchanged
        // (§5.3.2); §5.5: the rewritten data was not validated here, so AD is never set.
        return Answer.of(a, false).withAnswer(synthesized, false);
    }

    /**
     * RFC 6147 §5.3.1: a reverse query for an address under a prefix is the reverse query for
     * the IPv4 address it embeds. The PTR records of the in-addr.arpa name are returned under the
     * ip6.arpa name that was asked (the DNS64 answers for it); a CNAME chain inside in-addr.arpa
     * (RFC 2317 delegation) stays as it is after the first record.
     */
    private Answer ptr(Question q, Name inAddr, Message m) {
        if (m == null) {
            return Answer.servfail();
        }
        counters.count(Dns64Counter.PTR_MAPPED);
        List<Record> answer = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r.getType() == Type.RRSIG) {
                continue; // signs the in-addr.arpa name, not the name asked
            }
            answer.add(r.getName().equals(inAddr) ? r.withName(q.name()) : r);
        }
        return Answer.of(m, false).withAnswer(answer, false);
    }

    private Answer passThrough(Message m, Question q) {
        return m == null ? Answer.servfail() : Answer.of(m, passAd(m, q));
    }

    /** RFC 6840 §5.7–§5.8: AD goes only to a client that asked for DNSSEC data. */
    private static boolean passAd(Message m, Question q) {
        return q.dnssecOk() && m.getHeader().getFlag(org.xbill.DNS.Flags.AD);
    }
}
