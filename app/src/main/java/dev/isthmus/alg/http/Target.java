package dev.isthmus.alg.http;

import java.net.InetSocketAddress;

/**
 * Where a request goes: a host (name or literal) and port, as the request named it (forward
 * proxy), or a configured backend (reverse proxy, already an address).
 *
 * @param kind what kind of request it is
 * @param host the host name or address literal (without brackets)
 * @param port the port
 * @param backend the reverse proxy's backend; null for the forward proxy, which resolves {@code host}
 */
record Target(HttpCounters.Kind kind, String host, int port, InetSocketAddress backend) {
    /** The key under which a server connection can be kept and reused for the next request. */
    String key() {
        return host + " " + port;
    }
}
