package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 3461 parameters from a client, any values: never an exception, only a 501 or 555 reply
 * or a request; and what is accepted, written for the next hop, reads back the same.
 */
class DsnParametersFuzzTest {
    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"NEVER", "SUCCESS", "FAILURE", "DELAY", ",", "rfc822;", "utf-8;", ";", "+2B", "+20", "+0D",
        "+", "FULL", "HDRS"})
    void parsesOrRefuses(FuzzedDataProvider data) {
        Map<String, String> p = new LinkedHashMap<>();
        if (data.consumeBoolean()) {
            p.put("NOTIFY", data.consumeBoolean() ? null : data.consumeString(60));
        }
        if (data.consumeBoolean()) {
            p.put("ORCPT", data.consumeBoolean() ? null : data.consumeString(600));
        }
        String envid = data.consumeString(300);
        DsnParameters.ret(data.consumeString(10));
        DsnParameters.Rcpt r = DsnParameters.rcpt(p);
        if (r.error() != null) {
            assertTrue(r.error().startsWith("501 5.5.4 "), r.error());
        } else {
            // the next hop reads what the relay writes as the client's request
            Map<String, String> again = new LinkedHashMap<>();
            for (String param : DsnParameters.rcpt(r.dsn()).strip().split(" ")) {
                if (!param.isEmpty()) {
                    int eq = param.indexOf('=');
                    again.put(param.substring(0, eq), param.substring(eq + 1));
                }
            }
            assertEquals(r.dsn(), DsnParameters.rcpt(again).dsn());
        }
        String decoded = DsnParameters.envid(envid);
        if (decoded != null) {
            assertEquals(decoded, DsnParameters.envid(DsnParameters.xtext(decoded)));
        }
    }
}
