package dev.isthmus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseOptions;
import org.tomlj.TomlParseResult;

/**
 * {@link BlankAndCommentLines}: what it takes out, what it must keep (TOML 1.0.0: the lines of a
 * multi-line string are content, not comments), and that tomlj reads the same document, with the
 * same line numbers, from what is left ({@link #sameDocument}).
 */
class BlankAndCommentLinesTest {

    /**
     * tomlj on the stripped text and on the original agree: both valid with the same values, or
     * both invalid with the same first error at the same place of the file.
     */
    static void sameDocument(String text) {
        BlankAndCommentLines.Stripped s = BlankAndCommentLines.strip(text);
        TomlParseResult original = Toml.parse(text, TomlParseOptions.sourceless());
        TomlParseResult stripped = Toml.parse(s.text(), TomlParseOptions.sourceless());
        assertEquals(original.hasErrors(), stripped.hasErrors(), () -> "validity differs for:\n" + text);
        if (!original.hasErrors()) {
            assertEquals(original.toJson(), stripped.toJson(), () -> "values differ for:\n" + text);
            return;
        }
        TomlParseError o = original.errors().getFirst();
        TomlParseError t = stripped.errors().getFirst();
        assertEquals(o.position().line() + ":" + o.position().column() + " " + o.getMessage(),
                s.fileLine(t.position().line()) + ":" + t.position().column() + " " + s.fileLines(t.getMessage()),
                () -> "first error differs for:\n" + text);
    }

    @Test
    void takesOutBlankAndCommentLinesOnly() {
        BlankAndCommentLines.Stripped s = BlankAndCommentLines.strip("""
                # a comment
                [siit]

                \t  # indented comment, then a blank line of spaces
                  \s
                pool6 = "64:ff9b::/96" # a comment after a key stays
                """);
        assertEquals("[siit]\npool6 = \"64:ff9b::/96\" # a comment after a key stays\n", s.text());
        assertEquals(2, s.fileLine(1));
        assertEquals(6, s.fileLine(2));
        assertEquals(7, s.fileLine(3), "the end of the input, after the last newline");
        assertEquals(0, s.fileLine(0));
    }

    @Test
    void textWithoutSuchLinesIsPassedOnAsItIs() {
        String text = "[siit]\npool6 = \"64:ff9b::/96\"\n";
        BlankAndCommentLines.Stripped s = BlankAndCommentLines.strip(text);
        assertTrue(text == s.text(), "the same string, not a copy");
        assertNull(s.kept());
        assertEquals(5, s.fileLine(5));
    }

    /** TOML 1.0.0 "Multi-line basic strings" / "Multi-line literal strings": their lines are content. */
    @ParameterizedTest
    @ValueSource(strings = {
        "a = \"\"\"\n# not a comment\n\n\"\"\"\nb = 1\n",
        "a = '''\n# not a comment\n\n'''\nb = 1\n",
        // A line-ending backslash trims the newline and the whitespace after it, blank lines too.
        "a = \"\"\"one \\\n\n# two\n\"\"\"\n",
        // An escaped quote does not close the string; "\"\"\"" inside a literal string does not open one.
        "a = \"\"\"x\\\"\"\"\n# in\n\"\"\"\nb = 'y\"\"\"'\n# out\nc = 1\n",
        // Up to two quotes stand before the closing three: the string ends on its first line.
        "a = \"\"\"x\"\"\"\"\"\n# out\nb = [\"\"\"y\"\"\"\", \"\"\"z\"\"\"]\n# out\nc = \"\"\"\n# in\n\"\"\"\n",
        "a = '''x'''''\n# out\nc = '''\n\n# in\n'''\n",
        // A quoted key with "#" and quotes, an empty string, an empty multi-line string.
        "\"k#\\\"\" = \"\"\n# out\nx = \"\"\"\"\"\"\n# out\ny = '''\n# in\n'''\n",
        // An array over lines, with comments between its elements.
        "a = [\n  1,\n\n  # one more\n  2, # two\n\n]\n# end\n",
        "[t]\r\n# crlf\r\n\r\nx = 1\r\n",
    })
    void keepsTheValues(String text) {
        sameDocument(text);
    }

    @Test
    void linesInsideMultiLineStringsAreKept() {
        BlankAndCommentLines.Stripped s = BlankAndCommentLines.strip("a = \"\"\"\n# in\n\n\"\"\"\n# out\nb = '''\n# in\n'''\n");
        assertEquals("a = \"\"\"\n# in\n\n\"\"\"\nb = '''\n# in\n'''\n", s.text());
    }

    /** TOML 1.0.0 "Comment": control characters other than tab are not permitted in comments. */
    @Test
    void aCommentWithAControlCharacterIsKeptForTomljToReport() {
        String text = "a = 1\n# bell \u0007\nb = 2\n";
        assertEquals(text, BlankAndCommentLines.strip(text).text());
        sameDocument(text);
        assertEquals("a = 1\n", BlankAndCommentLines.strip("a = 1\n# \uD83D\uDE00\n").text(), "an emoji is allowed");
    }

    @Test
    void aLastLineWithoutNewlineIsKept() {
        assertEquals("a = 1\n# end", BlankAndCommentLines.strip("a = 1\n\n# end").text());
        sameDocument("a = [1,\n\n# end");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "# head\n\na = 1\n\n# c\na = 2\n",
        "[t]\nx = 1\n\n# c\n\n[t]\n",
        "t = {x = 1}\n# c\n\n[t.y]\n",
        "a = [1,\n# c\n\n2\n",
        "a = [1,\n# c\n\n2,\n# c\n",
        "# c\n\na = \"unterminated\n\n# c\nb = 1\n",
        "# c\n\n[a\n\n# c\nb = 1\n",
        "# c\n\nx = 1 junk\n",
    })
    void errorsAreReportedOnTheFilesLines(String text) {
        sameDocument(text);
    }

    @Test
    void configErrorsNameTheFilesLines() {
        String comments = "# explains the next key\n\n".repeat(500);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "[siit]\n" + comments + "pool6 = \"2001:db8:64::/96\"\n" + comments + "tos = 300\n"
                        + comments + "pool6 = \"2001:db8:64::/96\"\n", "siit.toml"));
        assertEquals(List.of("siit.toml:3004: TOML syntax error at column 1: pool6 previously defined at line 1002, column 1"),
                e.errors().stream().map(ConfigError::toString).toList());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "[siit]\n" + comments + "pool6 = \"2001:db8:64::/96\"\n" + comments + "tos = 300\n", "siit.toml"));
        assertEquals(List.of("siit.toml:2003: siit.tos: 300 is out of range 0..255"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    /**
     * Issue 19: a 100,000-line config, the keys of full.toml each under a block of comments and
     * blank lines, loads as full.toml does. Before the pre-pass 2,000 such lines took 7–13 s; the
     * bound is generous for a shared machine and still far below any quadratic cost. The real
     * figure is measured by ConfigLoadBenchmark (docs/BENCHMARKS.md).
     */
    @Test
    void aHundredThousandLineCommentedConfigLoadsInSeconds() throws Exception {
        List<String> lines = Files.readAllLines(ConfigLoaderTest.resource("full.toml"));
        int block = 100_000 / lines.size() + 1;
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            for (int i = 0; i < block; i++) {
                sb.append(i % 4 == 3 ? "\n" : "# why the setting below is what it is, line " + i + "\n");
            }
            sb.append(line).append('\n');
        }
        String text = sb.toString();
        assertTrue(text.lines().count() >= 100_000);
        long start = System.nanoTime();
        IsthmusConfig config = ConfigLoader.parse(text, "commented.toml");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(ConfigLoader.load(ConfigLoaderTest.resource("full.toml")), config);
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, () -> "took " + took);
    }
}
