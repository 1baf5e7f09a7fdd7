package dev.isthmus.alg.http;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * One published site of the reverse proxy ({@code [[http.reverse]]}): requests on {@code listen}
 * whose Host is {@code host} go to {@code backend}, typically an IPv4-only web server published
 * to IPv6 clients.
 *
 * @param host the Host name, lower case, without port
 * @param backend the web server
 * @param listen where clients connect
 */
public record ReverseSite(String host, InetSocketAddress backend, InetSocketAddress listen) {
    public ReverseSite {
        host = host.toLowerCase(Locale.ROOT);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(listen, "listen");
    }
}
