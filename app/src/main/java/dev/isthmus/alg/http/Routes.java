package dev.isthmus.alg.http;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What one listening address serves: the forward proxy (or null) and the reverse-proxied sites
 * by lower-case host name.
 */
record Routes(InetSocketAddress listen, ForwardSettings forward, Map<String, ReverseSite> sites) {
    Routes {
        sites = Map.copyOf(sites);
    }
}
