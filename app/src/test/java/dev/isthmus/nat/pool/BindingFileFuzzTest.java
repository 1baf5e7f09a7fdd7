package dev.isthmus.nat.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@link BindingFile#parse} on any bytes, as {@link DynamicPoolService} reads the file at start:
 * never throws; every line is an entry, a problem or blank/comment, problems carry valid line
 * numbers and printable messages, and what the entries render to parses back to the same entries.
 */
class BindingFileFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"dynamic", "static", "2001:db8::1", "192.0.2.1", "::ffff:1.2.3.4", "1764750000000", " ", "\\x09",
        "\\x0a", "#", ":", "."})
    void parseNeverThrows(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        BindingFile.Parsed p = BindingFile.parse(text);
        long lines = text.isEmpty() ? 0 : text.chars().filter(c -> c == '\n').count() + (text.endsWith("\n") ? 0 : 1);
        assertTrue(p.entries().size() + p.problems().size() <= lines);
        for (BindingFile.Problem x : p.problems()) {
            assertTrue(x.line() >= 1 && x.line() <= lines, x::toString);
            for (int i = 0; i < x.message().length(); i++) {
                char c = x.message().charAt(i);
                assertTrue(c >= 0x20 && c <= 0x7e, () -> "unprintable character in " + x);
            }
        }
        BindingFile.Parsed back = BindingFile.parse(BindingFile.render(p.entries()));
        assertEquals(0, back.problems().size());
        assertEquals(p.entries().size(), back.entries().size());
        for (int i = 0; i < p.entries().size(); i++) {
            BindingFile.Entry a = p.entries().get(i);
            BindingFile.Entry b = back.entries().get(i);
            assertEquals(a.ipv6(), b.ipv6());
            assertEquals(a.ipv4(), b.ipv4());
            assertEquals(a.isStatic(), b.isStatic());
            assertEquals(a.lastUsedMillis(), b.lastUsedMillis());
        }
    }
}
