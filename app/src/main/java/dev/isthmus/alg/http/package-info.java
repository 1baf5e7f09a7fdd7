/**
 * The HTTP gateway (the seed's "www6to4" proxy and the dual-stack web proxy): a forward proxy
 * (absolute-URI requests and CONNECT, RFC 9112 §3.2 / RFC 9110 §9.3.6) that lets browsers on an
 * IPv6-only network reach IPv4-only sites and the reverse, with Happy Eyeballs (RFC 8305) towards
 * names of both families; and a reverse proxy that publishes IPv4-only web servers to IPv6
 * clients, naming the client to the server in {@code Forwarded} (RFC 7239) and
 * {@code X-Forwarded-For}.
 *
 * <p>Netty's HTTP/1.1 codec parses; this package routes ({@link dev.isthmus.alg.http.Routing}),
 * rewrites the headers of an intermediary and streams bodies with backpressure
 * ({@link dev.isthmus.alg.http.ProxyConnection}). Secure by default: only the configured client
 * networks may use the forward proxy, CONNECT reaches only the allowed ports, and loopback,
 * link-local and the gateway's own addresses are refused; every refusal has a status code, a
 * counter and a log line.
 *
 * <p>Socket plane: uses {@code relay} (splice, address sets, event loops) and the layers below it.
 */
package dev.isthmus.alg.http;
