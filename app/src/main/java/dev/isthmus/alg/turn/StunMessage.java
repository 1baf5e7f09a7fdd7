package dev.isthmus.alg.turn;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A decoded STUN message (RFC 8489 §5, §14), checked once so that no accessor can fail.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Transaction ID (96 bits)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Type                  |            Length             |  attributes,
 * |                         Value (variable, padded to 4)      ....  each a TLV
 * </pre>
 *
 * <p>{@link #decode} refuses what breaks a rule of the RFC with a {@link StunFormatException}
 * naming it, verifies FINGERPRINT when present, validates every attribute it knows and drops
 * what follows MESSAGE-INTEGRITY except MESSAGE-INTEGRITY-SHA256 and FINGERPRINT (§14.5), and
 * what follows MESSAGE-INTEGRITY-SHA256 except FINGERPRINT (§14.6). Unknown
 * comprehension-required attributes are not a decoding error: they are listed by
 * {@link #unknownComprehensionRequired()} so that the server can answer 420 (§6.3.1).
 * MESSAGE-INTEGRITY needs the key, which needs USERNAME and REALM from this message: it is
 * checked afterwards by {@link #checkIntegrity}.
 */
public final class StunMessage {
    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int TRANSACTION_ID_LENGTH = 12;

    /**
     * Attributes one message may carry. A TURN request has about ten (an Allocate with
     * credentials and families: eight); a CreatePermission may list several XOR-PEER-ADDRESS.
     * Without this bound a 64 KiB datagram of empty attributes would make 16 k of them.
     */
    public static final int MAX_ATTRIBUTES = 64;

    private final int method;
    private final StunClass messageClass;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes;
    private final List<Integer> unknownComprehensionRequired;
    /** The message as received, for the integrity checks. */
    private final byte[] raw;
    /** Offsets in {@link #raw} of the MESSAGE-INTEGRITY and -SHA256 attributes, or -1. */
    private final int integrityOffset;
    private final int integritySha256Offset;

    private StunMessage(byte[] raw, List<StunAttribute> attributes, List<Integer> unknown,
            int integrityOffset, int integritySha256Offset) {
        int type = BigEndian.u16(raw, 0);
        this.method = StunMethod.methodOf(type);
        this.messageClass = StunMethod.classOf(type);
        this.transactionId = Arrays.copyOfRange(raw, 8, HEADER_LENGTH);
        this.attributes = List.copyOf(attributes);
        this.unknownComprehensionRequired = List.copyOf(unknown);
        this.raw = raw;
        this.integrityOffset = integrityOffset;
        this.integritySha256Offset = integritySha256Offset;
    }

    /** A fresh transaction id (RFC 8489 §6: "uniformly and randomly chosen from the interval 0 .. 2**96-1"). */
    public static byte[] newTransactionId(RandomGenerator random) {
        byte[] id = new byte[TRANSACTION_ID_LENGTH];
        for (int i = 0; i < id.length; i++) {
            id[i] = (byte) random.nextInt(256);
        }
        return id;
    }

    /**
     * Over a stream (TCP, TLS: RFC 8489 §6.2.2) the length of the STUN message that starts at
     * {@code off}, or -1 while fewer than the 20 header bytes are available.
     */
    public static int frameLength(byte[] buf, int off, int available) {
        return available < HEADER_LENGTH ? -1 : HEADER_LENGTH + BigEndian.u16(buf, off + 2);
    }

    /** Decodes the whole of {@code buf[off, off + len)} as one STUN message. */
    public static StunMessage decode(byte[] buf, int off, int len) throws StunFormatException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len < HEADER_LENGTH) {
            throw refuse(StunRefusal.TOO_SHORT, len + " bytes");
        }
        if ((buf[off] & 0xC0) != 0) {
            throw refuse(StunRefusal.NOT_STUN, String.format("first byte 0x%02x", buf[off] & 0xFF));
        }
        if (BigEndian.u32(buf, off + 4) != (MAGIC_COOKIE & 0xFFFFFFFFL)) {
            throw refuse(StunRefusal.BAD_MAGIC_COOKIE, String.format("0x%08x", BigEndian.u32(buf, off + 4)));
        }
        int length = BigEndian.u16(buf, off + 2);
        if (length % 4 != 0) {
            throw refuse(StunRefusal.LENGTH_NOT_MULTIPLE_OF_4, "length " + length);
        }
        if (HEADER_LENGTH + length != len) {
            throw refuse(StunRefusal.LENGTH_MISMATCH, "header says " + length + ", " + (len - HEADER_LENGTH) + " follow");
        }
        byte[] raw = Arrays.copyOfRange(buf, off, off + len);
        List<StunAttribute> attributes = new ArrayList<>();
        List<Integer> unknown = new ArrayList<>();
        int integrity = -1;
        int integritySha256 = -1;
        // pos and len are multiples of 4, so a whole attribute header always fits while pos < len.
        for (int pos = HEADER_LENGTH, count = 1; pos < len; count++) {
            if (count > MAX_ATTRIBUTES) {
                throw refuse(StunRefusal.TOO_MANY_ATTRIBUTES, "more than " + MAX_ATTRIBUTES);
            }
            int type = BigEndian.u16(raw, pos);
            int valueLength = BigEndian.u16(raw, pos + 2);
            int padded = valueLength + 3 & ~3;
            if (padded > len - pos - 4) {
                throw refuse(StunRefusal.ATTRIBUTE_OVERRUNS,
                        StunAttributeType.name(type) + " of " + valueLength + " bytes at " + pos);
            }
            byte[] value = Arrays.copyOfRange(raw, pos + 4, pos + 4 + valueLength);
            boolean ignored = false;
            if (type == StunAttributeType.FINGERPRINT) {
                check(type, value);
                if (pos + 4 + padded != len) {
                    throw refuse(StunRefusal.FINGERPRINT_NOT_LAST, "FINGERPRINT at " + pos + " of " + len);
                }
                if ((int) BigEndian.u32(value, 0) != StunIntegrity.fingerprint(raw, pos)) {
                    throw refuse(StunRefusal.BAD_FINGERPRINT, "CRC-32 does not match");
                }
            } else if (integritySha256 >= 0) {
                ignored = true; // RFC 8489 §14.6: only FINGERPRINT counts after MESSAGE-INTEGRITY-SHA256
            } else if (type == StunAttributeType.MESSAGE_INTEGRITY_SHA256) {
                check(type, value);
                integritySha256 = pos;
            } else if (integrity >= 0) {
                ignored = true; // RFC 8489 §14.5: ignored after MESSAGE-INTEGRITY
            } else {
                check(type, value);
                if (type == StunAttributeType.MESSAGE_INTEGRITY) {
                    integrity = pos;
                } else if (StunAttributeType.isComprehensionRequired(type)
                        && !StunAttributeType.isKnown(type) && !unknown.contains(type)) {
                    unknown.add(type);
                }
            }
            if (!ignored) {
                attributes.add(new StunAttribute(type, value));
            }
            pos += 4 + padded;
        }
        return new StunMessage(raw, attributes, unknown, integrity, integritySha256);
    }

    private static void check(int type, byte[] value) throws StunFormatException {
        String why = StunValues.check(type, value);
        if (why != null) {
            throw refuse(StunRefusal.MALFORMED_ATTRIBUTE, StunAttributeType.name(type) + ": " + why);
        }
    }

    private static StunFormatException refuse(StunRefusal refusal, String why) {
        return new StunFormatException(refusal, why);
    }

    public int method() {
        return method;
    }

    public StunClass messageClass() {
        return messageClass;
    }

    public byte[] transactionId() {
        return transactionId.clone();
    }

    /** The attributes in order, without those RFC 8489 §14.5-14.6 say to ignore. */
    public List<StunAttribute> attributes() {
        return attributes;
    }

    /**
     * The comprehension-required types this codec does not understand, each once, in order: the
     * UNKNOWN-ATTRIBUTES of a 420 answer to a request, a reason to discard a response (RFC 8489 §6.3).
     */
    public List<Integer> unknownComprehensionRequired() {
        return unknownComprehensionRequired;
    }

    /** The message's bytes as decoded. */
    public byte[] bytes() {
        return raw.clone();
    }

    /** The first attribute of {@code type}, or null: RFC 8489 §14 says only the first counts. */
    public StunAttribute attribute(int type) {
        for (StunAttribute a : attributes) {
            if (a.type() == type) {
                return a;
            }
        }
        return null;
    }

    /** Every attribute of {@code type}, for those that may repeat (XOR-PEER-ADDRESS, RFC 8656 §9.1). */
    public List<StunAttribute> attributes(int type) {
        return attributes.stream().filter(a -> a.type() == type).toList();
    }

    public boolean has(int type) {
        return attribute(type) != null;
    }

    /** MAPPED-ADDRESS (RFC 8489 §14.1), or null. */
    public InetSocketAddress mappedAddress() {
        return address(StunAttributeType.MAPPED_ADDRESS, false);
    }

    /** ALTERNATE-SERVER (RFC 8489 §14.15), or null. */
    public InetSocketAddress alternateServer() {
        return address(StunAttributeType.ALTERNATE_SERVER, false);
    }

    /** XOR-MAPPED-ADDRESS (RFC 8489 §14.2), or null. */
    public InetSocketAddress xorMappedAddress() {
        return address(StunAttributeType.XOR_MAPPED_ADDRESS, true);
    }

    /** XOR-RELAYED-ADDRESS (RFC 8656 §18.5), or null. */
    public InetSocketAddress xorRelayedAddress() {
        return address(StunAttributeType.XOR_RELAYED_ADDRESS, true);
    }

    /** Every XOR-PEER-ADDRESS (RFC 8656 §18.3), in order. */
    public List<InetSocketAddress> xorPeerAddresses() {
        byte[] pad = StunValues.xorPad(transactionId);
        return attributes(StunAttributeType.XOR_PEER_ADDRESS).stream()
                .map(a -> StunValues.readAddress(a.bytes(), pad)).toList();
    }

    private InetSocketAddress address(int type, boolean xor) {
        StunAttribute a = attribute(type);
        return a == null ? null : StunValues.readAddress(a.bytes(), xor ? StunValues.xorPad(transactionId) : null);
    }

    /** USERNAME (RFC 8489 §14.3), or null. */
    public String username() {
        return text(StunAttributeType.USERNAME);
    }

    /** REALM (RFC 8489 §14.9), or null. */
    public String realm() {
        return text(StunAttributeType.REALM);
    }

    /** NONCE (RFC 8489 §14.10), or null. */
    public String nonce() {
        return text(StunAttributeType.NONCE);
    }

    /** SOFTWARE (RFC 8489 §14.14), or null. */
    public String software() {
        return text(StunAttributeType.SOFTWARE);
    }

    private String text(int type) {
        StunAttribute a = attribute(type);
        return a == null ? null : StunValues.readText(a.bytes(), 0);
    }

    /** ERROR-CODE (RFC 8489 §14.8), or null. */
    public ErrorCode errorCode() {
        StunAttribute a = attribute(StunAttributeType.ERROR_CODE);
        return a == null ? null : StunValues.readErrorCode(a.bytes(), false);
    }

    /** ADDRESS-ERROR-CODE (RFC 8656 §18.14), or null. */
    public ErrorCode addressErrorCode() {
        StunAttribute a = attribute(StunAttributeType.ADDRESS_ERROR_CODE);
        return a == null ? null : StunValues.readErrorCode(a.bytes(), true);
    }

    /** The types listed in UNKNOWN-ATTRIBUTES (RFC 8489 §14.13), empty when absent. */
    public List<Integer> unknownAttributes() {
        StunAttribute a = attribute(StunAttributeType.UNKNOWN_ATTRIBUTES);
        List<Integer> types = new ArrayList<>();
        for (int i = 0; a != null && i < a.length(); i += 2) {
            types.add(BigEndian.u16(a.bytes(), i));
        }
        return List.copyOf(types);
    }

    /** LIFETIME in seconds (RFC 8656 §18.2), or -1. */
    public long lifetime() {
        StunAttribute a = attribute(StunAttributeType.LIFETIME);
        return a == null ? -1 : BigEndian.u32(a.bytes(), 0);
    }

    /** The number of CHANNEL-NUMBER (RFC 8656 §18.1), or -1; its range is the server's to check. */
    public int channelNumber() {
        return firstU16(StunAttributeType.CHANNEL_NUMBER);
    }

    /** The family of REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.8), or -1; 440 for one not served. */
    public int requestedAddressFamily() {
        return firstU8(StunAttributeType.REQUESTED_ADDRESS_FAMILY);
    }

    /** The family of ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11), or -1; only IPv6 is allowed there. */
    public int additionalAddressFamily() {
        return firstU8(StunAttributeType.ADDITIONAL_ADDRESS_FAMILY);
    }

    /** The IP protocol number of REQUESTED-TRANSPORT (RFC 8656 §18.10), or -1: 17 is UDP. */
    public int requestedTransport() {
        return firstU8(StunAttributeType.REQUESTED_TRANSPORT);
    }

    /** The algorithm number of PASSWORD-ALGORITHM (RFC 8489 §14.12), or -1. */
    public int passwordAlgorithm() {
        return firstU16(StunAttributeType.PASSWORD_ALGORITHM);
    }

    /** Whether EVEN-PORT (RFC 8656 §18.7) is present with its R bit: reserve the next port too. */
    public boolean evenPortReserve() {
        StunAttribute a = attribute(StunAttributeType.EVEN_PORT);
        return a != null && (a.bytes()[0] & 0x80) != 0;
    }

    /** The bytes of DATA (RFC 8656 §18.4), or null. */
    public byte[] data() {
        StunAttribute a = attribute(StunAttributeType.DATA);
        return a == null ? null : a.value();
    }

    /** The 8 bytes of RESERVATION-TOKEN (RFC 8656 §18.9), or null. */
    public byte[] reservationToken() {
        StunAttribute a = attribute(StunAttributeType.RESERVATION_TOKEN);
        return a == null ? null : a.value();
    }

    private int firstU8(int type) {
        StunAttribute a = attribute(type);
        return a == null ? -1 : a.bytes()[0] & 0xFF;
    }

    private int firstU16(int type) {
        StunAttribute a = attribute(type);
        return a == null ? -1 : BigEndian.u16(a.bytes(), 0);
    }

    /** The outcome of {@link #checkIntegrity}. */
    public enum Integrity {
        /** Neither MESSAGE-INTEGRITY nor MESSAGE-INTEGRITY-SHA256: answer 401 (RFC 8489 §9.2.4). */
        ABSENT,
        VALID,
        /** The HMAC does not match the key: 401 again (RFC 8489 §9.2.4). */
        INVALID
    }

    /**
     * Checks the message's HMAC with {@code key} (see {@link LongTermCredentials}): that of
     * MESSAGE-INTEGRITY-SHA256 when present, else that of MESSAGE-INTEGRITY (RFC 8489 §9.2.4),
     * compared in constant time so that the answer's timing tells nothing about the key.
     */
    public Integrity checkIntegrity(byte[] key) {
        int at;
        String algorithm;
        if (integritySha256Offset >= 0) {
            at = integritySha256Offset;
            algorithm = "HmacSHA256";
        } else if (integrityOffset >= 0) {
            at = integrityOffset;
            algorithm = "HmacSHA1";
        } else {
            return Integrity.ABSENT;
        }
        int length = BigEndian.u16(raw, at + 2);
        byte[] expected = Arrays.copyOf(StunIntegrity.hmac(algorithm, key, raw, at, length), length);
        byte[] got = Arrays.copyOfRange(raw, at + 4, at + 4 + length);
        return MessageDigest.isEqual(expected, got) ? Integrity.VALID : Integrity.INVALID;
    }

    @Override
    public String toString() {
        return StunMethod.name(method) + " " + messageClass + " " + attributes;
    }
}
