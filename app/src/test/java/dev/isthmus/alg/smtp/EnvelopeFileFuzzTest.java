package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The spool's envelope file reader on any bytes (a file damaged on disk, or not ours): never an
 * exception but its named refusal, {@link EnvelopeFile.Malformed}; and a file it accepts is
 * exactly the file the writer would write for what it read (the reader accepts only the
 * canonical form) — but for a version-1 file's first line, as the writer writes version 2.
 */
class EnvelopeFileFuzzTest {
    static final String ID = EnvelopeFileTest.ID;

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"isthmus-spool 1", "isthmus-spool 2", "notify: ", "NEVER", "SUCCESS,FAILURE,DELAY",
        "SUCCESS", "FAILURE", "DELAY", "orcpt: ", "rfc822;", "ret: FULL", "ret: HDRS", "id: 01a251b916990000e00756", "received: ", "2026-12-07T18:10:49.123Z",
        "from: ", "rcpt: ", "client: ", "2001:db8:6:0:0:0:0:2 25", "192.0.2.7 25", "helo: ", "smtputf8: yes",
        "smtputf8: no", "body: 8bitmime", "body: 7bit", "envid: ", "pending: ", "attempts: ", "next-attempt: ",
        "last-error: ", "size: ", "end", "%20", "%25", "%0D%0A", "\u00e9", "\u7528"})
    void parseRefusesOrRoundTrips(byte[] data) {
        try {
            QueuedMessage m = EnvelopeFile.parse(ID, data);
            assertArrayEquals(asVersion2(data), EnvelopeFile.encode(m));
        } catch (EnvelopeFile.Malformed refused) {
            // the named refusal: the spool sets the file aside with this reason
        }
    }

    /** A version-1 file is written back as the same lines under the version-2 first line. */
    private static byte[] asVersion2(byte[] data) {
        byte[] v1 = (EnvelopeFile.MAGIC_V1 + "\n").getBytes(StandardCharsets.US_ASCII);
        if (!Arrays.equals(data, 0, Math.min(v1.length, data.length), v1, 0, v1.length)) {
            return data;
        }
        byte[] out = data.clone();
        out[EnvelopeFile.MAGIC_V1.length() - 1] = (byte) '2';
        return out;
    }
}
