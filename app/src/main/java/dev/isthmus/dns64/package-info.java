/**
 * The DNS64 server (RFC 6147): a recursive-facing DNS service that answers AAAA queries for names
 * that have only A records with AAAA records synthesized under the NAT64 prefix (RFC 6052), so
 * that IPv6-only clients reach IPv4-only servers by name through the translator.
 *
 * <p>The message codec is dnsjava's; this package holds the policy: {@link Dns64Resolver} (the
 * RFC 6147 §5 algorithm), {@link Synthesis} (the rewriting rules of §5.1.4–§5.1.7 and §5.3),
 * {@link AnswerCache} (TTL-bounded, coalescing), {@link QueryHandler} (one query's bytes in, one
 * answer's bytes out, every refusal counted; {@link PlainQuery} finds a cached answer without a
 * parse) and {@link Dns64Server} (the UDP loop over {@link BatchUdpSocket}, a batch of datagrams
 * per system call, and the TCP loop, each connection a {@link TcpConnection}).
 */
package dev.isthmus.dns64;
