package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP gateway's request path (Netty's HTTP/1.1 decoder, routing, the header rewriting, the
 * refusals, HTTP/2 with prior knowledge) on any bytes from a client that may use the forward
 * proxy: nothing throws out of the pipeline, and whatever the gateway writes back is HTTP/1.1
 * responses, or HTTP/2 frames starting with SETTINGS after a connection preface.
 */
class HttpRequestFuzzTest {
    static final String H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    @FuzzTest(maxDuration = "30s")
    // libFuzzer's dictionary file is line based: CR and LF are written as its \x escapes.
    @DictionaryEntries({"GET ", "CONNECT ", "POST ", "HEAD ", " HTTP/1.1", " HTTP/1.0", "\\x0d\\x0a", "Host: ",
        "www.example.test", "http://", "https://", "[2001:db8::1]", ":443", ":25", "Content-Length: ",
        "Transfer-Encoding: chunked", "Connection: close", "Expect: 100-continue", "0\\x0d\\x0a\\x0d\\x0a"})
    void requestHandlingNeverThrows(byte[] data) {
        HttpCounters counters = new HttpCounters();
        EmbeddedChannel ch = GatewayChannels.client(new InetSocketAddress("2001:db8:6::2", 40000), counters);
        // Two writes, split in the middle, as TCP may deliver them.
        int half = data.length / 2;
        ch.writeInbound(Unpooled.wrappedBuffer(data, 0, half));
        if (ch.isOpen()) {
            // A refusal closes the connection: on a socket nothing more would be read.
            ch.writeInbound(Unpooled.wrappedBuffer(data, half, data.length - half));
        }
        ch.runPendingTasks();
        ch.checkException();
        StringBuilder out = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        if (new String(data, StandardCharsets.ISO_8859_1).startsWith(H2_PREFACE)) {
            // HTTP/2 with prior knowledge: the server's first frame is its SETTINGS (RFC 9113 §3.4).
            assertTrue(out.length() >= 9 && out.charAt(3) == 0x04, () -> "no SETTINGS frame first: " + out);
        } else {
            assertTrue(out.isEmpty() || out.toString().startsWith("HTTP/1.1 "), () -> "not a response: " + out);
        }
        ch.finishAndReleaseAll();
    }
}
