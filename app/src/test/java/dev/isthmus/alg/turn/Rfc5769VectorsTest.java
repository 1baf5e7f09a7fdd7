package dev.isthmus.alg.turn;

import static dev.isthmus.wire.HexText.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 5769's test vectors, byte for byte: decoded, their MESSAGE-INTEGRITY and FINGERPRINT
 * checked, and rebuilt with the same transaction id, attribute order and padding bytes.
 */
class Rfc5769VectorsTest {
    /** RFC 5769 §2: the short-term password of §2.1-2.3, used directly as the HMAC key. */
    static final byte[] SHORT_TERM_KEY = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    static final byte[] TRANSACTION_ID = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");

    /** RFC 5769 §2.1, Sample Request. */
    static final byte[] REQUEST = hex("""
            00 01 00 58   # Request type and message length
            21 12 a4 42   # Magic cookie
            b7 e7 a7 01   # Transaction ID
            bc 34 d6 86
            fa 87 df ae
            80 22 00 10   # SOFTWARE attribute header
            53 54 55 4e   # "STUN test client"
            20 74 65 73
            74 20 63 6c
            69 65 6e 74
            00 24 00 04   # PRIORITY attribute header
            6e 00 01 ff
            80 29 00 08   # ICE-CONTROLLED attribute header
            93 2f f9 b1   # Pseudo-random tie breaker...
            51 26 3b 36
            00 06 00 09   # USERNAME attribute header
            65 76 74 6a   # "evtj:h6vY" padded with spaces
            3a 68 36 76
            59 20 20 20
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            9a ea a7 0c   # HMAC-SHA1 fingerprint
            bf d8 cb 56
            78 1e f2 b5
            b2 d3 f2 49
            c1 b5 71 a2
            80 28 00 04   # FINGERPRINT attribute header
            e5 7a 3b cf   # CRC32 fingerprint
            """);

    /** RFC 5769 §2.2, Sample IPv4 Response. */
    static final byte[] IPV4_RESPONSE = hex("""
            01 01 00 3c   # Response type and message length
            21 12 a4 42   # Magic cookie
            b7 e7 a7 01   # Transaction ID
            bc 34 d6 86
            fa 87 df ae
            80 22 00 0b   # SOFTWARE attribute header
            74 65 73 74   # "test vector" padded with a space
            20 76 65 63
            74 6f 72 20
            00 20 00 08   # XOR-MAPPED-ADDRESS attribute header
            00 01 a1 47   # Address family (IPv4) and xor'd mapped port number
            e1 12 a6 43   # Xor'd mapped IPv4 address
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            2b 91 f5 99   # HMAC-SHA1 fingerprint
            fd 9e 90 c3
            8c 74 89 f9
            2a f9 ba 53
            f0 6b e7 d7
            80 28 00 04   # FINGERPRINT attribute header
            c0 7d 4c 96   # CRC32 fingerprint
            """);

    /** RFC 5769 §2.3, Sample IPv6 Response. */
    static final byte[] IPV6_RESPONSE = hex("""
            01 01 00 48   # Response type and message length
            21 12 a4 42   # Magic cookie
            b7 e7 a7 01   # Transaction ID
            bc 34 d6 86
            fa 87 df ae
            80 22 00 0b   # SOFTWARE attribute header
            74 65 73 74   # "test vector" padded with a space
            20 76 65 63
            74 6f 72 20
            00 20 00 14   # XOR-MAPPED-ADDRESS attribute header
            00 02 a1 47   # Address family (IPv6) and xor'd mapped port number
            01 13 a9 fa   # Xor'd mapped IPv6 address
            a5 d3 f1 79
            bc 25 f4 b5
            be d2 b9 d9
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            a3 82 95 4e   # HMAC-SHA1 fingerprint
            4b e6 7b f1
            17 84 c9 7c
            82 92 c2 75
            bf e3 ed 41
            80 28 00 04   # FINGERPRINT attribute header
            c8 fb 0b 4c   # CRC32 fingerprint
            """);

    /** RFC 5769 §2.4, Sample Request with Long-Term Authentication. */
    static final byte[] LONG_TERM_REQUEST = hex("""
            00 01 00 60   # Request type and message length
            21 12 a4 42   # Magic cookie
            78 ad 34 33   # Transaction ID
            c6 ad 72 c0
            29 da 41 2e
            00 06 00 12   # USERNAME attribute header
            e3 83 9e e3   # Username value (18 bytes) and padding (2 bytes)
            83 88 e3 83
            aa e3 83 83
            e3 82 af e3
            82 b9 00 00
            00 15 00 1c   # NONCE attribute header
            66 2f 2f 34   # Nonce value
            39 39 6b 39
            35 34 64 36
            4f 4c 33 34
            6f 4c 39 46
            53 54 76 79
            36 34 73 41
            00 14 00 0b   # REALM attribute header
            65 78 61 6d   # Realm value (11 bytes) and padding (1 byte)
            70 6c 65 2e
            6f 72 67 00
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            f6 70 24 65   # HMAC-SHA1 fingerprint
            6d d6 4a 3e
            02 b8 e0 71
            2e 85 c9 a2
            8c a8 96 66
            """);

    /** RFC 5769 §2.4: the user name (Japanese for "matrix") and the password before SASLprep. */
    static final String LT_USERNAME = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    static final String LT_PASSWORD = "The\u00ADM\u00AAtr\u2168";
    static final String LT_NONCE = "f//499k954d6OL34oL9FSTvy64sA";

    static StunMessage decode(byte[] m) throws StunFormatException {
        return StunMessage.decode(m, 0, m.length);
    }

    @Test
    void sampleRequestDecodes() throws Exception {
        StunMessage m = decode(REQUEST);
        assertEquals(StunMethod.BINDING, m.method());
        assertEquals(StunClass.REQUEST, m.messageClass());
        assertArrayEquals(TRANSACTION_ID, m.transactionId());
        assertEquals("STUN test client", m.software());
        assertEquals("evtj:h6vY", m.username());
        assertArrayEquals(HexFormat.of().parseHex("6e0001ff"), m.attribute(0x0024).value());
        assertArrayEquals(HexFormat.of().parseHex("932ff9b151263b36"), m.attribute(0x8029).value());
        // PRIORITY (ICE, RFC 8445) is comprehension-required and not TURN's: a server answers 420.
        assertEquals(List.of(0x0024), m.unknownComprehensionRequired());
        assertEquals(StunMessage.Integrity.VALID, m.checkIntegrity(SHORT_TERM_KEY));
        assertEquals(StunMessage.Integrity.INVALID, m.checkIntegrity("wrong".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sampleRequestEncodes() {
        byte[] built = new StunMessageBuilder(StunMethod.BINDING, StunClass.REQUEST, TRANSACTION_ID)
                .padding(' ')
                .software("STUN test client")
                .add(0x0024, HexFormat.of().parseHex("6e0001ff"))
                .add(0x8029, HexFormat.of().parseHex("932ff9b151263b36"))
                .username("evtj:h6vY")
                .messageIntegrity(SHORT_TERM_KEY)
                .fingerprint()
                .encode();
        assertArrayEquals(REQUEST, built);
    }

    @Test
    void ipv4ResponseDecodesAndEncodes() throws Exception {
        StunMessage m = decode(IPV4_RESPONSE);
        assertEquals(StunMethod.BINDING, m.method());
        assertEquals(StunClass.SUCCESS_RESPONSE, m.messageClass());
        assertEquals("test vector", m.software());
        InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        assertEquals(mapped, m.xorMappedAddress());
        assertEquals(List.of(), m.unknownComprehensionRequired());
        assertEquals(StunMessage.Integrity.VALID, m.checkIntegrity(SHORT_TERM_KEY));
        assertArrayEquals(IPV4_RESPONSE, response(mapped));
    }

    @Test
    void ipv6ResponseDecodesAndEncodes() throws Exception {
        StunMessage m = decode(IPV6_RESPONSE);
        InetSocketAddress mapped = new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        assertEquals(mapped, m.xorMappedAddress());
        assertEquals(StunMessage.Integrity.VALID, m.checkIntegrity(SHORT_TERM_KEY));
        assertArrayEquals(IPV6_RESPONSE, response(mapped));
    }

    private static byte[] response(InetSocketAddress mapped) {
        return new StunMessageBuilder(StunMethod.BINDING, StunClass.SUCCESS_RESPONSE, TRANSACTION_ID)
                .padding(' ')
                .software("test vector")
                .xorMappedAddress(mapped)
                .messageIntegrity(SHORT_TERM_KEY)
                .fingerprint()
                .encode();
    }

    @Test
    void longTermRequestDecodesVerifiesAndEncodes() throws Exception {
        StunMessage m = decode(LONG_TERM_REQUEST);
        assertEquals(LT_USERNAME, m.username());
        assertEquals(LT_NONCE, m.nonce());
        assertEquals("example.org", m.realm());
        assertNull(m.attribute(StunAttributeType.FINGERPRINT));
        // The key is MD5 of user name, realm and the password after SASLprep, "TheMatrIX".
        byte[] key = LongTermCredentials.md5Key(m.username(), m.realm(), LT_PASSWORD);
        assertArrayEquals(LongTermCredentials.md5Key(LT_USERNAME, "example.org", "TheMatrIX"), key);
        assertEquals(StunMessage.Integrity.VALID, m.checkIntegrity(key));

        byte[] built = new StunMessageBuilder(StunMethod.BINDING, StunClass.REQUEST,
                        HexFormat.of().parseHex("78ad3433c6ad72c029da412e"))
                .username(LT_USERNAME)
                .nonce(LT_NONCE)
                .realm("example.org")
                .messageIntegrity(key)
                .encode();
        assertArrayEquals(LONG_TERM_REQUEST, built);
    }

    @Test
    void aFlippedBitFailsTheFingerprint() {
        for (byte[] vector : List.of(REQUEST, IPV4_RESPONSE, IPV6_RESPONSE)) {
            byte[] m = vector.clone();
            m[30] ^= 0x01; // inside SOFTWARE, covered by both checks
            StunFormatException e = assertThrows(
                    StunFormatException.class, () -> decode(m));
            assertEquals(StunRefusal.BAD_FINGERPRINT, e.refusal());
        }
    }

    @Test
    void aFlippedBitFailsTheIntegrityWithoutFingerprint() throws Exception {
        byte[] m = LONG_TERM_REQUEST.clone();
        m[70] ^= 0x01; // inside NONCE
        byte[] key = LongTermCredentials.md5Key(LT_USERNAME, "example.org", "TheMatrIX");
        assertEquals(StunMessage.Integrity.INVALID, decode(m).checkIntegrity(key));
    }
}
