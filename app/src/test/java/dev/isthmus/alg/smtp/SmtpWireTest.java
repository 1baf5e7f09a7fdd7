package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The client's byte-level pieces: reply reading (RFC 5321 §4.2), dot-stuffing (§4.5.2), the back-off. */
class SmtpWireTest {
    private static Reply read(String s) throws IOException {
        return new ReplyReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8))).read();
    }

    @Test
    void multilineReply() throws IOException {
        Reply r = read("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n");
        assertEquals(250, r.code());
        assertEquals(List.of("mx.example", "PIPELINING", "SIZE 1000"), r.lines());
    }

    @Test
    void enhancedStatusOnlyWhenItsClassMatches() throws IOException {
        assertEquals("5.1.1", read("550 5.1.1 no such user\r\n").enhancedStatus());
        assertNull(read("550 4.1.1 odd\r\n").enhancedStatus());
        assertNull(read("250 ok\r\n").enhancedStatus());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "25 short",
        "abc text",
        "150 below 200",
        "250-first\\r\\n251 other code",
        "250+bad separator",
        "250-no end"})
    void malformedRepliesAreRefused(String text) {
        // "250-no end": a continuation, then the connection closes.
        assertThrows(IOException.class, () -> read(text.replace("\\r\\n", "\r\n") + "\r\n"));
    }

    @Test
    void overlongLineIsRefused() {
        assertThrows(IOException.class, () -> read("250 " + "x".repeat(ReplyReader.MAX_LINE) + "\r\n"));
    }

    @Test
    void dotStuffingDoublesALeadingDotAndEndsWithDotLine() throws IOException {
        String content = "Subject: x\r\n\r\n.hidden\r\n..two\r\nmid.dle\r\n.\r\nlast";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffing.send(new ByteArrayInputStream(content.getBytes(StandardCharsets.US_ASCII)), out);
        assertEquals("Subject: x\r\n\r\n..hidden\r\n...two\r\nmid.dle\r\n..\r\nlast\r\n.\r\n",
                out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void dotStuffingOfEmptyContentIsTheEndLineAlone() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffing.send(new ByteArrayInputStream(new byte[0]), out);
        assertEquals(".\r\n", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void backoffDoublesFromTheFirstRetryUpToTheMaximum() {
        Duration first = Duration.ofMinutes(5);
        Duration max = Duration.ofMinutes(30);
        assertEquals(List.of(5L, 10L, 20L, 30L, 30L), List.of(1, 2, 3, 4, 50).stream()
                .map(n -> Backoff.after(n, first, max).toMinutes()).toList());
    }
}
