package dev.isthmus.dns64;

import dev.isthmus.addr.AddressSet;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One query's bytes in, the answer's bytes out (or nothing: a drop), every outcome counted; no
 * exception leaves it. Split in two for the server loops: {@link #begin} does what needs no
 * upstream (checks, access control, the cache) on the receiving thread, {@link #finish} the
 * rest on a thread that may wait.
 */
public final class QueryHandler {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dns64");
    private static final int HEADER = 12;
    /** RFC 1035 §4.2.1: without EDNS0 a UDP answer has at most 512 bytes. */
    private static final int CLASSIC_UDP = 512;
    private static final int TCP_MAX = 65_535;

    /** What {@link #begin} decided. */
    public sealed interface Step permits Reply, Pending {}

    /** An answer ready to send; {@code bytes} null means drop. */
    public record Reply(byte[] bytes) implements Step {}

    /** A query that needs the upstream: hand it to {@link #finish}. */
    public static final class Pending implements Step {
        private final byte[] query;
        private final int questionEnd;
        private final AnswerCache.Key key;
        private final Dns64Resolver.Question question;
        private final boolean edns;
        private final int limit;

        private Pending(byte[] query, int questionEnd, AnswerCache.Key key, Dns64Resolver.Question question,
                boolean edns, int limit) {
            this.query = query;
            this.questionEnd = questionEnd;
            this.key = key;
            this.question = question;
            this.edns = edns;
            this.limit = limit;
        }
    }

    private final Dns64Settings settings;
    private final Dns64Resolver resolver;
    private final AnswerCache cache;
    /** The client networks that get answers; anyone else is REFUSED (an open resolver is a reflection tool, RFC 5358). */
    private final AddressSet acl;
    private final ClientRateLimiter rateLimiter;
    private final Dns64Counters counters;
    private final LongSupplier nanoClock;
    /** Whether a cache hit for a {@link PlainQuery} is served without parsing the query. */
    private final boolean fastPath;

    QueryHandler(Dns64Settings settings, Dns64Resolver resolver, Dns64Counters counters, LongSupplier nanoClock) {
        this(settings, resolver, counters, nanoClock, true);
    }

    /** With {@code fastPath} false every query is parsed: the reference the fast path is tested against. */
    QueryHandler(Dns64Settings settings, Dns64Resolver resolver, Dns64Counters counters, LongSupplier nanoClock,
            boolean fastPath) {
        this.fastPath = fastPath;
        this.settings = settings;
        this.resolver = resolver;
        this.cache = new AnswerCache(settings.cacheEntries(), counters);
        this.acl = new AddressSet(settings.allow(), settings.allow6());
        this.rateLimiter = new ClientRateLimiter(settings.rateLimit());
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    /** A handler that asks {@code upstream}, counting into {@code counters}. */
    static QueryHandler create(Dns64Settings settings, Upstream upstream, Dns64Counters counters) {
        return new QueryHandler(settings,
                new Dns64Resolver(upstream, new Synthesis(settings, counters), counters), counters, System::nanoTime);
    }

    /** Whether {@code client} is in {@code allow}: the others get REFUSED, and no TCP connection. */
    boolean allows(InetAddress client) {
        return acl.contains(client);
    }

    /** Both steps, waiting on this thread: the answer, or null to drop the query. */
    public byte[] handle(byte[] query, InetAddress client, boolean tcp) {
        Step s = begin(query, client, tcp);
        return s instanceof Pending p ? finish(p).join() : ((Reply) s).bytes();
    }

    /** The checks and the cache; never blocks on the network. */
    public Step begin(byte[] query, InetAddress client, boolean tcp) {
        counters.count(tcp ? Dns64Counter.QUERIES_TCP : Dns64Counter.QUERIES_UDP);
        try {
            return checkedBegin(query, client, tcp);
        } catch (RuntimeException e) {
            return new Reply(internalError(query, e));
        }
    }

    /**
     * Resolves a query that {@link #begin} could not answer. The future completes (never
     * exceptionally) with the answer once the upstream has answered or timed out, on the thread
     * that received the upstream's answer.
     */
    public CompletableFuture<byte[]> finish(Pending p) {
        CompletableFuture<CachedAnswer> answer;
        try {
            answer = cache.resolve(p.key,
                    () -> resolver.resolve(p.question).thenApply(a -> encode(a, p.question, p.edns)));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(internalError(p.query, e));
        }
        return answer.handle((a, e) -> {
            try {
                if (e != null) {
                    return internalError(p.query, e instanceof RuntimeException r ? r : new IllegalStateException(e));
                }
                return serve(a, p.query, p.questionEnd, p.limit);
            } catch (RuntimeException x) {
                return internalError(p.query, x);
            }
        });
    }

    private Step checkedBegin(byte[] query, InetAddress client, boolean tcp) {
        if (query.length < HEADER) {
            counters.count(Dns64Counter.DROPPED_MALFORMED);
            return new Reply(null);
        }
        if ((query[2] & 0x80) != 0) {
            // Answering a response could start a loop between two servers.
            counters.count(Dns64Counter.DROPPED_RESPONSE);
            return new Reply(null);
        }
        boolean allowed = allows(client);
        if (allowed && !tcp && !rateLimiter.allow(client, nanoClock.getAsLong())) {
            counters.count(Dns64Counter.RATE_LIMITED);
            return new Reply(null);
        }
        if (allowed && fastPath) {
            byte[] hit = fromCache(query, tcp);
            if (hit != null) {
                return new Reply(hit);
            }
        }
        Message m;
        try {
            m = new Message(query);
        } catch (IOException | RuntimeException e) {
            counters.count(allowed ? Dns64Counter.FORMERR : Dns64Counter.REFUSED_CLIENT);
            return new Reply(headerOnly(query, allowed ? Rcode.FORMERR : Rcode.REFUSED));
        }
        Record question = m.getQuestion();
        List<Record> additional = m.getSection(Section.ADDITIONAL);
        long opts = additional.stream().filter(r -> r.getType() == Type.OPT).count();
        if (!allowed) {
            counters.count(Dns64Counter.REFUSED_CLIENT);
            return new Reply(reply(m, Rcode.REFUSED));
        }
        if (m.getHeader().getOpcode() != Opcode.QUERY) {
            counters.count(Dns64Counter.NOTIMP);
            return new Reply(reply(m, Rcode.NOTIMP));
        }
        // RFC 1035 §4.1.2 in practice (RFC 9619): one question; RFC 6891 §6.1.1: at most one OPT.
        if (question == null || m.getHeader().getCount(Section.QUESTION) != 1 || opts > 1) {
            counters.count(Dns64Counter.FORMERR);
            return new Reply(reply(m, Rcode.FORMERR));
        }
        OPTRecord opt = m.getOPT();
        if (opt != null && opt.getVersion() != 0) {
            counters.count(Dns64Counter.BADVERS);
            return new Reply(reply(m, Rcode.BADVERS));
        }
        int type = question.getType();
        if (type == Type.OPT || type >= 128 && type < Type.ANY) {
            // RFC 6895 §3.1: OPT and the QTYPE/meta range 128-254 (zone transfers, TSIG, TKEY,
            // MAILA/MAILB) are not questions a recursive resolver answers; ANY (255) is.
            counters.count(Dns64Counter.NOTIMP);
            return new Reply(reply(m, Rcode.NOTIMP));
        }
        boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
        boolean checkingDisabled = m.getHeader().getFlag(Flags.CD);
        AnswerCache.Key key = AnswerCache.Key.of(question.getName(), type, question.getDClass(),
                checkingDisabled, dnssecOk, opt != null);
        int limit = limit(tcp, opt != null, opt == null ? 0 : opt.getPayloadSize());
        int questionEnd = CachedAnswer.questionEnd(query);
        CachedAnswer hit = cache.get(key, nanoClock.getAsLong());
        if (hit != null) {
            counters.count(Dns64Counter.CACHE_HITS);
            return new Reply(serve(hit, query, questionEnd, limit));
        }
        counters.count(Dns64Counter.CACHE_MISSES);
        return new Pending(query, questionEnd, key,
                new Dns64Resolver.Question(question.getName(), type, question.getDClass(), checkingDisabled, dnssecOk),
                opt != null, limit);
    }

    /**
     * The fast path: for a {@link PlainQuery} whose answer is cached, that answer, found by the
     * question's own bytes; null (nothing counted) when the query is not plain or not cached, and
     * the parse decides. Every check of the parse path that could refuse a plain query has been
     * made by then (the client's, the rate limit) or cannot fail for one (opcode, counts, EDNS
     * version, QTYPE).
     */
    private byte[] fromCache(byte[] query, boolean tcp) {
        PlainQuery q = PlainQuery.read(query);
        if (q == null) {
            return null;
        }
        CachedAnswer hit = cache.get(q.key(query), nanoClock.getAsLong());
        if (hit == null) {
            return null;
        }
        counters.count(Dns64Counter.CACHE_HITS);
        return serve(hit, query, q.questionEnd(), limit(tcp, q.edns(), q.payloadSize()));
    }

    /** RFC 6891 §6.2.3–§6.2.5: the client's payload size, but never below 512 nor above ours. */
    private int limit(boolean tcp, boolean edns, int payloadSize) {
        return tcp ? TCP_MAX : !edns ? CLASSIC_UDP : Math.clamp(payloadSize, CLASSIC_UDP, settings.udpPayload());
    }

    private byte[] serve(CachedAnswer a, byte[] query, int questionEnd, int limit) {
        byte[] out = a.forQuery(query, questionEnd, nanoClock.getAsLong());
        if ((out[3] & 0x0f) == Rcode.SERVFAIL) {
            counters.count(Dns64Counter.SERVFAIL);
        }
        if (out.length <= limit) {
            return out;
        }
        // RFC 2181 §9 / RFC 6891 §7: drop whole RRsets from the end and set TC; the client
        // then asks again over TCP.
        counters.count(Dns64Counter.TRUNCATED);
        try {
            return new Message(out).toWire(limit);
        } catch (IOException e) {
            throw new IllegalStateException("re-reading our own answer failed", e);
        }
    }

    /** The answer as it goes to every client with this question and bits (ID 0, RD set, patched per client). */
    private CachedAnswer encode(Answer a, Dns64Resolver.Question k, boolean edns) {
        Message m = new Message(0);
        Header h = m.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RD);
        h.setFlag(Flags.RA);
        if (a.authenticData()) {
            h.setFlag(Flags.AD);
        }
        if (k.checkingDisabled()) {
            h.setFlag(Flags.CD); // RFC 4035 §3.2.2: copied from the query
        }
        h.setRcode(a.rcode() & 0x0f);
        m.addRecord(Record.newRecord(k.name(), k.type(), k.dclass()), Section.QUESTION);
        a.answer().forEach(r -> m.addRecord(r, Section.ANSWER));
        a.authority().forEach(r -> m.addRecord(r, Section.AUTHORITY));
        a.additional().forEach(r -> m.addRecord(r, Section.ADDITIONAL));
        if (edns) {
            m.addRecord(ourOpt(a.rcode(), k.dnssecOk()), Section.ADDITIONAL);
        }
        return new CachedAnswer(m.toWire(), lifetime(a, settings.cacheMaxTtl()), nanoClock.getAsLong());
    }

    /** RFC 6891 §6.1.3: the upper 8 bits of a 12-bit rcode travel in the OPT record; DO is echoed (RFC 3225 §3). */
    private OPTRecord ourOpt(int rcode, boolean dnssecOk) {
        return new OPTRecord(settings.udpPayload(), rcode >>> 4, 0, dnssecOk ? ExtendedFlags.DO : 0);
    }

    /**
     * How long an answer may be cached: the smallest TTL of its answer and authority records,
     * and for a negative answer the SOA's MINIMUM too (RFC 2308 §5); capped at {@code maxTtl}.
     * Answers other than NOERROR and NXDOMAIN, and a negative answer without an SOA, are not
     * cached (RFC 2308 §5, §7.1: SERVFAIL may be, we do not).
     */
    static long lifetime(Answer a, int maxTtl) {
        if (a.rcode() != Rcode.NOERROR && a.rcode() != Rcode.NXDOMAIN) {
            return 0;
        }
        long min = maxTtl;
        boolean soa = false;
        for (List<Record> section : List.of(a.answer(), a.authority())) {
            for (Record r : section) {
                min = Math.min(min, r.getTTL());
                if (r instanceof SOARecord s) {
                    min = Math.min(min, s.getMinimum());
                    soa = true;
                }
            }
        }
        boolean negative = a.rcode() == Rcode.NXDOMAIN || a.answer().isEmpty();
        return negative && !soa ? 0 : min;
    }

    /** An answer with the query's question (and an OPT when it had one) and no records. */
    private byte[] reply(Message query, int rcode) {
        Message r = new Message(query.getHeader().getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setFlag(Flags.RA);
        h.setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        h.setRcode(rcode & 0x0f);
        if (query.getQuestion() != null) {
            r.addRecord(query.getQuestion(), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            r.addRecord(ourOpt(rcode, false), Section.ADDITIONAL);
        }
        return r.toWire(CLASSIC_UDP);
    }

    /** An answer that is a header only: for a query whose question cannot be read. */
    private static byte[] headerOnly(byte[] query, int rcode) {
        byte[] out = new byte[HEADER];
        out[0] = query[0];
        out[1] = query[1];
        out[2] = (byte) (0x80 | (query[2] & 0x79)); // QR, the query's opcode and RD
        out[3] = (byte) (0x80 | rcode);              // RA
        return out;
    }

    private byte[] internalError(byte[] query, RuntimeException e) {
        counters.count(Dns64Counter.INTERNAL_ERRORS);
        LOG.log(System.Logger.Level.WARNING, "DNS64 query failed: " + e, e);
        if (query.length < HEADER) {
            return null;
        }
        counters.count(Dns64Counter.SERVFAIL);
        return headerOnly(query, Rcode.SERVFAIL);
    }
}
