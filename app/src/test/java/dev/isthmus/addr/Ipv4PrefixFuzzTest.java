package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** {@link Ipv4Prefix#parse} on any text: a valid prefix, or an IllegalArgumentException. */
class Ipv4PrefixFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"/", ".", "/32", "/0", "/24", "192.0.2.0", "255"})
    void parseThrowsOnlyIllegalArgument(FuzzedDataProvider data) {
        String s = data.consumeRemainingAsString();
        Ipv4Prefix p;
        try {
            p = Ipv4Prefix.parse(s);
        } catch (IllegalArgumentException expected) {
            return;
        }
        assertTrue(p.contains(p.address()));
        assertEquals(p, Ipv4Prefix.parse(p.toString()));
    }
}
