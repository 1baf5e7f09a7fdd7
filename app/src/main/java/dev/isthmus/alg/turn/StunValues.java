package dev.isthmus.alg.turn;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The values of the attributes this codec understands: the check {@link StunMessage#decode}
 * applies to each, and readers and writers. Readers assume a value that passed {@link #check}.
 */
final class StunValues {
    /**
     * RFC 8489 §14.3, §14.9, §14.10, §14.14: text of "fewer than 128 characters", which "can be as
     * long as 763 bytes when decoding"; USERNAME is "less than 509 bytes" after OpaqueString and
     * 513 is the length RFC 8489 §14.3 gives receivers.
     */
    static final int MAX_TEXT_BYTES = 763;

    static final int MAX_USERNAME_BYTES = 513;

    /** MESSAGE-INTEGRITY is an HMAC-SHA1 (RFC 8489 §14.5). */
    static final int HMAC_SHA1_LENGTH = 20;

    /** RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256 may be truncated to 16 bytes, in steps of 4. */
    static final int MIN_SHA256_LENGTH = 16;

    static final int HMAC_SHA256_LENGTH = 32;

    private StunValues() {}

    /** Why {@code value} is not a valid value of {@code type}, or null when it is (or we do not know the type). */
    static String check(int type, byte[] v) {
        return switch (type) {
            case StunAttributeType.MAPPED_ADDRESS, StunAttributeType.XOR_MAPPED_ADDRESS,
                    StunAttributeType.XOR_PEER_ADDRESS, StunAttributeType.XOR_RELAYED_ADDRESS,
                    StunAttributeType.ALTERNATE_SERVER -> checkAddress(v);
            case StunAttributeType.USERNAME -> checkText(v, MAX_USERNAME_BYTES);
            case StunAttributeType.REALM, StunAttributeType.NONCE, StunAttributeType.SOFTWARE,
                    StunAttributeType.ALTERNATE_DOMAIN -> checkText(v, MAX_TEXT_BYTES);
            case StunAttributeType.USERHASH -> exact(v, 32); // SHA-256, RFC 8489 §14.4
            case StunAttributeType.MESSAGE_INTEGRITY -> exact(v, HMAC_SHA1_LENGTH);
            case StunAttributeType.MESSAGE_INTEGRITY_SHA256 ->
                    v.length >= MIN_SHA256_LENGTH && v.length <= HMAC_SHA256_LENGTH && v.length % 4 == 0
                            ? null : "length " + v.length + " is not 16, 20, 24, 28 or 32";
            case StunAttributeType.FINGERPRINT, StunAttributeType.CHANNEL_NUMBER,
                    StunAttributeType.LIFETIME, StunAttributeType.REQUESTED_ADDRESS_FAMILY,
                    StunAttributeType.ADDITIONAL_ADDRESS_FAMILY, StunAttributeType.REQUESTED_TRANSPORT ->
                    exact(v, 4);
            case StunAttributeType.ERROR_CODE, StunAttributeType.ADDRESS_ERROR_CODE -> checkErrorCode(v);
            case StunAttributeType.UNKNOWN_ATTRIBUTES ->
                    v.length % 2 == 0 ? null : "odd length " + v.length + " for a list of 16-bit types";
            case StunAttributeType.PASSWORD_ALGORITHM -> checkPasswordAlgorithms(v, true);
            case StunAttributeType.PASSWORD_ALGORITHMS -> checkPasswordAlgorithms(v, false);
            case StunAttributeType.EVEN_PORT -> exact(v, 1);
            case StunAttributeType.DONT_FRAGMENT -> exact(v, 0);
            case StunAttributeType.RESERVATION_TOKEN, StunAttributeType.ICMP -> exact(v, 8);
            default -> null; // DATA may hold anything; unknown types are the caller's to report
        };
    }

    private static String exact(byte[] v, int length) {
        return v.length == length ? null : "length " + v.length + ", not " + length;
    }

    /** RFC 8489 §14.1: 0, family, port, then 4 or 16 address bytes as the family says. */
    private static String checkAddress(byte[] v) {
        if (v.length < 4) {
            return "length " + v.length + " is shorter than family and port";
        }
        int want = AddressFamily.addressLength(v[1] & 0xFF);
        if (want < 0) {
            return "unknown address family " + (v[1] & 0xFF);
        }
        return exact(v, 4 + want);
    }

    private static String checkText(byte[] v, int max) {
        if (v.length > max) {
            return "length " + v.length + " exceeds " + max;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(v));
            return null;
        } catch (CharacterCodingException e) {
            return "not UTF-8 (RFC 3629)";
        }
    }

    /** RFC 8489 §14.8 and RFC 8656 §18.14: 21 reserved bits (or family, reserved), class 3-6, number 0-99, reason. */
    private static String checkErrorCode(byte[] v) {
        if (v.length < 4) {
            return "length " + v.length + " is shorter than class and number";
        }
        int cls = v[2] & 0x07;
        int number = v[3] & 0xFF;
        if (cls < 3 || cls > 6 || number > 99) {
            return "class " + cls + " number " + number + " is not a code 300-699";
        }
        byte[] reason = new byte[v.length - 4];
        System.arraycopy(v, 4, reason, 0, reason.length);
        return checkText(reason, MAX_TEXT_BYTES);
    }

    /**
     * RFC 8489 §14.11-14.12: algorithm (16 bits), parameters' length (16 bits), parameters padded
     * to 4 bytes; PASSWORD-ALGORITHM holds exactly one, PASSWORD-ALGORITHMS a list.
     */
    private static String checkPasswordAlgorithms(byte[] v, boolean one) {
        int pos = 0;
        int count = 0;
        while (pos < v.length) {
            if (v.length - pos < 4) {
                return "algorithm header cut at " + pos;
            }
            int paramsLength = (v[pos + 2] & 0xFF) << 8 | v[pos + 3] & 0xFF;
            int padded = paramsLength + 3 & ~3;
            if (padded > v.length - pos - 4) {
                return "algorithm parameters overrun at " + pos;
            }
            pos += 4 + padded;
            count++;
        }
        if (one && count != 1) {
            return count + " algorithms where one is due";
        }
        return null;
    }

    /** The 16 bytes an XOR address is XORed with (RFC 8489 §14.2): magic cookie, transaction id. */
    static byte[] xorPad(byte[] transactionId) {
        byte[] pad = new byte[16];
        BigEndian.putInt(pad, 0, StunMessage.MAGIC_COOKIE);
        System.arraycopy(transactionId, 0, pad, 4, 12);
        return pad;
    }

    /**
     * An address attribute's value (checked), XORed with {@code pad} for the XOR- attributes
     * (RFC 8489 §14.2: the port with the cookie's top 16 bits, the address with cookie and, for
     * IPv6, the transaction id) or as it is when {@code pad} is null.
     */
    static InetSocketAddress readAddress(byte[] v, byte[] pad) {
        int port = BigEndian.u16(v, 2);
        byte[] a = new byte[v.length - 4];
        System.arraycopy(v, 4, a, 0, a.length);
        if (pad != null) {
            port ^= StunMessage.MAGIC_COOKIE >>> 16;
            for (int i = 0; i < a.length; i++) {
                a[i] ^= pad[i];
            }
        }
        return new InetSocketAddress(inetAddress(a), port);
    }

    /** The bytes as an address of their own family: 16 bytes stay IPv6 even when IPv4-mapped. */
    private static InetAddress inetAddress(byte[] a) {
        try {
            return a.length == 16 ? Inet6Address.getByAddress(null, a, -1) : InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("checked length " + a.length, e);
        }
    }

    /** The value of an address attribute; XORed with {@code pad} unless it is null. */
    static byte[] writeAddress(InetSocketAddress address, byte[] pad) {
        byte[] a = address.getAddress().getAddress();
        byte[] v = new byte[4 + a.length];
        v[1] = (byte) AddressFamily.of(address.getAddress());
        int port = address.getPort();
        for (int i = 0; i < a.length; i++) {
            v[4 + i] = pad == null ? a[i] : (byte) (a[i] ^ pad[i]);
        }
        BigEndian.putShort(v, 2, pad == null ? port : port ^ StunMessage.MAGIC_COOKIE >>> 16);
        return v;
    }

    static String readText(byte[] v, int from) {
        return new String(v, from, v.length - from, StandardCharsets.UTF_8);
    }

    static ErrorCode readErrorCode(byte[] v, boolean withFamily) {
        int code = (v[2] & 0x07) * 100 + (v[3] & 0xFF);
        return new ErrorCode(withFamily ? v[0] & 0xFF : 0, code, readText(v, 4));
    }

    static byte[] writeErrorCode(ErrorCode e, boolean withFamily) {
        byte[] reason = e.reason().getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[4 + reason.length];
        if (withFamily) {
            v[0] = (byte) e.family();
        }
        v[2] = (byte) (e.code() / 100);
        v[3] = (byte) (e.code() % 100);
        System.arraycopy(reason, 0, v, 4, reason.length);
        return v;
    }
}
