package dev.isthmus.dns64;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Everything the DNS64 server needs, validated (config builds it from {@code [dns64]}; tests
 * build it directly).
 *
 * @param listen addresses to serve on, UDP and TCP each
 * @param upstreams recursive resolvers asked in order, the next one after a timeout
 * @param prefixes RFC 6052 prefixes; each A record yields one AAAA per prefix (RFC 6147 §5.2)
 * @param allow client networks that get answers; everyone else gets REFUSED
 * @param allow6 the IPv6 client networks
 * @param excludeIpv4 IPv4 ranges never synthesized (RFC 6147 §5.1.4 and §5, special-use)
 * @param excludeAaaa AAAA ranges treated as absent (RFC 6147 §5.1.4; ::ffff:0:0/96 by default)
 * @param cacheEntries the most answers the cache holds
 * @param cacheMaxTtl the longest an answer is kept, seconds
 * @param upstreamTimeout how long one upstream is given per question
 * @param maxInflight queries being resolved at once; more are dropped and counted
 * @param tcpConnections client TCP connections at once
 * @param tcpMaxPerClient client TCP connections at once from one client address
 * @param tcpIdle how long a client TCP connection may stay silent between messages
 * @param tcpMessageTimeout how long a TCP message may take to arrive whole, from its first byte
 * @param rateLimit UDP queries per second per client address, 0 for no limit
 * @param udpPayload the EDNS0 UDP payload size advertised and used (RFC 6891 §6.2.5)
 */
public record Dns64Settings(
        List<InetSocketAddress> listen,
        List<InetSocketAddress> upstreams,
        List<Rfc6052Prefix> prefixes,
        List<Ipv4Prefix> allow,
        List<Ipv6Prefix> allow6,
        List<Ipv4Prefix> excludeIpv4,
        List<Ipv6Prefix> excludeAaaa,
        int cacheEntries,
        int cacheMaxTtl,
        Duration upstreamTimeout,
        int maxInflight,
        int tcpConnections,
        int tcpMaxPerClient,
        Duration tcpIdle,
        Duration tcpMessageTimeout,
        int rateLimit,
        int udpPayload) {

    /** RFC 6147 §5.1.4: IPv4-mapped addresses in an AAAA record are not usable over IPv6. */
    public static final List<Ipv6Prefix> DEFAULT_EXCLUDE_AAAA = List.of(Ipv6Prefix.parse("::ffff:0:0/96"));

    public Dns64Settings {
        listen = List.copyOf(listen);
        upstreams = List.copyOf(upstreams);
        prefixes = List.copyOf(prefixes);
        allow = List.copyOf(allow);
        allow6 = List.copyOf(allow6);
        excludeIpv4 = List.copyOf(excludeIpv4);
        excludeAaaa = List.copyOf(excludeAaaa);
        if (upstreams.isEmpty() || prefixes.isEmpty()) {
            throw new IllegalArgumentException("DNS64 needs at least one upstream and one prefix");
        }
        if (tcpMaxPerClient < 1 || tcpMaxPerClient > tcpConnections) {
            throw new IllegalArgumentException("tcp max per client " + tcpMaxPerClient + " is not 1.." + tcpConnections);
        }
        if (!tcpMessageTimeout.isPositive()) {
            throw new IllegalArgumentException("tcp message timeout " + tcpMessageTimeout + " is not positive");
        }
        if (udpPayload < 512 || udpPayload > 65535) {
            throw new IllegalArgumentException("udp payload " + udpPayload + " is not 512..65535");
        }
    }

    /** {@code a.b.c.d:port} or {@code [ipv6]:port}, as the config file writes it. */
    public static String addressText(InetSocketAddress a) {
        String host = hostText(a.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** {@code a.b.c.d}, or an IPv6 address in its canonical text (RFC 5952). */
    static String hostText(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 ? Ipv6Address.ofBytes(b).toString() : a.getHostAddress();
    }
}
