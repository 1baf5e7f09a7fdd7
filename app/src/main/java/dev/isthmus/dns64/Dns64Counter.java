package dev.isthmus.dns64;

/**
 * What the DNS64 server counts: every query ends in exactly one of the outcome counters, and the
 * others say how it got there. The keys are what {@code show stats} and the metrics labels show.
 */
public enum Dns64Counter {
    QUERIES_UDP("queries-udp", "queries received over UDP"),
    QUERIES_TCP("queries-tcp", "queries received over TCP"),
    CACHE_HITS("cache-hits", "answers served from the cache"),
    CACHE_MISSES("cache-misses", "queries the cache could not answer"),
    COALESCED("coalesced", "queries that waited for an identical query already being resolved"),
    SYNTHESIZED("synthesized", "AAAA answers synthesized from A records (RFC 6147 §5.1.7)"),
    REAL_AAAA("real-aaaa", "AAAA answers that had real AAAA records (RFC 6147 §5.1.1)"),
    EXCLUDED_AAAA("excluded-aaaa", "AAAA records left out as excluded (RFC 6147 §5.1.4)"),
    EXCLUDED_IPV4("excluded-ipv4", "A records not synthesized because their address is excluded"),
    PTR_MAPPED("ptr-mapped", "ip6.arpa PTR queries under a prefix answered from in-addr.arpa (RFC 6147 §5.3.1)"),
    IPV4ONLY_ARPA("ipv4only-arpa", "ipv4only.arpa A and AAAA queries answered from built-in data (RFC 8880 §7.2, RFC 7050)"),
    PASSED_THROUGH("passed-through", "queries forwarded unchanged (other types and classes, RFC 6147 §5.3.3)"),
    DNSSEC_RAW("dnssec-raw", "AAAA queries with CD and DO set, answered without synthesis (RFC 6147 §5.5)"),
    UPSTREAM_QUERIES("upstream-queries", "questions sent upstream"),
    UPSTREAM_TIMEOUTS("upstream-timeouts", "upstream questions without an answer in time"),
    UPSTREAM_ERRORS("upstream-errors", "upstream questions that failed otherwise (unreachable, bad answer)"),
    SERVFAIL("servfail", "SERVFAIL answers sent"),
    TRUNCATED("truncated", "UDP answers truncated (TC set) to fit the client's size"),
    REFUSED_CLIENT("refused-client", "queries from clients outside allow, answered REFUSED"),
    RATE_LIMITED("rate-limited", "UDP queries dropped by the per-client rate limit"),
    FORMERR("formerr", "malformed queries answered FORMERR"),
    NOTIMP("notimp", "queries with an opcode other than QUERY, answered NOTIMP"),
    BADVERS("badvers", "queries with an EDNS version other than 0, answered BADVERS (RFC 6891 §6.1.3)"),
    DROPPED_MALFORMED("dropped-malformed", "datagrams too short to answer (no DNS header)"),
    DROPPED_RESPONSE("dropped-response", "DNS responses received as queries (QR set), dropped"),
    DROPPED_OVERLOAD("dropped-overload", "queries dropped because max-inflight queries were being resolved"),
    TCP_REJECTED("tcp-rejected", "TCP connections closed because tcp-connections were open"),
    TCP_REFUSED_CLIENT("tcp-refused-client", "TCP connections from clients outside allow, closed at accept"),
    TCP_CLIENT_LIMIT("tcp-client-limit", "TCP connections closed at accept: their client had tcp-max-per-client open"),
    TCP_MESSAGE_TIMEOUTS("tcp-message-timeouts",
            "TCP connections closed: a message was not whole within tcp-message-timeout-ms of its first byte"),
    INTERNAL_ERRORS("internal-errors", "queries that failed inside isthmus (answered SERVFAIL, logged)");

    private final String key;
    private final String help;

    Dns64Counter(String key, String help) {
        this.key = key;
        this.help = help;
    }

    public String key() {
        return key;
    }

    public String help() {
        return help;
    }
}
