package dev.isthmus.addr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/** {@link Ipv4Pool#parse} on any items: a pool whose picks lie in it, or an IllegalArgumentException. */
class Ipv4PoolFuzzTest {

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"-", "/", ".", "192.0.2.0", "255.255.255.255", "/0", "/32"})
    void parseThrowsOnlyIllegalArgument(FuzzedDataProvider data) {
        int n = data.consumeInt(0, 8);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(data.consumeString(40));
        }
        int hash = data.consumeInt();
        Ipv4Pool p;
        try {
            p = Ipv4Pool.parse(items);
        } catch (IllegalArgumentException expected) {
            return;
        }
        if (!p.isEmpty()) {
            assertTrue(p.contains(p.pick(hash)));
            assertEquals(p, Ipv4Pool.parse(List.of(p.toString().split(", "))));
        }
    }
}
