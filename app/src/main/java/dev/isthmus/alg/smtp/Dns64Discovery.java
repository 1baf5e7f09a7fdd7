package dev.isthmus.alg.smtp;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * RFC 7050 discovery of the DNS64 prefixes in the relay's DNS path: the AAAA of {@code
 * ipv4only.arpa}, a name with A records only (RFC 7050 §2), exists only if a DNS64 made it, and
 * each such AAAA holds the prefix it was made with ({@link Pref64Search}). An MX address under one
 * of them leads through a NAT64, so {@link MxRouting} skips it, as it does for {@code
 * dns64-prefixes}.
 *
 * <p>The answer is kept for its TTL (RFC 7050 §3), held between {@link #MIN_TTL} and {@link
 * #MAX_TTL} so that a TTL of 0 does not make a query per delivery and a huge one does not keep a
 * stale prefix for ever. NXDOMAIN or no AAAA means no DNS64 in the path, kept for the negative
 * TTL (RFC 2308 §5: the SOA's TTL or minimum, the smaller). A failed query never holds up
 * delivery: the prefixes learned before stay in use, the next query is {@link #RETRY} later, and
 * one log line says so (a line is written when the outcome changes, not per query).
 *
 * <p>Not done: RFC 7050 §3.1's validation of the prefix (DNSSEC-signed PTR and A/AAAA of the
 * NAT64's name). The relay's resolver is trusted as it is for the MX records themselves; a forged
 * answer could at worst make the relay skip some AAAA records and use the A records instead.
 */
final class Dns64Discovery {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.smtp");

    /** RFC 7050 §2: the Well-Known IPv4-only Name. */
    static final Name IPV4ONLY_ARPA = Name.fromConstantString("ipv4only.arpa.");
    /** The shortest time an answer is kept: a TTL of 0 must not cost a query per delivery. */
    static final Duration MIN_TTL = Duration.ofSeconds(60);
    /** The longest: a DNS64 that changes its prefix is noticed within a day whatever the TTL said. */
    static final Duration MAX_TTL = Duration.ofHours(24);
    /** After a failed query (timeout, SERVFAIL), the next one is this much later. */
    static final Duration RETRY = Duration.ofSeconds(60);
    /** A negative answer without an SOA to take the negative TTL from. */
    static final Duration NEGATIVE_WITHOUT_SOA = Duration.ofMinutes(5);
    /**
     * Before the first answer, a delivery waits at most this long for the query another one
     * started, then goes on with the configured prefixes alone.
     */
    static final Duration FIRST_ANSWER_WAIT = Duration.ofSeconds(5);

    /** What is known: the prefixes, until when, and how it came (for the log). */
    record Known(List<Ipv6Prefix> prefixes, Instant until, String outcome) {}

    private final Resolver resolver;
    private final Clock clock;
    private final ReentrantLock asking = new ReentrantLock();
    private volatile Known known;

    Dns64Discovery(Resolver resolver, Clock clock) {
        this.resolver = resolver;
        this.clock = clock;
        this.known = new Known(List.of(), Instant.MIN, null);
    }

    /**
     * The discovered prefixes; asks the DNS when the last answer has expired. One caller asks, the
     * others use what is known meanwhile (before the first answer they wait for it, a bounded time).
     */
    List<Ipv6Prefix> prefixes() {
        Known k = known;
        if (clock.instant().isBefore(k.until())) {
            return k.prefixes();
        }
        boolean first = k.outcome() == null;
        try {
            if (!(first ? asking.tryLock(FIRST_ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS) : asking.tryLock())) {
                return known.prefixes();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return known.prefixes();
        }
        try {
            if (!clock.instant().isBefore(known.until())) {
                update(ask());
            }
            return known.prefixes();
        } finally {
            asking.unlock();
        }
    }

    /** What is known now, without asking (tests, and a future {@code show}). */
    Known known() {
        return known;
    }

    private void update(Known next) {
        Known before = known;
        known = next;
        if (!next.outcome().equals(before.outcome())) {
            LOG.log(next.outcome().startsWith("query failed") ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "smtp: DNS64 discovery (RFC 7050, ipv4only.arpa AAAA): " + next.outcome());
        }
    }

    /** One query and what it says; a failure keeps the prefixes known before. */
    private Known ask() {
        Instant now = clock.instant();
        Message answer;
        try {
            answer = resolver.send(Message.newQuery(Record.newRecord(IPV4ONLY_ARPA, Type.AAAA, DClass.IN)));
        } catch (IOException | RuntimeException e) {
            return failed(now, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        int rcode = answer.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return failed(now, Rcode.string(rcode));
        }
        return learn(answer, now);
    }

    private Known failed(Instant now, String why) {
        List<Ipv6Prefix> kept = known.prefixes();
        return new Known(kept, now.plus(RETRY), "query failed (" + why + "); using "
                + (kept.isEmpty() ? "dns64-prefixes alone" : "the prefixes learned before, " + kept)
                + ", next try in " + RETRY.toSeconds() + " s");
    }

    /** RFC 7050 §3: every AAAA of the answer is looked at; each may name a prefix (a DNS64 may use several). */
    static Known learn(Message answer, Instant now) {
        Set<Ipv6Prefix> found = new LinkedHashSet<>();
        long ttl = Long.MAX_VALUE;
        int aaaa = 0;
        int unusable = 0;
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r instanceof AAAARecord a) {
                aaaa++;
                ttl = Math.min(ttl, r.getTTL());
                if (Pref64Search.search(Ipv6Address.ofBytes(a.getAddress().getAddress()))
                        instanceof Pref64Search.Found f) {
                    found.add(f.prefix().prefix());
                } else {
                    unusable++;
                }
            }
        }
        if (aaaa == 0) {
            return new Known(List.of(), now.plus(bounded(negativeTtl(answer))), "no DNS64 in the path ("
                    + (answer.getRcode() == Rcode.NXDOMAIN ? "NXDOMAIN" : "no AAAA") + ")");
        }
        List<Ipv6Prefix> prefixes = new ArrayList<>(found);
        String outcome = "prefixes " + prefixes;
        if (unusable > 0) {
            // RFC 7050 §3: an address in which the WKA is not found, or found at several places, names no prefix.
            outcome += ", " + unusable + " of " + aaaa + " AAAA records without an unambiguous 192.0.0.170/171";
        }
        return new Known(List.copyOf(prefixes), now.plus(bounded(Duration.ofSeconds(ttl))), outcome);
    }

    /** RFC 2308 §5: a negative answer is kept for the smaller of the SOA's TTL and its minimum field. */
    private static Duration negativeTtl(Message answer) {
        for (Record r : answer.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Duration.ofSeconds(Math.min(soa.getTTL(), soa.getMinimum()));
            }
        }
        return NEGATIVE_WITHOUT_SOA;
    }

    private static Duration bounded(Duration ttl) {
        return ttl.compareTo(MIN_TTL) < 0 ? MIN_TTL : ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
    }
}
