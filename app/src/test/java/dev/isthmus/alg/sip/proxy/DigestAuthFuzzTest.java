package dev.isthmus.alg.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/**
 * Any text as an Authorization or Proxy-Authorization value: parsed or refused (null), and
 * checked against a user's password without an exception; without the proxy's own nonce (which
 * the fuzzer cannot forge) no credential is accepted.
 */
class DigestAuthFuzzTest {
    private static final DigestAuth AUTH = new DigestAuth("example.test", Map.of("alice", "wonderland"),
            List.of("MD5", "SHA-256"));

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"Digest ", "username=\"alice\"", "realm=\"example.test\"", "nonce=\"", "uri=\"sip:example.test\"",
        "response=\"", "algorithm=MD5", "algorithm=SHA-256", "qop=auth", "nc=00000001", "cnonce=\"", ", ", "\\\""})
    void parsesOrRefusesAndNeverAcceptsAForgery(FuzzedDataProvider data) {
        String method = data.consumeBoolean() ? "REGISTER" : "INVITE";
        String value = data.consumeRemainingAsString();
        DigestAuth.parse(value);
        assertFalse(AUTH.check(value, method, System.currentTimeMillis()).ok(), value);
    }
}
