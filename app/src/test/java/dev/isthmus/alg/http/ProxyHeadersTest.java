package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an intermediary changes in the messages it passes on (RFC 9110 §7.6, RFC 7239, RFC 9112 §3.2.2). */
class ProxyHeadersTest {
    @Test
    void aForwardedRequestBecomesOriginFormWithHostFromTheUri() throws Exception {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "http://www.v4only.test:8080?q=1");
        req.headers().set("Host", "wrong.test");
        ProxyHeaders.request(req, InetAddress.getByName("2001:db8:6::2"));
        assertEquals("/?q=1", req.uri());
        assertEquals("www.v4only.test:8080", req.headers().get("Host"));
        assertEquals(HttpVersion.HTTP_1_1, req.protocolVersion());
        assertEquals("2001:db8:6::2", req.headers().get("X-Forwarded-For"));
        assertEquals("for=\"[2001:db8:6::2]\";proto=http;host=\"www.v4only.test:8080\"", req.headers().get("Forwarded"));
        assertEquals("1.1 isthmus", req.headers().get("Via"));
    }

    @Test
    void whatTheClientSaysAboutItselfIsReplacedAndIpv4ClientsStandBare() throws Exception {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set("Host", "www.example.test");
        req.headers().add("X-Forwarded-For", "192.0.2.9");
        req.headers().add("Forwarded", "for=192.0.2.9");
        req.headers().add("X-Forwarded-Host", "admin.example.test");
        req.headers().add("X-Forwarded-Proto", "https");
        req.headers().add("X-Real-IP", "192.0.2.9");
        req.headers().set("Via", "1.0 edge");
        ProxyHeaders.request(req, InetAddress.getByName("::ffff:198.51.100.7"));
        assertEquals(List.of("198.51.100.7"), req.headers().getAll("X-Forwarded-For"));
        assertEquals(List.of("for=198.51.100.7;proto=http;host=\"www.example.test\""), req.headers().getAll("Forwarded"));
        assertFalse(req.headers().contains("X-Forwarded-Host"));
        assertFalse(req.headers().contains("X-Forwarded-Proto"));
        assertFalse(req.headers().contains("X-Real-IP"));
        assertEquals("1.0 edge, 1.1 isthmus", req.headers().get("Via"));
        assertEquals("/", req.uri());
    }

    @Test
    void anAbsoluteFormRequestToASiteIsOriginFormWithHostFromTheTarget() throws Exception {
        // RFC 9112 §3.2.2: "the origin server MUST ignore the received Host header field".
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://www.example.test/j");
        req.headers().set("Host", "evil.test");
        ProxyHeaders.request(req, InetAddress.getByName("2001:db8:99::2"));
        assertEquals("/j", req.uri());
        assertEquals(List.of("www.example.test"), req.headers().getAll("Host"));
        assertEquals("for=\"[2001:db8:99::2]\";proto=http;host=\"www.example.test\"", req.headers().get("Forwarded"));
    }

    @Test
    void theHttp2CodecsStreamFieldsStayHere() throws Exception {
        // What Http2StreamFrameToHttpObjectCodec adds to a request it makes of HEADERS.
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set("Host", "www.example.test");
        req.headers().set("x-http2-scheme", "http");
        req.headers().set("x-http2-stream-id", "3");
        req.headers().set("x-http2-stream-weight", "16");
        ProxyHeaders.request(req, InetAddress.getByName("2001:db8:99::2"));
        assertEquals(List.of(), req.headers().names().stream().filter(n -> n.startsWith("x-http2")).toList());
        assertEquals("www.example.test", req.headers().get("Host"));
    }

    @Test
    void hopByHopFieldsAndWhatConnectionNamesAreRemoved() {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set("Connection", "keep-alive, X-Secret");
        res.headers().set("X-Secret", "1");
        res.headers().set("Keep-Alive", "timeout=5");
        res.headers().set("Upgrade", "h2c");
        res.headers().set("Transfer-Encoding", "chunked");
        ProxyHeaders.response(res);
        assertNull(res.headers().get("Connection"));
        assertNull(res.headers().get("X-Secret"));
        assertNull(res.headers().get("Keep-Alive"));
        assertFalse(res.headers().contains("Upgrade"));
        assertEquals("chunked", res.headers().get("Transfer-Encoding"));
        assertEquals("1.1 isthmus", res.headers().get("Via"));
    }
}
