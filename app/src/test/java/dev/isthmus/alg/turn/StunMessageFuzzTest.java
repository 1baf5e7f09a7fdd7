package dev.isthmus.alg.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link StunMessage#decode} on any bytes: a message or a {@link StunFormatException}, never
 * another exception; what decodes is read by every accessor, checks its integrity with some key,
 * and its kept attributes encode again into a message that decodes to the same attributes.
 */
class StunMessageFuzzTest {
    private static final byte[] KEY = {1, 2, 3};

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"\\x21\\x12\\xa4\\x42", "\\x00\\x01", "\\x00\\x03", "\\x01\\x01", "\\x80\\x28\\x00\\x04",
        "\\x00\\x08\\x00\\x14", "\\x00\\x1c\\x00\\x20", "\\x00\\x20\\x00\\x08\\x00\\x01", "\\x00\\x20\\x00\\x14\\x00\\x02",
        "\\x00\\x12\\x00\\x08\\x00\\x01", "\\x00\\x09\\x00\\x04\\x00\\x00\\x04\\x14", "\\x00\\x06", "\\x00\\x0d\\x00\\x04",
        "\\x80\\x02", "\\x00\\x1d"})
    void decodeNeverThrowsUnchecked(byte[] data) {
        StunMessage m;
        try {
            m = StunMessage.decode(data, 0, data.length);
        } catch (StunFormatException e) {
            assertTrue(e.refusal() != null);
            return;
        }
        assertEquals(data.length, StunMessage.frameLength(data, 0, data.length));
        m.mappedAddress();
        m.xorMappedAddress();
        m.xorRelayedAddress();
        m.xorPeerAddresses();
        m.alternateServer();
        m.username();
        m.realm();
        m.nonce();
        m.software();
        m.errorCode();
        m.addressErrorCode();
        m.unknownAttributes();
        m.lifetime();
        m.channelNumber();
        m.requestedAddressFamily();
        m.additionalAddressFamily();
        m.requestedTransport();
        m.passwordAlgorithm();
        m.evenPortReserve();
        m.data();
        m.reservationToken();
        m.checkIntegrity(KEY);
        m.toString();

        StunMessageBuilder b = new StunMessageBuilder(m.method(), m.messageClass(), m.transactionId());
        m.attributes().forEach(a -> b.add(a.type(), a.value()));
        byte[] again = b.encode();
        try {
            StunMessage d = StunMessage.decode(again, 0, again.length);
            assertEquals(m.attributes(), d.attributes());
            assertArrayEquals(m.transactionId(), d.transactionId());
        } catch (StunFormatException e) {
            throw new AssertionError("re-encoded message refused: " + e.getMessage(), e);
        }
    }
}
