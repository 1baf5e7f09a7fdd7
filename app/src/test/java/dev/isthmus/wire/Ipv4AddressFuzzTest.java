package dev.isthmus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** {@link Ipv4Address#parse} on any text: an address that round-trips, or an IllegalArgumentException. */
class Ipv4AddressFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({".", "0", "255", "256", "01", "192.0.2.1", "/"})
    void parseThrowsOnlyIllegalArgument(FuzzedDataProvider data) {
        String s = data.consumeRemainingAsString();
        int a;
        try {
            a = Ipv4Address.parse(s);
        } catch (IllegalArgumentException expected) {
            return;
        }
        // Strict parsing accepts one spelling per address: the one format writes.
        assertEquals(s, Ipv4Address.format(a));
    }
}
