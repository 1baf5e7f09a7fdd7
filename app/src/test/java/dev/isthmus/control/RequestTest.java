package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestTest {

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @CsvSource(delimiter = '|', value = {
        "show stats|STATS_TEXT",
        "show stats json|STATS_JSON",
        "show config|CONFIG",
        "help|HELP",
        "show smtp-queue|SMTP_QUEUE_TEXT",
        "show smtp-queue json|SMTP_QUEUE_JSON",
        "smtp flush|SMTP_FLUSH_ALL",
        "smtp flush 0193a4f2c81d00007e21b9|SMTP_FLUSH",
        "smtp delete 0193a4f2c81d00007e21b9|SMTP_DELETE",
        "'  show   stats  '|STATS_TEXT",
        "'show\tstats\tjson'|STATS_JSON",
        "'show config\r'|CONFIG",
    })
    void acceptedLines(String line, Request.Kind kind) {
        Request r = Request.parse(line);
        assertEquals(kind, r.kind());
        assertNull(r.error());
    }

    @ParameterizedTest(name = "\"{0}\" is refused: {1}")
    @CsvSource(delimiter = '|', value = {
        "''|empty request",
        "'   '|empty request",
        "show|unknown request \"show\"",
        "show stats xml|unknown request \"show stats xml\"",
        "SHOW STATS|unknown request \"SHOW STATS\"",
        "smtp delete|\"smtp delete\" takes 1 argument",
        "smtp flush a b|\"smtp flush\" takes 1 argument",
        "show smtp-queue xml|unknown request \"show smtp-queue xml\"",
        "show \"x\\|unknown request \"show \\\"x\\\\\"",
    })
    void refusedLines(String line, String message) {
        Request r = Request.parse(line);
        assertEquals(Request.Kind.INVALID, r.kind());
        assertTrue(r.error().contains(message), r.error());
    }

    @Test
    void nonAsciiIsNamedByByteAndOffset() {
        byte[] b = "show st\u00e4ts".getBytes(StandardCharsets.UTF_8);
        Request r = Request.parse(b, 0, b.length);
        assertEquals("request is not printable ASCII (byte 195 at offset 7)", r.error());
        assertEquals("request is not printable ASCII (byte 0 at offset 4)", Request.parse("show\0stats").error());
    }

    @Test
    void longUnknownRequestIsQuotedShort() {
        Request r = Request.parse("x".repeat(1000));
        assertTrue(r.error().length() < Request.QUOTE_MAX + 40, r.error());
        assertTrue(r.error().contains("..."), r.error());
    }

    @Test
    void kindAndErrorGoTogether() {
        assertThrows(IllegalArgumentException.class, () -> new Request(Request.Kind.CONFIG, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Request(Request.Kind.INVALID, null));
    }

    @Test
    void helpNamesEveryRequest() {
        for (Request.Kind k : Request.Kind.values()) {
            if (k != Request.Kind.INVALID) {
                assertTrue(Request.help().contains(k.line() + " "), k.line());
                String args = " a1 b2 c3".substring(0, 3 * k.args());
                Request r = Request.parse(k.line() + args);
                assertEquals(k, r.kind(), r::toString);
                assertEquals(k.args(), r.args().size());
            }
        }
    }
}
