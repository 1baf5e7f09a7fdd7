package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link Request#parse} on any bytes, as the control server hands it a request line: never
 * throws; a refusal's message is one printable ASCII line of bounded length (it goes back to the
 * client and into the log); an accepted line is one of the known requests.
 */
class RequestFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"show", "stats", "json", "config", "bindings", "binding", "add", "del", "help", "smtp", "smtp-queue", "flush",
        "delete", " ", "\t", "\r",
        "\"", "\\"})
    void parseNeverThrows(byte[] data) {
        Request r = Request.parse(data, 0, data.length);
        assertNotNull(r.kind());
        if (r.kind() == Request.Kind.INVALID) {
            String e = r.error();
            assertNotNull(e);
            assertTrue(e.length() <= Request.QUOTE_MAX + 64, e);
            for (int i = 0; i < e.length(); i++) {
                char c = e.charAt(i);
                assertTrue(c >= 0x20 && c <= 0x7e, () -> "unprintable character in " + e);
            }
        } else {
            assertNull(r.error());
            String normalized = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .replaceAll("\r$", "").trim().replaceAll("[ \t]+", " ");
            String expected = r.args().isEmpty() ? r.kind().line() : r.kind().line() + " " + String.join(" ", r.args());
            assertEquals(expected, normalized);
        }
    }
}
