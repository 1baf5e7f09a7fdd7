package dev.isthmus.alg.sip.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.sip.media.MediaSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code [sip]} section (docs/CONFIG.md).
 *
 * @param listen the proxy's own addresses, UDP and TCP on each; they go into Via and Record-Route,
 *     so they are concrete addresses, at most one per family
 * @param allow the phones and servers the proxy talks to, either way: requests from other sources
 *     get 403, requests to other destinations get 403 too (no open relay)
 * @param domain the registrar's domain, or null: then only Request-URIs with addresses are routed
 * @param relay when the media relay joins a call
 * @param media the media relay's addresses and ports, or null for none (cross-family calls then
 *     get 488: their media could not flow)
 * @param maxTransactions server transactions at once; beyond, 503
 * @param maxRegistrations contact bindings at once; beyond, 503
 * @param maxConnections TCP connections at once, accepted and opened
 * @param maxPerClient TCP connections per client address
 * @param maxExpires the longest registration granted (RFC 3261 §10.3 step 7 lets the registrar shorten)
 * @param firstRequestDeadline how long an accepted TCP connection may wait before its first message
 * @param users name to password of the {@code [[sip.users]]}: when there are any, REGISTERs and
 *     the requests of users of {@code domain} must authenticate (RFC 3261 §22, realm {@code domain})
 * @param digestAlgorithms the digest algorithms challenged with, in order ({@code MD5}, {@code SHA-256})
 */
public record SipSettings(List<InetSocketAddress> listen, AddressSet allow, String domain, RelayMode relay,
        MediaSettings media, int maxTransactions, int maxRegistrations, int maxConnections, int maxPerClient,
        Duration maxExpires, Duration firstRequestDeadline, Map<String, String> users, List<String> digestAlgorithms) {

    /**
     * A finished transaction stays 5 s, so this carries 5,000 calls a second (an INVITE and a BYE
     * each); a transaction holds its request, what was forwarded and the last response, some 5 KB.
     */
    public static final int DEFAULT_MAX_TRANSACTIONS = 50_000;
    public static final int DEFAULT_MAX_REGISTRATIONS = 10_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 1_000;
    public static final int DEFAULT_MAX_PER_CLIENT = 20;
    /** RFC 3261 §10.2.1.1: 3600 s is the default a client asks for. */
    public static final Duration DEFAULT_MAX_EXPIRES = Duration.ofHours(1);
    public static final Duration DEFAULT_FIRST_REQUEST_DEADLINE = Duration.ofSeconds(10);
    /**
     * MD5 only: phones on libre 1.x (baresip) give up on a challenge whose algorithm they do not
     * know instead of skipping it, so offering RFC 8760's SHA-256 beside MD5 locks them out.
     */
    public static final List<String> DEFAULT_DIGEST_ALGORITHMS = List.of("MD5");

    /** When the media relay joins a call. */
    public enum RelayMode {
        /** When the two legs are of different address families (the default). */
        AUTO,
        /** Always (topology hiding, or endpoints behind NAT). */
        ALWAYS;

        /** The config text. */
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public SipSettings {
        listen = List.copyOf(listen);
        users = Map.copyOf(users);
        digestAlgorithms = List.copyOf(digestAlgorithms);
        if (!users.isEmpty() && domain == null) {
            throw new IllegalArgumentException("users without a domain: the domain is the digest realm");
        }
    }

    /** Without {@code [[sip.users]]}: no authentication. */
    public SipSettings(List<InetSocketAddress> listen, AddressSet allow, String domain, RelayMode relay,
            MediaSettings media, int maxTransactions, int maxRegistrations, int maxConnections, int maxPerClient,
            Duration maxExpires, Duration firstRequestDeadline) {
        this(listen, allow, domain, relay, media, maxTransactions, maxRegistrations, maxConnections, maxPerClient,
                maxExpires, firstRequestDeadline, Map.of(), DEFAULT_DIGEST_ALGORITHMS);
    }
}
