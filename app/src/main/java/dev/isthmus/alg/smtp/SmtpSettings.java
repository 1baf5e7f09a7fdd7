package dev.isthmus.alg.smtp;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.Ipv6Prefix;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The SMTP relay ({@code [smtp]}). The config section builds it (config package); the server
 * side, the spool and the delivery side read it. SKELETON of the shared contract: add fields with
 * defaults if needed, and say so.
 *
 * @param listen where the relay accepts mail (each address: one listener)
 * @param hostname this relay's name: EHLO/HELO to servers, the 220 greeting, Received headers
 * @param allow the clients that may relay (required, no default: an open relay is a bug)
 * @param spool the spool directory
 * @param resolvers DNS servers for MX/A/AAAA lookups; empty: the system's (/etc/resolv.conf)
 * @param smarthost send everything to this next hop instead of MX, or null
 * @param maxMessageSize SIZE (RFC 1870): larger messages refused with 552
 * @param preferIpv6 try IPv6 addresses of an MX first (false: IPv4 first), like Postfix's
 *     smtp_address_preference; the other family is the fallback either way
 * @param dns64Prefixes prefixes whose AAAA records are synthesized (DNS64): never delivered to
 *     (they go through a NAT64 and the receiver's SPF sees its address); the A record is used
 * @param firstRetry the first retry after a temporary failure (≤ 5 min)
 * @param maxRetryInterval the retry interval grows up to this (≤ 30 min)
 * @param maxQueueLifetime give up and bounce after this (5 days)
 * @param perDestinationConcurrency connections at once to one destination domain (or smarthost)
 * @param maxConnections client connections at once, every listener together
 * @param maxPerClient client connections at once from one address
 * @param tlsCertificate PEM certificate chain for STARTTLS (RFC 3207), or null for no STARTTLS
 * @param tlsKey PEM private key for STARTTLS, or null
 * @param users AUTH PLAIN/LOGIN users (after STARTTLS only), user → password; empty: no AUTH
 * @param connectionCacheTime how long a delivery connection stays open, idle, for the next message
 *     to the same next hop (Postfix's smtp_connection_cache_time_limit); zero: no reuse
 * @param dns64Discovery learn DNS64 prefixes from the resolver too (RFC 7050, {@link Dns64Discovery}),
 *     used together with {@code dns64Prefixes}
 * @param refusalLimit when a client is refused at connect for its relay refusals ({@link RefusalTracker})
 */
public record SmtpSettings(List<InetSocketAddress> listen, String hostname, AddressSet allow, Path spool,
        List<InetSocketAddress> resolvers, InetSocketAddress smarthost, long maxMessageSize, boolean preferIpv6,
        List<Ipv6Prefix> dns64Prefixes, Duration firstRetry, Duration maxRetryInterval, Duration maxQueueLifetime,
        int perDestinationConcurrency, int maxConnections, int maxPerClient, Path tlsCertificate, Path tlsKey,
        java.util.Map<String, String> users, Duration connectionCacheTime, boolean dns64Discovery,
        RefusalLimit refusalLimit) {
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 52_428_800;
    public static final Duration DEFAULT_FIRST_RETRY = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MAX_RETRY_INTERVAL = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MAX_QUEUE_LIFETIME = Duration.ofDays(5);
    public static final int DEFAULT_PER_DESTINATION_CONCURRENCY = 20;
    /** Postfix's default: long enough for a queue run's next message, short enough not to hold a server's slot. */
    public static final Duration DEFAULT_CONNECTION_CACHE_TIME = Duration.ofSeconds(2);

    /** Blocking by refusal rate: a client with this many relay refusals within the window is refused for the block. */
    public record RefusalLimit(int limit, Duration window, Duration block) {
        /** As docs/SMTP.md says: 10 refusals in a minute block the client for ten minutes. */
        public static final RefusalLimit DEFAULT = new RefusalLimit(10, Duration.ofMinutes(1), Duration.ofMinutes(10));

        /** {@code refusal-limit = 0}: no blocking. */
        public boolean enabled() {
            return limit > 0;
        }
    }

    public SmtpSettings {
        listen = List.copyOf(listen);
        resolvers = List.copyOf(resolvers);
        dns64Prefixes = List.copyOf(dns64Prefixes);
        users = java.util.Map.copyOf(users);
    }

    /** Without the keys added later: their defaults (connection cache, DNS64 discovery on, refusal limit). */
    public SmtpSettings(List<InetSocketAddress> listen, String hostname, AddressSet allow, Path spool,
            List<InetSocketAddress> resolvers, InetSocketAddress smarthost, long maxMessageSize, boolean preferIpv6,
            List<Ipv6Prefix> dns64Prefixes, Duration firstRetry, Duration maxRetryInterval, Duration maxQueueLifetime,
            int perDestinationConcurrency, int maxConnections, int maxPerClient, Path tlsCertificate, Path tlsKey,
            java.util.Map<String, String> users) {
        this(listen, hostname, allow, spool, resolvers, smarthost, maxMessageSize, preferIpv6, dns64Prefixes,
                firstRetry, maxRetryInterval, maxQueueLifetime, perDestinationConcurrency, maxConnections,
                maxPerClient, tlsCertificate, tlsKey, users, DEFAULT_CONNECTION_CACHE_TIME, true, RefusalLimit.DEFAULT);
    }

    /** These settings with another {@code connectionCacheTime}. */
    public SmtpSettings withConnectionCacheTime(Duration d) {
        return new SmtpSettings(listen, hostname, allow, spool, resolvers, smarthost, maxMessageSize, preferIpv6,
                dns64Prefixes, firstRetry, maxRetryInterval, maxQueueLifetime, perDestinationConcurrency,
                maxConnections, maxPerClient, tlsCertificate, tlsKey, users, d, dns64Discovery, refusalLimit);
    }
}
