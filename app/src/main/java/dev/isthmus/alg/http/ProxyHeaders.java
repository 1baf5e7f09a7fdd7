package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The header rewriting of an intermediary (RFC 9110 §7.6): hop-by-hop fields removed, Via added,
 * and the client named to the server in {@code Forwarded} (RFC 7239) and {@code X-Forwarded-For}
 * (in place of whatever the client wrote there).
 */
final class ProxyHeaders {
    /** RFC 9110 §7.6.3: the protocol and a pseudonym of this hop. */
    static final String VIA = "1.1 isthmus";
    /** What may be quoted into Forwarded's host= as it is (RFC 7239 §5.3: the Host header's value). */
    private static final java.util.regex.Pattern HOST_VALUE = java.util.regex.Pattern.compile("[A-Za-z0-9.:\\[\\]-]+");

    /**
     * What a client may not say about itself: the fields in which proxies name the client and the
     * original request (RFC 7239 and its de-facto predecessors). The gateway is the first hop it
     * can vouch for, so it removes what the client wrote there and names the client itself; a
     * backend that trusts these fields (for logs, rate limits, access rules) cannot be lied to.
     */
    static final List<String> CLIENT_IDENTITY = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
            "X-Forwarded-Proto", "X-Real-IP");

    private ProxyHeaders() {}

    /**
     * Prepares a client's request for the server. An absolute-form target (RFC 9112 §3.2.2: every
     * forward-proxy request, and one a client may send to the reverse proxy too) becomes
     * origin-form with Host generated from its authority: the client's own Host, if any, is
     * ignored, so the server sees the site the request was routed to by.
     */
    static void request(HttpRequest req, InetAddress client) {
        String uri = req.uri();
        int scheme = uri.startsWith("/") ? -1 : uri.indexOf("://");
        if (scheme >= 0) {
            int start = scheme + 3;
            int end = Routing.authorityEnd(uri, start);
            String authority = uri.substring(start, end);
            String rest = uri.substring(end);
            req.setUri(rest.startsWith("/") ? rest : "/" + rest);
            req.headers().set("Host", authority);
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        removeHopByHop(req.headers());
        req.headers().remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        CLIENT_IDENTITY.forEach(req.headers()::remove);
        // The HTTP/2 codec's view of the stream (x-http2-scheme, x-http2-stream-id, …), or a
        // client's imitation of it: nothing the server should see.
        for (HttpConversionUtil.ExtensionHeaderNames n : HttpConversionUtil.ExtensionHeaderNames.values()) {
            req.headers().remove(n.text());
        }
        // RFC 9110 §6.2: an intermediary sends its own HTTP version.
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        via(req);
        InetAddress c = AddressSet.unmapped(client);
        req.headers().add("X-Forwarded-For", text(c));
        StringBuilder fwd = new StringBuilder("for=").append(forwardedNode(c)).append(";proto=http");
        if (host != null && HOST_VALUE.matcher(host).matches()) {
            fwd.append(";host=\"").append(host).append('"');
        }
        req.headers().add("Forwarded", fwd.toString());
    }

    /** Prepares a server's response for the client. */
    static void response(HttpMessage res) {
        removeHopByHop(res.headers());
        res.setProtocolVersion(HttpVersion.HTTP_1_1);
        via(res);
    }

    /** RFC 7239 §6: an IPv6 node is bracketed and the value quoted; IPv4 stands bare. */
    static String forwardedNode(InetAddress a) {
        return a instanceof Inet6Address ? "\"[" + text(a) + "]\"" : text(a);
    }

    /** The address in its canonical text (RFC 5952 for IPv6: 2001:db8::1, not 2001:db8:0:0:0:0:0:1). */
    static String text(InetAddress a) {
        return a instanceof Inet6Address ? dev.isthmus.wire.Ipv6Address.ofBytes(a.getAddress()).toString() : a.getHostAddress();
    }

    private static void via(HttpMessage m) {
        String old = m.headers().get(HttpHeaderNames.VIA);
        m.headers().set("Via", old == null ? VIA : old + ", " + VIA);
    }

    /**
     * RFC 9110 §7.6.1: Connection and the fields it names, and Proxy-Connection, Keep-Alive, TE,
     * Upgrade. Transfer-Encoding stays: the codec re-encodes the chunks it decoded, so the
     * framing it announces is still true on the next hop.
     */
    static void removeHopByHop(HttpHeaders h) {
        List<String> named = new ArrayList<>();
        for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : v.split(",")) {
                String t = token.strip();
                if (!t.isEmpty()) {
                    named.add(t);
                }
            }
        }
        for (String n : named) {
            if (!n.equalsIgnoreCase("transfer-encoding") && !n.equalsIgnoreCase("content-length")
                    && !n.equalsIgnoreCase("host")) {
                h.remove(n);
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove("Proxy-Connection");
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.UPGRADE);
    }
}
