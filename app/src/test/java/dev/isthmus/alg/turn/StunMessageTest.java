package dev.isthmus.alg.turn;

import static dev.isthmus.wire.HexText.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One test per rule of RFC 8489 §5-§14 and RFC 8656 §18 the decoder and builder apply. */
class StunMessageTest {
    static final byte[] TX = HexFormat.of().parseHex("000102030405060708090a0b");

    static StunMessage decode(byte[] m) throws StunFormatException {
        return StunMessage.decode(m, 0, m.length);
    }

    static StunRefusal refusal(byte[] m) {
        return assertThrows(StunFormatException.class, () -> decode(m)).refusal();
    }

    static StunMessageBuilder request(int method) {
        return new StunMessageBuilder(method, StunClass.REQUEST, TX);
    }

    /**
     * A MESSAGE-INTEGRITY-SHA256 vector computed apart from this code (Python's hmac, hashlib and
     * zlib): a Binding request with the key SHA-256("alice:example.org:secret") of RFC 8489
     * §18.5.1.2, then FINGERPRINT. RFC 8489 Appendix B's own vector is not used: its published
     * bytes are subject to errata.
     */
    static final byte[] SHA256_REQUEST = hex("""
            00 01 00 50   # Binding request, length 80
            21 12 a4 42   # Magic cookie
            00 01 02 03   # Transaction ID
            04 05 06 07
            08 09 0a 0b
            00 06 00 05   # USERNAME "alice", 3 bytes of padding
            61 6c 69 63
            65 00 00 00
            00 14 00 0b   # REALM "example.org", 1 byte of padding
            65 78 61 6d
            70 6c 65 2e
            6f 72 67 00
            00 15 00 04   # NONCE "abcd"
            61 62 63 64
            00 1c 00 20   # MESSAGE-INTEGRITY-SHA256, 32 bytes
            20 f9 8e 22
            70 21 68 ef
            3a 4d 65 e4
            4a 86 db 6a
            de 50 08 cb
            a1 de 28 f2
            48 ba d3 70
            e4 b9 be 06
            80 28 00 04   # FINGERPRINT
            22 8d 3a 85
            """);

    @Test
    void messageIntegritySha256Vector() throws Exception {
        byte[] key = LongTermCredentials.sha256Key("alice", "example.org", "secret");
        StunMessage m = decode(SHA256_REQUEST);
        assertEquals(StunMessage.Integrity.VALID, m.checkIntegrity(key));
        assertEquals(StunMessage.Integrity.INVALID,
                m.checkIntegrity(LongTermCredentials.md5Key("alice", "example.org", "secret")));
        byte[] built = request(StunMethod.BINDING).username("alice").realm("example.org").nonce("abcd")
                .messageIntegritySha256(key).fingerprint().encode();
        assertArrayEquals(SHA256_REQUEST, built);
    }

    @Test
    void truncatedSha256IntegrityIsChecked() throws Exception {
        byte[] key = LongTermCredentials.sha256Key("alice", "example.org", "secret");
        // RFC 8489 §14.6: the first 16 bytes of the HMAC may be sent alone; the HMAC then covers
        // a header whose length counts the 16-byte attribute. Built here by hand with the JDK's Mac.
        byte[] prefix = request(StunMethod.BINDING).username("u").encode();
        byte[] cut = Arrays.copyOf(prefix, prefix.length + 20);
        BigEndian.putShort(cut, 2, cut.length - 20);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(cut, 0, prefix.length);
        System.arraycopy(mac.doFinal(), 0, cut, prefix.length + 4, 16);
        BigEndian.putShort(cut, prefix.length, StunAttributeType.MESSAGE_INTEGRITY_SHA256);
        BigEndian.putShort(cut, prefix.length + 2, 16);
        assertEquals(StunMessage.Integrity.VALID, decode(cut).checkIntegrity(key));
    }

    @Test
    void noIntegrityIsAbsent() throws Exception {
        assertEquals(StunMessage.Integrity.ABSENT,
                decode(request(StunMethod.BINDING).encode()).checkIntegrity(new byte[16]));
    }

    @ParameterizedTest(name = "method {0} class {1} is type {2}")
    @CsvSource({
        "0x001, REQUEST, 0x0001",
        "0x001, SUCCESS_RESPONSE, 0x0101",
        "0x001, ERROR_RESPONSE, 0x0111",
        "0x003, REQUEST, 0x0003",
        "0x006, INDICATION, 0x0016",
        "0x007, INDICATION, 0x0017",
        "0x009, SUCCESS_RESPONSE, 0x0109",
        "0xFFF, ERROR_RESPONSE, 0x3FFF",
        "0x080, REQUEST, 0x0200",
    })
    void messageTypeInterleavesMethodAndClass(String method, StunClass cls, String type) throws Exception {
        int m = Integer.decode(method);
        byte[] bytes = new StunMessageBuilder(m, cls, TX).encode();
        assertEquals(Integer.decode(type), BigEndian.u16(bytes, 0));
        StunMessage decoded = decode(bytes);
        assertEquals(m, decoded.method());
        assertEquals(cls, decoded.messageClass());
    }

    @Test
    void tooShort() {
        assertEquals(StunRefusal.TOO_SHORT, refusal(new byte[19]));
    }

    @Test
    void firstTwoBitsMustBeZero() {
        byte[] m = request(StunMethod.BINDING).encode();
        m[0] = 0x40;
        assertEquals(StunRefusal.NOT_STUN, refusal(m));
    }

    @Test
    void badCookie() {
        byte[] m = request(StunMethod.BINDING).encode();
        m[7] ^= 1;
        assertEquals(StunRefusal.BAD_MAGIC_COOKIE, refusal(m));
    }

    @Test
    void lengthNotMultipleOf4() {
        byte[] m = hex("""
                00 01 00 06   # Binding request, length 6
                21 12 a4 42
                00 01 02 03
                04 05 06 07
                08 09 0a 0b
                80 22 00 02   # SOFTWARE "ab" without its padding
                61 62
                """);
        assertEquals(StunRefusal.LENGTH_NOT_MULTIPLE_OF_4, refusal(m));
    }

    @Test
    void lengthMustCoverTheDatagram() {
        byte[] m = request(StunMethod.BINDING).software("x").encode();
        byte[] longer = Arrays.copyOf(m, m.length + 4);
        assertEquals(StunRefusal.LENGTH_MISMATCH, refusal(longer));
        BigEndian.putShort(m, 2, 12);
        assertEquals(StunRefusal.LENGTH_MISMATCH, refusal(m));
    }

    @Test
    void attributeOverrunningTheMessage() {
        byte[] m = hex("""
                00 01 00 08   # Binding request, length 8
                21 12 a4 42
                00 01 02 03
                04 05 06 07
                08 09 0a 0b
                80 22 00 05   # SOFTWARE of 5 bytes: 8 with padding, 4 remain
                61 62 63 64
                """);
        assertEquals(StunRefusal.ATTRIBUTE_OVERRUNS, refusal(m));
    }

    @Test
    void paddingIsSkippedWhateverItHolds() throws Exception {
        byte[] m = request(StunMethod.BINDING).padding(0xA5).username("abcde").software("xy").encode();
        assertEquals(20 + 4 + 8 + 4 + 4, m.length);
        StunMessage d = decode(m);
        assertEquals("abcde", d.username());
        assertEquals("xy", d.software());
        assertEquals(5, d.attribute(StunAttributeType.USERNAME).length());
    }

    @Test
    void unknownAttributesAreReportedOnlyWhenComprehensionRequired() throws Exception {
        byte[] m = request(StunMethod.ALLOCATE)
                .add(0x7FFF, new byte[] {1})
                .add(0xC001, new byte[] {2}) // comprehension-optional: ignored silently
                .add(0x0031, new byte[0])
                .add(0x7FFF, new byte[] {3})
                .requestedTransport(17)
                .encode();
        StunMessage d = decode(m);
        assertEquals(List.of(0x7FFF, 0x0031), d.unknownComprehensionRequired());
        assertEquals(17, d.requestedTransport());
        assertTrue(d.has(0xC001));
    }

    @Test
    void answer420CarriesUnknownAttributes() throws Exception {
        StunMessage req = decode(request(StunMethod.ALLOCATE).add(0x7FFF, new byte[0]).encode());
        byte[] answer = StunMessageBuilder.responseTo(req, false)
                .errorCode(ErrorCode.UNKNOWN_ATTRIBUTE, "Unknown Attribute")
                .unknownAttributes(req.unknownComprehensionRequired())
                .encode();
        StunMessage d = decode(answer);
        assertEquals(StunClass.ERROR_RESPONSE, d.messageClass());
        assertEquals(ErrorCode.of(420, "Unknown Attribute"), d.errorCode());
        assertEquals(List.of(0x7FFF), d.unknownAttributes());
        assertArrayEquals(TX, d.transactionId());
    }

    @Test
    void fingerprintMustBeLast() {
        byte[] m = request(StunMethod.BINDING).fingerprint().encode();
        byte[] more = Arrays.copyOf(m, m.length + 4);
        BigEndian.putShort(more, 2, more.length - 20);
        BigEndian.putShort(more, m.length, StunAttributeType.DONT_FRAGMENT);
        assertEquals(StunRefusal.FINGERPRINT_NOT_LAST, refusal(more));
        assertThrows(IllegalStateException.class,
                () -> request(StunMethod.BINDING).fingerprint().software("late"));
    }

    @Test
    void attributesAfterMessageIntegrityAreIgnoredExceptFingerprint() throws Exception {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] signed = request(StunMethod.BINDING).username("u").messageIntegrity(key).encode();
        // RFC 8489 §14.5: an attribute an attacker appends after MESSAGE-INTEGRITY is not honoured,
        // and the HMAC, computed with the length up to MESSAGE-INTEGRITY, still verifies.
        byte[] appended = Arrays.copyOf(signed, signed.length + 8);
        BigEndian.putShort(appended, 2, appended.length - 20);
        BigEndian.putShort(appended, signed.length, StunAttributeType.LIFETIME);
        BigEndian.putShort(appended, signed.length + 2, 4);
        StunMessage d = decode(appended);
        assertEquals(-1, d.lifetime());
        assertFalse(d.has(StunAttributeType.LIFETIME));
        assertEquals(StunMessage.Integrity.VALID, d.checkIntegrity(key));

        byte[] withFingerprint = request(StunMethod.BINDING).username("u").messageIntegrity(key)
                .messageIntegritySha256(key).fingerprint().encode();
        StunMessage f = decode(withFingerprint);
        assertTrue(f.has(StunAttributeType.MESSAGE_INTEGRITY_SHA256));
        assertTrue(f.has(StunAttributeType.FINGERPRINT));
        assertEquals(StunMessage.Integrity.VALID, f.checkIntegrity(key)); // the SHA-256 one
    }

    @Test
    void attributesAfterMessageIntegritySha256AreIgnored() throws Exception {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] m = request(StunMethod.BINDING).messageIntegritySha256(key)
                .messageIntegrity(key).software("late").fingerprint().encode();
        StunMessage d = decode(m);
        assertFalse(d.has(StunAttributeType.MESSAGE_INTEGRITY));
        assertNull(d.software());
        assertTrue(d.has(StunAttributeType.FINGERPRINT));
    }

    @Test
    void tooManyAttributes() {
        StunMessageBuilder b = request(StunMethod.BINDING);
        for (int i = 0; i <= StunMessage.MAX_ATTRIBUTES; i++) {
            b.dontFragment();
        }
        assertEquals(StunRefusal.TOO_MANY_ATTRIBUTES, refusal(b.encode()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "MAPPED-ADDRESS with family 3, 0x0001, 0003000001020304",
        "XOR-MAPPED-ADDRESS IPv4 of IPv6 length, 0x0020, 00010000" + "0102030405060708090a0b0c0d0e0f10",
        "XOR-PEER-ADDRESS too short, 0x0012, 0001",
        "MESSAGE-INTEGRITY of 16 bytes, 0x0008, 0102030405060708090a0b0c0d0e0f10",
        "MESSAGE-INTEGRITY-SHA256 of 12 bytes, 0x001C, 0102030405060708090a0b0c",
        "MESSAGE-INTEGRITY-SHA256 of 18 bytes, 0x001C, 0102030405060708090a0b0c0d0e0f101112",
        "ERROR-CODE class 7, 0x0009, 00000700",
        "ERROR-CODE number 100, 0x0009, 00000464",
        "ERROR-CODE too short, 0x0009, 000004",
        "USERNAME not UTF-8, 0x0006, c328",
        "LIFETIME of 2 bytes, 0x000D, 0258",
        "CHANNEL-NUMBER of 2 bytes, 0x000C, 4000",
        "REQUESTED-TRANSPORT of 1 byte, 0x0019, 11",
        "EVEN-PORT of 4 bytes, 0x0018, 80000000",
        "DONT-FRAGMENT with a value, 0x001A, 00",
        "RESERVATION-TOKEN of 4 bytes, 0x0022, 01020304",
        "UNKNOWN-ATTRIBUTES of odd length, 0x000A, 000102",
        "PASSWORD-ALGORITHM of two, 0x001D, 0001000000020000",
        "PASSWORD-ALGORITHMS overrunning, 0x8002, 00010008",
        "USERHASH of 20 bytes, 0x001E, 0102030405060708090a0b0c0d0e0f1011121314",
        "ADDRESS-ERROR-CODE class 2, 0x8001, 01000200",
    })
    void malformedKnownAttribute(String name, String type, String value) {
        byte[] m = request(StunMethod.ALLOCATE).add(Integer.decode(type), HexFormat.of().parseHex(value)).encode();
        assertEquals(StunRefusal.MALFORMED_ATTRIBUTE, refusal(m), name);
    }

    @Test
    void turnAttributesRoundTrip() throws Exception {
        InetSocketAddress peer4 = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 5004);
        InetSocketAddress peer6 = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 5006);
        InetSocketAddress relayed = new InetSocketAddress(InetAddress.getByName("198.51.100.1"), 49152);
        byte[] token = HexFormat.of().parseHex("0102030405060708");
        byte[] m = request(StunMethod.CREATE_PERMISSION)
                .xorPeerAddress(peer4)
                .xorPeerAddress(peer6)
                .xorRelayedAddress(relayed)
                .channelNumber(0x4001)
                .lifetime(0xFFFFFFFFL)
                .requestedAddressFamily(AddressFamily.IPV4)
                .additionalAddressFamily(AddressFamily.IPV6)
                .requestedTransport(17)
                .evenPort(true)
                .dontFragment()
                .reservationToken(token)
                .data(new byte[] {1, 2, 3})
                .addressErrorCode(AddressFamily.IPV6, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, "no IPv6")
                .passwordAlgorithm(LongTermCredentials.SHA256)
                .passwordAlgorithms(List.of(LongTermCredentials.MD5, LongTermCredentials.SHA256))
                .mappedAddress(peer6)
                .alternateServer(peer4)
                .encode();
        StunMessage d = decode(m);
        assertEquals(List.of(peer4, peer6), d.xorPeerAddresses());
        assertEquals(relayed, d.xorRelayedAddress());
        assertEquals(0x4001, d.channelNumber());
        assertEquals(0xFFFFFFFFL, d.lifetime());
        assertEquals(AddressFamily.IPV4, d.requestedAddressFamily());
        assertEquals(AddressFamily.IPV6, d.additionalAddressFamily());
        assertEquals(17, d.requestedTransport());
        assertTrue(d.evenPortReserve());
        assertTrue(d.has(StunAttributeType.DONT_FRAGMENT));
        assertArrayEquals(token, d.reservationToken());
        assertArrayEquals(new byte[] {1, 2, 3}, d.data());
        assertEquals(new ErrorCode(AddressFamily.IPV6, 440, "no IPv6"), d.addressErrorCode());
        assertEquals(LongTermCredentials.SHA256, d.passwordAlgorithm());
        assertEquals(peer6, d.mappedAddress());
        assertEquals(peer4, d.alternateServer());
        assertEquals(List.of(), d.unknownComprehensionRequired());
    }

    @Test
    void turnAttributeLayouts() throws Exception {
        // RFC 8656 §18.1, §18.8, §18.10, §18.7: the value first, reserved bytes after.
        byte[] m = request(StunMethod.ALLOCATE).channelNumber(0x4ABC).requestedAddressFamily(2)
                .requestedTransport(17).evenPort(false).encode();
        assertArrayEquals(hex("""
                00 0c 00 04   # CHANNEL-NUMBER
                4a bc 00 00   # 0x4ABC, RFFU
                00 17 00 04   # REQUESTED-ADDRESS-FAMILY
                02 00 00 00   # IPv6, reserved
                00 19 00 04   # REQUESTED-TRANSPORT
                11 00 00 00   # UDP, RFFU
                00 18 00 01   # EVEN-PORT
                00 00 00 00   # R = 0, padding
                """), Arrays.copyOfRange(m, 20, m.length));
        assertFalse(decode(m).evenPortReserve());
    }

    @Test
    void anIpv4MappedIpv6AddressStaysIpv6() throws Exception {
        InetAddress mapped = Inet6Address.getByAddress(null,
                HexFormat.of().parseHex("00000000000000000000ffffc0000201"), -1);
        InetSocketAddress a = new InetSocketAddress(mapped, 1);
        byte[] m = request(StunMethod.BINDING).xorMappedAddress(a).encode();
        assertEquals(AddressFamily.IPV6, m[20 + 5]);
        assertEquals(16, decode(m).xorMappedAddress().getAddress().getAddress().length);
    }

    @Test
    void decodeReadsAWindowOfALargerBuffer() throws Exception {
        byte[] m = request(StunMethod.REFRESH).lifetime(0).encode();
        byte[] buf = new byte[m.length + 7];
        System.arraycopy(m, 0, buf, 3, m.length);
        StunMessage d = StunMessage.decode(buf, 3, m.length);
        assertEquals(0, d.lifetime());
        assertArrayEquals(m, d.bytes());
        assertEquals(m.length, StunMessage.frameLength(buf, 3, 20));
        assertEquals(-1, StunMessage.frameLength(buf, 3, 19));
    }
}
