package dev.isthmus.alg.smtp;

import static java.nio.file.StandardOpenOption.READ;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The spool's message file reader ({@link MessageFile#read}, what recovery runs on every file) on
 * any bytes: never an exception but its named refusal, {@link EnvelopeFile.Malformed}, for which
 * the spool sets the file aside; and a file it accepts is content followed by exactly the trailer
 * the writer would append for what it read.
 */
class MessageFileFuzzTest {
    private static final Path FILE = temporaryFile();

    private static Path temporaryFile() {
        try {
            Path file = Files.createTempFile("isthmus-message-file", ".msg");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"isthmus-msg 1 ", "0000000150", "isthmus-spool 1", "id: 01a251b916990000e00756",
        "received: 2026-12-07T18:10:49.123Z", "from: ", "rcpt: b@example.org", "smtputf8: no", "body: 7bit",
        "pending: b@example.org", "attempts: 0", "next-attempt: 2026-12-07T18:10:49.123Z", "size: ", "end"})
    void readRefusesOrRoundTrips(byte[] data) throws IOException {
        Files.write(FILE, data);
        try (FileChannel file = FileChannel.open(FILE, READ)) {
            QueuedMessage m = MessageFile.read(EnvelopeFileTest.ID, file);
            assertArrayEquals(MessageFile.trailer(m), Arrays.copyOfRange(data, (int) m.size(), data.length));
        } catch (EnvelopeFile.Malformed refused) {
            // the named refusal: the spool sets the file aside with this reason
        }
    }
}
