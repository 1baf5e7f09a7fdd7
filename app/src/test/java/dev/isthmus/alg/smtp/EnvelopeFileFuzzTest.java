package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The spool's envelope file reader on any bytes (a file damaged on disk, or not ours): never an
 * exception but its named refusal, {@link EnvelopeFile.Malformed}; and a file it accepts is
 * exactly the file the writer would write for what it read (the reader accepts only the
 * canonical form).
 */
class EnvelopeFileFuzzTest {
    static final String ID = EnvelopeFileTest.ID;

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"isthmus-spool 1", "id: 01a251b916990000e00756", "received: ", "2026-12-07T18:10:49.123Z",
        "from: ", "rcpt: ", "client: ", "2001:db8:6:0:0:0:0:2 25", "192.0.2.7 25", "helo: ", "smtputf8: yes",
        "smtputf8: no", "body: 8bitmime", "body: 7bit", "envid: ", "pending: ", "attempts: ", "next-attempt: ",
        "last-error: ", "size: ", "end", "%20", "%25", "%0D%0A", "\u00e9", "\u7528"})
    void parseRefusesOrRoundTrips(byte[] data) {
        try {
            QueuedMessage m = EnvelopeFile.parse(ID, data);
            assertArrayEquals(data, EnvelopeFile.encode(m));
        } catch (EnvelopeFile.Malformed refused) {
            // the named refusal: the spool sets the file aside with this reason
        }
    }
}
