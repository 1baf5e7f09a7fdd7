package dev.isthmus.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** {@link Ipv6Address#parse} on any text: an address that round-trips, or an IllegalArgumentException. */
class Ipv6AddressFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"::", ":", "ffff", "0", "::ffff:", "1.2.3.4", ".", "%", "/", "64:ff9b::"})
    void parseThrowsOnlyIllegalArgument(FuzzedDataProvider data) {
        String s = data.consumeRemainingAsString();
        Ipv6Address a;
        try {
            a = Ipv6Address.parse(s);
        } catch (IllegalArgumentException expected) {
            return;
        }
        String canonical = a.toString();
        assertEquals(a, Ipv6Address.parse(canonical));
        assertEquals(canonical, Ipv6Address.parse(canonical).toString());
    }
}
