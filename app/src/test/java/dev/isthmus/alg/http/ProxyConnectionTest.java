package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
}
