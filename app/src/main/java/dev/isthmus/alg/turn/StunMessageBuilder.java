package dev.isthmus.alg.turn;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a STUN message (RFC 8489 §5, §14): attributes in the order they are added, each padded
 * to 4 bytes, then MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, computed over
 * what precedes them when {@link #encode} runs. Mistakes of the caller (an attribute after
 * FINGERPRINT, a message over 64 KiB) are programming errors and throw unchecked.
 */
public final class StunMessageBuilder {
    /** The Message Length field is 16 bits (RFC 8489 §5). */
    private static final int MAX_BODY = 0xFFFC;

    private final int method;
    private final StunClass messageClass;
    private final byte[] transactionId;
    private final List<Entry> entries = new ArrayList<>();
    private byte padding;

    /** An attribute given by value, or a key for an HMAC attribute whose value encode computes. */
    private record Entry(int type, byte[] value, byte[] key) {}

    public StunMessageBuilder(int method, StunClass messageClass, byte[] transactionId) {
        if (method < 0 || method > StunMethod.MAX || transactionId.length != StunMessage.TRANSACTION_ID_LENGTH) {
            throw new IllegalArgumentException("method " + method + ", transaction id of " + transactionId.length);
        }
        this.method = method;
        this.messageClass = messageClass;
        this.transactionId = transactionId.clone();
    }

    /** A response to {@code request}: same method and transaction id (RFC 8489 §6.3.1). */
    public static StunMessageBuilder responseTo(StunMessage request, boolean success) {
        return new StunMessageBuilder(request.method(),
                success ? StunClass.SUCCESS_RESPONSE : StunClass.ERROR_RESPONSE, request.transactionId());
    }

    /**
     * The byte written into padding. RFC 8489 §14 lets it be anything and receivers ignore it;
     * zero by default, settable so that RFC 5769's vectors (padded with spaces) can be rebuilt.
     */
    public StunMessageBuilder padding(int value) {
        this.padding = (byte) value;
        return this;
    }

    /** Any attribute, by type and value. */
    public StunMessageBuilder add(int type, byte[] value) {
        return append(new Entry(type, value.clone(), null));
    }

    private StunMessageBuilder append(Entry e) {
        if (!entries.isEmpty() && entries.getLast().type() == StunAttributeType.FINGERPRINT) {
            throw new IllegalStateException("FINGERPRINT must be last (RFC 8489 §14.7)");
        }
        entries.add(e);
        return this;
    }

    public StunMessageBuilder mappedAddress(InetSocketAddress a) {
        return add(StunAttributeType.MAPPED_ADDRESS, StunValues.writeAddress(a, null));
    }

    public StunMessageBuilder alternateServer(InetSocketAddress a) {
        return add(StunAttributeType.ALTERNATE_SERVER, StunValues.writeAddress(a, null));
    }

    public StunMessageBuilder xorMappedAddress(InetSocketAddress a) {
        return add(StunAttributeType.XOR_MAPPED_ADDRESS, StunValues.writeAddress(a, StunValues.xorPad(transactionId)));
    }

    public StunMessageBuilder xorPeerAddress(InetSocketAddress a) {
        return add(StunAttributeType.XOR_PEER_ADDRESS, StunValues.writeAddress(a, StunValues.xorPad(transactionId)));
    }

    public StunMessageBuilder xorRelayedAddress(InetSocketAddress a) {
        return add(StunAttributeType.XOR_RELAYED_ADDRESS, StunValues.writeAddress(a, StunValues.xorPad(transactionId)));
    }

    public StunMessageBuilder username(String s) {
        return text(StunAttributeType.USERNAME, s);
    }

    public StunMessageBuilder realm(String s) {
        return text(StunAttributeType.REALM, s);
    }

    public StunMessageBuilder nonce(String s) {
        return text(StunAttributeType.NONCE, s);
    }

    public StunMessageBuilder software(String s) {
        return text(StunAttributeType.SOFTWARE, s);
    }

    private StunMessageBuilder text(int type, String s) {
        return add(type, s.getBytes(StandardCharsets.UTF_8));
    }

    public StunMessageBuilder errorCode(int code, String reason) {
        return add(StunAttributeType.ERROR_CODE, StunValues.writeErrorCode(ErrorCode.of(code, reason), false));
    }

    /** ADDRESS-ERROR-CODE (RFC 8656 §18.14): the family the error is about, code and reason. */
    public StunMessageBuilder addressErrorCode(int family, int code, String reason) {
        return add(StunAttributeType.ADDRESS_ERROR_CODE,
                StunValues.writeErrorCode(new ErrorCode(family, code, reason), true));
    }

    /** UNKNOWN-ATTRIBUTES (RFC 8489 §14.13), the list of a 420 answer. */
    public StunMessageBuilder unknownAttributes(List<Integer> types) {
        byte[] v = new byte[2 * types.size()];
        for (int i = 0; i < types.size(); i++) {
            BigEndian.putShort(v, 2 * i, types.get(i));
        }
        return add(StunAttributeType.UNKNOWN_ATTRIBUTES, v);
    }

    public StunMessageBuilder lifetime(long seconds) {
        return add(StunAttributeType.LIFETIME, u32((int) seconds));
    }

    /** CHANNEL-NUMBER (RFC 8656 §18.1): the number, then two reserved bytes. */
    public StunMessageBuilder channelNumber(int channel) {
        return add(StunAttributeType.CHANNEL_NUMBER, u32(channel << 16));
    }

    /** REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.8): the family, then three reserved bytes. */
    public StunMessageBuilder requestedAddressFamily(int family) {
        return add(StunAttributeType.REQUESTED_ADDRESS_FAMILY, u32(family << 24));
    }

    /** ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11), laid out as REQUESTED-ADDRESS-FAMILY. */
    public StunMessageBuilder additionalAddressFamily(int family) {
        return add(StunAttributeType.ADDITIONAL_ADDRESS_FAMILY, u32(family << 24));
    }

    /** REQUESTED-TRANSPORT (RFC 8656 §18.10): the IP protocol number, then three reserved bytes. */
    public StunMessageBuilder requestedTransport(int protocol) {
        return add(StunAttributeType.REQUESTED_TRANSPORT, u32(protocol << 24));
    }

    /** EVEN-PORT (RFC 8656 §18.7): one byte whose top bit R asks to reserve the next port. */
    public StunMessageBuilder evenPort(boolean reserveNext) {
        return add(StunAttributeType.EVEN_PORT, new byte[] {(byte) (reserveNext ? 0x80 : 0)});
    }

    public StunMessageBuilder dontFragment() {
        return add(StunAttributeType.DONT_FRAGMENT, new byte[0]);
    }

    public StunMessageBuilder reservationToken(byte[] token) {
        return add(StunAttributeType.RESERVATION_TOKEN, token);
    }

    public StunMessageBuilder data(byte[] bytes) {
        return add(StunAttributeType.DATA, bytes);
    }

    /** PASSWORD-ALGORITHM (RFC 8489 §14.12) without parameters, which MD5 and SHA-256 have none of. */
    public StunMessageBuilder passwordAlgorithm(int algorithm) {
        return add(StunAttributeType.PASSWORD_ALGORITHM, u32(algorithm << 16));
    }

    /** PASSWORD-ALGORITHMS (RFC 8489 §14.11), algorithms without parameters. */
    public StunMessageBuilder passwordAlgorithms(List<Integer> algorithms) {
        byte[] v = new byte[4 * algorithms.size()];
        for (int i = 0; i < algorithms.size(); i++) {
            BigEndian.putShort(v, 4 * i, algorithms.get(i));
        }
        return add(StunAttributeType.PASSWORD_ALGORITHMS, v);
    }

    /** MESSAGE-INTEGRITY (RFC 8489 §14.5), the HMAC-SHA1 with {@code key} of what precedes it. */
    public StunMessageBuilder messageIntegrity(byte[] key) {
        return hmac(StunAttributeType.MESSAGE_INTEGRITY, key);
    }

    /** MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6), untruncated. */
    public StunMessageBuilder messageIntegritySha256(byte[] key) {
        return hmac(StunAttributeType.MESSAGE_INTEGRITY_SHA256, key);
    }

    private StunMessageBuilder hmac(int type, byte[] key) {
        int length = type == StunAttributeType.MESSAGE_INTEGRITY
                ? StunValues.HMAC_SHA1_LENGTH : StunValues.HMAC_SHA256_LENGTH;
        return append(new Entry(type, new byte[length], key.clone()));
    }

    /** FINGERPRINT (RFC 8489 §14.7), which must be the last attribute. */
    public StunMessageBuilder fingerprint() {
        return add(StunAttributeType.FINGERPRINT, new byte[4]);
    }

    /** The message's bytes. */
    public byte[] encode() {
        int body = 0;
        for (Entry e : entries) {
            body += 4 + (e.value().length + 3 & ~3);
        }
        if (body > MAX_BODY) {
            throw new IllegalStateException("message body of " + body + " bytes exceeds " + MAX_BODY);
        }
        byte[] m = new byte[StunMessage.HEADER_LENGTH + body];
        BigEndian.putShort(m, 0, StunMethod.messageType(method, messageClass));
        BigEndian.putShort(m, 2, body);
        BigEndian.putInt(m, 4, StunMessage.MAGIC_COOKIE);
        System.arraycopy(transactionId, 0, m, 8, transactionId.length);
        int pos = StunMessage.HEADER_LENGTH;
        for (Entry e : entries) {
            byte[] v = e.value();
            if (e.key() != null) {
                String algorithm = e.type() == StunAttributeType.MESSAGE_INTEGRITY ? "HmacSHA1" : "HmacSHA256";
                v = StunIntegrity.hmac(algorithm, e.key(), m, pos, v.length);
            } else if (e.type() == StunAttributeType.FINGERPRINT) {
                v = u32(StunIntegrity.fingerprint(m, pos));
            }
            BigEndian.putShort(m, pos, e.type());
            BigEndian.putShort(m, pos + 2, v.length);
            System.arraycopy(v, 0, m, pos + 4, v.length);
            int end = pos + 4 + (v.length + 3 & ~3);
            for (int i = pos + 4 + v.length; i < end; i++) {
                m[i] = padding;
            }
            pos = end;
        }
        return m;
    }

    private static byte[] u32(int value) {
        byte[] v = new byte[4];
        BigEndian.putInt(v, 0, value);
        return v;
    }
}
