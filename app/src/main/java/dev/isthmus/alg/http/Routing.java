package dev.isthmus.alg.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides where a request goes, before any connection is made (a pure function of the request,
 * the listener's routes and the client address, so that it is tested and fuzzed without sockets).
 * The request-target forms are RFC 9112 §3.2: authority-form for CONNECT, absolute-form to a
 * forward proxy, origin-form to a reverse proxy (the site chosen by Host, §3.2.2 / RFC 9110 §7.2).
 */
final class Routing {
    /** A route or a refusal. */
    record Decision(Target target, HttpRefusal refusal, String why) {
        static Decision to(Target t) {
            return new Decision(t, null, null);
        }

        static Decision refuse(HttpRefusal r, String why) {
            return new Decision(null, r, why);
        }
    }

    private Routing() {}

    static Decision route(HttpRequest req, Routes routes, InetAddress client) {
        String uri = req.uri();
        if (req.method().equals(HttpMethod.CONNECT)) {
            return connect(uri, routes, client);
        }
        if (uri.startsWith("/") || uri.equals("*")) {
            return reverse(hostHeader(req), routes);
        }
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return Decision.refuse(HttpRefusal.BAD_REQUEST, "request-target \"" + printable(uri) + "\" is in no known form");
        }
        String s = uri.substring(0, scheme).toLowerCase(Locale.ROOT);
        String authority = uri.substring(scheme + 3, authorityEnd(uri, scheme + 3));
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            // RFC 9110 §4.2.4: userinfo in an http URI is deprecated; a sender must not send it.
            return Decision.refuse(HttpRefusal.BAD_REQUEST, "userinfo in the request-target");
        }
        if (routes.forward() == null) {
            // A server must accept absolute-form (RFC 9112 §3.2.2): the authority picks the site.
            return reverse(authority, routes);
        }
        if (!routes.forward().allow().contains(client)) {
            return Decision.refuse(HttpRefusal.CLIENT_NOT_ALLOWED, "client is not in [http.forward] allow");
        }
        if (!s.equals("http")) {
            return Decision.refuse(HttpRefusal.SCHEME_NOT_SUPPORTED, "scheme \"" + printable(s)
                    + "\": the proxy fetches http only, https goes through CONNECT");
        }
        HostPort hp = HostPort.parse(authority, 80);
        if (hp == null) {
            return Decision.refuse(HttpRefusal.BAD_REQUEST, "authority \"" + printable(authority) + "\" is not host[:port]");
        }
        // Squid's "Safe_ports" idea: a plain HTTP request sent to a well-known port of another
        // protocol (25 SMTP, 110 POP3, …) is a cross-protocol attack, not web browsing.
        if (hp.port() != 80 && hp.port() < 1024) {
            return Decision.refuse(HttpRefusal.DESTINATION_PORT, "port " + hp.port() + " (only 80 and 1024-65535)");
        }
        return Decision.to(new Target(HttpCounters.Kind.FORWARD, hp.host(), hp.port(), null));
    }

    private static Decision connect(String uri, Routes routes, InetAddress client) {
        if (routes.forward() == null) {
            return Decision.refuse(HttpRefusal.BAD_REQUEST, "CONNECT to a listener that is not a forward proxy");
        }
        if (!routes.forward().allow().contains(client)) {
            return Decision.refuse(HttpRefusal.CLIENT_NOT_ALLOWED, "client is not in [http.forward] allow");
        }
        HostPort hp = HostPort.parse(uri, -1);
        if (hp == null) {
            return Decision.refuse(HttpRefusal.BAD_REQUEST, "CONNECT target \"" + printable(uri) + "\" is not host:port");
        }
        if (!routes.forward().connectPorts().contains(hp.port())) {
            return Decision.refuse(HttpRefusal.CONNECT_PORT, "CONNECT to port " + hp.port() + " (allowed: "
                    + new java.util.TreeSet<>(routes.forward().connectPorts()) + ")");
        }
        return Decision.to(new Target(HttpCounters.Kind.CONNECT, hp.host(), hp.port(), null));
    }

    private static Decision reverse(String host, Routes routes) {
        if (host == null) {
            return Decision.refuse(HttpRefusal.BAD_REQUEST, "no Host header (RFC 9112 §3.2 requires one)");
        }
        HostPort hp = HostPort.parse(host, 0);
        ReverseSite site = hp == null ? null : routes.sites().get(hp.host().toLowerCase(Locale.ROOT));
        if (site == null) {
            return Decision.refuse(HttpRefusal.UNKNOWN_SITE, "no site \"" + printable(host) + "\" here");
        }
        return Decision.to(new Target(HttpCounters.Kind.REVERSE, site.host(), site.backend().getPort(), site.backend()));
    }

    private static String hostHeader(HttpRequest req) {
        // RFC 9112 §3.2: more than one Host is a bad request; Netty hands us the first.
        return req.headers().getAll(HttpHeaderNames.HOST).size() > 1 ? null : req.headers().get(HttpHeaderNames.HOST);
    }

    /** Where the authority of an absolute URI that starts at {@code from} ends (RFC 3986 §3.2: at "/", "?" or "#"). */
    static int authorityEnd(String uri, int from) {
        for (int i = from; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }

    /** For log lines: at most 100 characters, control characters replaced. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 100 ? b + "…" : b.toString();
    }

    /** {@code host[:port]} with a bracketed IPv6 literal allowed (RFC 3986 §3.2.2). */
    record HostPort(String host, int port) {
        // Compiled once: every request is parsed with them.
        private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");
        private static final Pattern REG_NAME = Pattern.compile("[A-Za-z0-9._-]+");
        private static final Pattern DIGITS = Pattern.compile("[0-9]+");

        /** Null when malformed; {@code defaultPort} -1 means the port is required. */
        static HostPort parse(String s, int defaultPort) {
            String host;
            String port = null;
            if (s.startsWith("[")) {
                int end = s.indexOf(']');
                if (end < 0) {
                    return null;
                }
                host = s.substring(1, end);
                if (host.isEmpty() || !IPV6_LITERAL.matcher(host).matches()) {
                    return null;
                }
                String rest = s.substring(end + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        return null;
                    }
                    port = rest.substring(1);
                }
            } else {
                int colon = s.indexOf(':');
                host = colon < 0 ? s : s.substring(0, colon);
                port = colon < 0 ? null : s.substring(colon + 1);
                if (host.isEmpty() || !REG_NAME.matcher(host).matches()) {
                    return null;
                }
            }
            int p;
            if (port == null || port.isEmpty()) {
                if (defaultPort < 0) {
                    return null;
                }
                p = defaultPort;
            } else {
                if (port.length() > 5 || !DIGITS.matcher(port).matches()) {
                    return null;
                }
                p = Integer.parseInt(port);
                if (p < 1 || p > 65535) {
                    return null;
                }
            }
            return new HostPort(host, p);
        }
    }
}
