package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.tomlj.Toml;

/**
 * {@link ConfigLoader#parse} on any text: a config, or a {@link ConfigException} with at least one
 * error — never another exception. A config that loads renders to text that loads back equal.
 */
class ConfigLoaderFuzzTest {

    @FuzzTest(maxDuration = "30s")
    // Jazzer's dictionary format is one entry per line: no newlines inside an entry.
    @DictionaryEntries({"[siit]", "[[siit.eam]]", "pool6 = ", "ipv6 = ", "ipv4 = ", "overlap = true",
            "rfc6791v4 = ", "ipv6-address = ", "\"2001:db8:64::/96\"", "\"192.0.2.0/24\"", "\"2001:db8:6::/120\"",
            "\"203.0.113.1-203.0.113.9\"", "mtu-plateaus = [1500, 68]", "tos = \"copy\""})
    void parseFailsOnlyWithConfigErrors(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        IsthmusConfig config;
        try {
            config = ConfigLoader.parse(text, "fuzz.toml");
        } catch (ConfigException e) {
            assertFalse(e.errors().isEmpty());
            return;
        }
        if (config.siit() != null) {
            config.siit().toXlatSettings();
        }
        try {
            assertEquals(config, ConfigLoader.parse(config.render(), "rendered.toml"));
        } catch (ConfigException e) {
            throw new AssertionError("rendered config does not load:\n" + config.render() + "\n" + e.getMessage());
        }
    }

    /**
     * Files that are valid TOML with the real keys, so the fuzzer spends its time in validation
     * rather than in the TOML grammar.
     */
    @FuzzTest(maxDuration = "30s")
    void structuredFilesFailOnlyWithConfigErrors(FuzzedDataProvider data) {
        StringBuilder sb = new StringBuilder("[siit]\n");
        List<String> keys = SiitSection.KEYS.stream().filter(k -> !k.equals("eam")).toList();
        for (String key : keys) {
            if (data.consumeBoolean()) {
                sb.append(key).append(" = ").append(value(data)).append('\n');
            }
        }
        int entries = data.consumeInt(0, 3);
        for (int i = 0; i < entries; i++) {
            sb.append("[[siit.eam]]\nipv6 = ").append(value(data)).append("\nipv4 = ").append(value(data)).append('\n');
            if (data.consumeBoolean()) {
                sb.append("overlap = ").append(value(data)).append('\n');
            }
        }
        IsthmusConfig config;
        try {
            config = ConfigLoader.parse(sb.toString(), "fuzz.toml");
        } catch (ConfigException e) {
            // Valid TOML by construction: every error is about a key, none is a syntax error.
            assertTrue(e.errors().stream().noneMatch(err -> err.key().isEmpty()), e::getMessage);
            return;
        }
        config.siit().toXlatSettings();
        try {
            assertEquals(config, ConfigLoader.parse(config.render(), "rendered.toml"));
        } catch (ConfigException e) {
            throw new AssertionError("rendered config does not load:\n" + config.render() + "\n" + e.getMessage());
        }
    }

    /** Plausible values, so that some generated files pass validation and reach render(). */
    private static final List<String> SAMPLES = List.of(
            "\"2001:db8:64::/96\"", "\"64:ff9b::/96\"", "\"2001:db8:100::/40\"", "\"2001:db8:6::/120\"",
            "\"2001:db8:6::2\"", "\"192.0.2.0/24\"", "\"192.0.2.2\"", "\"203.0.113.1-203.0.113.9\"",
            "\"copy\"", "\"compute\"", "\"simple\"", "1280", "1500", "[1500, 68]", "true");

    private static String value(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 6)) {
            case 5, 6 -> data.pickValue(SAMPLES);
            case 0 -> Long.toString(data.consumeLong());
            case 1 -> Boolean.toString(data.consumeBoolean());
            case 2 -> "[" + quoted(data) + ", " + data.consumeInt(-1, 70000) + "]";
            case 3 -> "[" + quoted(data) + "]";
            default -> quoted(data);
        };
    }

    private static String quoted(FuzzedDataProvider data) {
        return "\"" + Toml.tomlEscape(data.consumeString(48)) + "\"";
    }
}
