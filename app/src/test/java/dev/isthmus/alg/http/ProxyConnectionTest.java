package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refusal of the request path answers with its status code, is counted and closes the connection. */
class ProxyConnectionTest {

    @ParameterizedTest(name = "{1} {0}")
    @CsvSource(delimiter = '|', value = {
        "GET http://www.v4only.test/ HTTP/1.1\\r\\nHost: www.v4only.test\\r\\n\\r\\n| 2001:db8:99::2| CLIENT_NOT_ALLOWED",
        "CONNECT smtp.v4only.test:25 HTTP/1.1\\r\\nHost: smtp.v4only.test:25\\r\\n\\r\\n| 2001:db8:6::2| CONNECT_PORT",
        "GET / HTTP/1.1\\r\\nHost: nowhere.test\\r\\n\\r\\n| 2001:db8:99::2| UNKNOWN_SITE",
        "GET / HTTP/1.1\\r\\nHost: www.example.test\\r\\n\\r\\n| 2001:db8:99::2| CONNECT_FAILED",
        "GET /HTTP/1.1\\r\\n\\r\\n| 2001:db8:99::2| BAD_REQUEST",
        "GET /HEADER HTTP/1.1\\r\\nX: LONG\\r\\n\\r\\n| 2001:db8:99::2| HEADER_TOO_LARGE",
        "GET /LONG HTTP/1.1\\r\\n\\r\\n| 2001:db8:99::2| URI_TOO_LONG",
    })
    void refusalsAnswerWithTheirStatusAndAreCounted(String request, String client, HttpRefusal expected) {
        String text = request.replace("\\r\\n", "\r\n").replace("LONG", "a".repeat(2000));
        HttpCounters counters = new HttpCounters();
        EmbeddedChannel ch = GatewayChannels.client(new InetSocketAddress(client, 40000), counters);
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        ch.checkException();
        ByteBuf out = ch.readOutbound();
        String response = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        assertTrue(response.startsWith("HTTP/1.1 " + expected.status() + " "), response);
        assertTrue(response.contains(expected.key()), response);
        assertEquals(1, counters.refused(expected));
        assertFalse(ch.isActive(), "a refusal closes the connection");
        ch.finishAndReleaseAll();
    }

    // ---- issue 19: destinations behind the translator, body framing, Host -------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // 169.254.169.254 (the cloud metadata service) through pool6, RFC 6052 §2.4's /96 layout.
        "GET http://[2001:db8:64::a9fe:a9fe]/latest/meta-data/ HTTP/1.1\\r\\nHost: [2001:db8:64::a9fe:a9fe]\\r\\n\\r\\n",
        // 127.0.0.1 through pool6.
        "CONNECT [2001:db8:64::7f00:1]:443 HTTP/1.1\\r\\nHost: [2001:db8:64::7f00:1]:443\\r\\n\\r\\n",
    })
    void aDestinationWrittenInPool6IsRefusedAsItsIpv4Address(String request) {
        HttpCounters counters = new HttpCounters();
        EmbeddedChannel ch = GatewayChannels.client(new InetSocketAddress("2001:db8:6::2", 40000), counters,
                GatewayChannels.ROUTES, GatewayChannels.translating());
        GatewayChannels.send(ch, request.replace("\\r\\n", "\r\n"));
        String response = GatewayChannels.written(ch);
        assertTrue(response.startsWith("HTTP/1.1 403 "), response);
        assertTrue(response.contains("destination-refused"), response);
        assertEquals(1, counters.refused(HttpRefusal.DESTINATION_REFUSED));
        assertFalse(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // RFC 9112 §7.1: a chunk is exactly chunk-size octets, then CRLF. Here 3 announced, 5 sent.
        "chunk longer than its size| 3\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        "size beyond any body      | ffffffffffffffffffff\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        "negative size             | -5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
    })
    void aMalformedChunkedBodyAbortsTheServersRequestAndAnswers400(String what, String body) {
        GatewayChannels.Exchange x = GatewayChannels.Exchange.to(GatewayChannels.ROUTES);
        EmbeddedChannel ch = x.client();
        EmbeddedChannel server = x.server();
        GatewayChannels.send(ch, "POST /upload HTTP/1.1\r\nHost: www.example.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + body.strip().replace("\\r\\n", "\r\n"));
        String response = GatewayChannels.written(ch);
        assertTrue(response.startsWith("HTTP/1.1 400 "), response);
        assertTrue(response.contains("bad-body"), response);
        assertEquals(1, x.counters().refused(HttpRefusal.BAD_BODY));
        assertFalse(ch.isActive());
        String toServer = GatewayChannels.written(server);
        assertFalse(server.isOpen(), "the server's connection is closed under the unfinished request");
        // The last chunk (RFC 9112 §7.1) would tell the server the body is complete.
        assertFalse(toServer.contains("\r\n0\r\n\r\n"), toServer);
        ch.finishAndReleaseAll();
    }

    @Test
    void aMalformedChunkedResponseIsCutOffNotEndedForTheClient() {
        GatewayChannels.Exchange x = GatewayChannels.Exchange.to(GatewayChannels.ROUTES);
        EmbeddedChannel ch = x.client();
        EmbeddedChannel server = x.server();
        GatewayChannels.send(ch, "GET /page HTTP/1.1\r\nHost: www.example.test\r\n\r\n");
        assertTrue(GatewayChannels.written(server).startsWith("GET /page HTTP/1.1\r\n"));
        // The head in one read (it goes out to the client), the broken chunk in the next.
        GatewayChannels.send(server, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        GatewayChannels.send(server, "3\r\nhello\r\n0\r\n\r\n");
        ch.runPendingTasks();
        String response = GatewayChannels.written(ch);
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        assertFalse(response.contains("\r\n0\r\n\r\n"), "a truncated body must not look complete: " + response);
        assertFalse(ch.isActive(), "the client learns of the failure by the close");
        assertEquals(1, x.counters().refused(HttpRefusal.BAD_GATEWAY));
        ch.finishAndReleaseAll();
    }

    @Test
    void anAbsoluteFormRequestToASiteGetsHostFromItsTargetAndNoClientForwardingFields() {
        GatewayChannels.Exchange x = GatewayChannels.Exchange.to(GatewayChannels.SITE_ONLY);
        EmbeddedChannel ch = x.client();
        EmbeddedChannel server = x.server();
        GatewayChannels.send(ch, "GET http://www.example.test/j HTTP/1.1\r\nHost: evil.test\r\n"
                + "X-Forwarded-For: 10.9.9.9\r\nForwarded: for=10.9.9.9;host=evil.test\r\n"
                + "x-http2-stream-id: 3\r\n\r\n");
        String toServer = GatewayChannels.written(server);
        // RFC 9112 §3.2.2: Host is generated from the absolute-form target, the client's is ignored.
        assertTrue(toServer.startsWith("GET /j HTTP/1.1\r\n"), toServer);
        assertTrue(toServer.contains("Host: www.example.test\r\n"), toServer);
        assertTrue(toServer.contains("Forwarded: for=\"[2001:db8:99::2]\";proto=http;host=\"www.example.test\"\r\n"),
                toServer);
        assertTrue(toServer.contains("X-Forwarded-For: 2001:db8:99::2\r\n"), toServer);
        assertFalse(toServer.contains("evil.test"), toServer);
        assertFalse(toServer.contains("10.9.9.9"), toServer);
        assertFalse(toServer.contains("x-http2"), toServer);
        assertEquals(1, x.counters().requests(HttpCounters.Kind.REVERSE));
        ch.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }
}
