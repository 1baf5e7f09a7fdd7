package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link Ipv6Prefix#parse} on any text: a valid prefix, or an IllegalArgumentException. A parsed
 * prefix also goes through {@link Rfc6052Prefix#of}, which may refuse it only with the same.
 */
class Ipv6PrefixFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"::", ":", "/", "/96", "/64", "/128", "64:ff9b::", "ff", "1.2.3.4"})
    void parseThrowsOnlyIllegalArgument(FuzzedDataProvider data) {
        String s = data.consumeRemainingAsString();
        Ipv6Prefix p;
        try {
            p = Ipv6Prefix.parse(s);
        } catch (IllegalArgumentException expected) {
            return;
        }
        assertTrue(p.contains(p.hi(), p.lo()));
        assertEquals(p, Ipv6Prefix.parse(p.toString()));
        try {
            Rfc6052Prefix r = Rfc6052Prefix.of(p);
            assertEquals(0x01020304, r.extract(r.embedHi(0x01020304), r.embedLo(0x01020304)));
        } catch (IllegalArgumentException notAPref64) {
            // fine: most prefixes are not valid RFC 6052 prefixes
        }
    }
}
