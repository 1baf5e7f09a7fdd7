package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * The client's reply reader on any bytes a server may send: a reply within the bounds (code
 * 200..599, at most MAX_LINES lines) or an IOException, nothing else.
 */
class ReplyReaderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    // libFuzzer's dictionary file is line based: CR and LF are written as its \x escapes.
    @DictionaryEntries({"250-", "250 ", "220 ", "354 ", "451 ", "550 ", "\\x0d\\x0a", "5.1.1 ", "STARTTLS",
        "SIZE 1000", "PIPELINING", "SMTPUTF8"})
    void readsRepliesOrRefusesThem(byte[] data) {
        ReplyReader reader = new ReplyReader(new ByteArrayInputStream(data));
        for (int i = 0; i < 1000; i++) {
            try {
                Reply r = reader.read();
                assertTrue(r.code() >= 200 && r.code() <= 599 && !r.lines().isEmpty()
                        && r.lines().size() <= ReplyReader.MAX_LINES);
                r.enhancedStatus();
            } catch (IOException e) {
                return;
            }
        }
    }
}
