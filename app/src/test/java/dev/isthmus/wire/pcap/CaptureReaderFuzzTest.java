package dev.isthmus.wire.pcap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.wire.PacketBuffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;

/**
 * Arbitrary bytes as a capture file: the reader may return packets, end cleanly, or throw {@link
 * CaptureFormatException}; any other exception (an index out of bounds, an arithmetic overflow
 * turned into a negative length, an out-of-memory from a trusted length field) is a bug.
 */
class CaptureReaderFuzzTest {

    private static final PacketBuffer BUFFER = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);

    @FuzzTest(maxDuration = "30s")
    void arbitraryBytesFailOnlyWithFormatErrors(byte[] file) throws IOException {
        try (CaptureReader r = CaptureReader.open(Channels.newChannel(new ByteArrayInputStream(file)))) {
            long records = 0;
            while (r.next(BUFFER)) {
                assertTrue(r.recordNumber() > records, "record numbers increase");
                records = r.recordNumber();
                assertTrue(BUFFER.length() <= r.capturedLength(), "packet inside the captured frame");
                assertTrue(r.ipVersion() == 4 || r.ipVersion() == 6, "IP version");
            }
        } catch (CaptureFormatException expected) {
            // A truncated or corrupt file: the one failure the reader may report.
        }
    }
}
