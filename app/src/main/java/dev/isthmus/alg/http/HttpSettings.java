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
 */
public record HttpSettings(ForwardSettings forward, List<ReverseSite> reverse, int maxHeaderBytes,
        Duration idleTimeout, Duration connectTimeout) {
    public static final int DEFAULT_MAX_HEADER_BYTES = 16384;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public HttpSettings {
        reverse = List.copyOf(reverse);
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }
}
