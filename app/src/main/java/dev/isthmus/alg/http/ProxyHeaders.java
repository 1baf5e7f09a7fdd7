package dev.isthmus.alg.http;

import dev.isthmus.addr.AddressSet;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The header rewriting of an intermediary (RFC 9110 §7.6): hop-by-hop fields removed, Via added,
 * and the client named to the server in {@code Forwarded} (RFC 7239) and {@code X-Forwarded-For}.
 */
final class ProxyHeaders {
    /** RFC 9110 §7.6.3: the protocol and a pseudonym of this hop. */
    static final String VIA = "1.1 isthmus";
    /** What may be quoted into Forwarded's host= as it is (RFC 7239 §5.3: the Host header's value). */
    private static final java.util.regex.Pattern HOST_VALUE = java.util.regex.Pattern.compile("[A-Za-z0-9.:\\[\\]-]+");

    private ProxyHeaders() {}

    /**
     * Prepares a client's request for the server.
     *
     * @param forward whether it came to the forward proxy (absolute-form to origin-form, Host
     *     from the target URI: RFC 9112 §3.2.2)
     */
    static void request(HttpRequest req, Target t, InetAddress client, boolean forward) {
        if (forward) {
            String uri = req.uri();
            int start = uri.indexOf("://") + 3;
            int end = Routing.authorityEnd(uri, start);
            String authority = uri.substring(start, end);
            String rest = uri.substring(end);
            req.setUri(rest.startsWith("/") ? rest : "/" + rest);
            req.headers().set("Host", authority);
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        removeHopByHop(req.headers());
        req.headers().remove(HttpHeaderNames.PROXY_AUTHORIZATION);
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
