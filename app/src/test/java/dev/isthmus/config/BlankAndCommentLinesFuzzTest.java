package dev.isthmus.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * On any text, tomlj reads the same document from what {@link BlankAndCommentLines} leaves as from
 * the text itself: same values, or the same first error at the same place of the file
 * ({@link BlankAndCommentLinesTest#sameDocument}). The dictionary holds what decides whether a line
 * is a comment: string delimiters, escapes, comments, newlines.
 */
class BlankAndCommentLinesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    // One entry a line in Jazzer's dictionary file, in libFuzzer's escapes: \x0A is a newline.
    @DictionaryEntries({"\"\"\"", "'''", "\\\"", "'", "\\\\\\\"", "\\\\\\\\", "\\\\\\x0A", "#", "# c\\x0A", "\\x0A",
            "\\x0D\\x0A", "\\x0A\\x0A", "a = ", "[t]\\x0A", "[[t]]\\x0A", "[", "]", "{", "}", ",", "x = 1\\x0A"})
    void tomljReadsTheSameDocument(FuzzedDataProvider data) {
        BlankAndCommentLinesTest.sameDocument(data.consumeRemainingAsString());
    }
}
