package dev.isthmus.alg.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP gateway ({@code [http]}): a forward proxy, reverse-proxied sites, or both, and the
 * limits every connection gets.
 *
 * @param forward the forward proxy, or null when there is none
 * @param reverse the published sites (may be empty)
 * @param maxHeaderBytes the longest request head (request line and headers); longer is refused
 *     with 431 (RFC 6585 §5) or, for the request line, 414
 * @param idleTimeout a client connection with no traffic for this long is closed
 * @param connectTimeout how long a connection to a server may take (each attempt, RFC 8305)
 * @param maxConnections client connections at once, every listener of the gateway together; more
 *     are closed at accept
 * @param maxPerClient client connections at once from one client address; more are closed at accept
 * @param requestHeadTimeout how long a request head may take to arrive whole: from accept for the
 *     first, from its first byte for the next on a kept-alive connection; bytes that trickle in do
 *     not extend it (as they would the idle timeout)
 */
public record HttpSettings(ForwardSettings forward, List<ReverseSite> reverse, int maxHeaderBytes,
        Duration idleTimeout, Duration connectTimeout, int maxConnections, int maxPerClient,
        Duration requestHeadTimeout) {
    public static final int DEFAULT_MAX_HEADER_BYTES = 16384;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** As a relay's ({@code [[relay]] max-connections}). */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** As a relay's ({@code [[relay]] max-per-client}): a browser opens 6 or so per site. */
    public static final int DEFAULT_MAX_PER_CLIENT = 64;
    /**
     * A request head is a segment or a few: 10 s is many round trips even on a slow link, and a
     * client that trickles its head holds a connection for no longer.
     */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);

    public HttpSettings {
        reverse = List.copyOf(reverse);
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout");
        if (maxConnections < 1 || maxPerClient < 1 || !requestHeadTimeout.isPositive()) {
            throw new IllegalArgumentException("max connections " + maxConnections + ", per client " + maxPerClient
                    + ", request head timeout " + requestHeadTimeout);
        }
    }
}
