package dev.isthmus.alg.turn;

/** Why bytes were not accepted as a STUN message: one value per rule of RFC 8489 §6 and §14. */
public enum StunRefusal {
    /** Fewer than the 20 bytes of the header (RFC 8489 §5). */
    TOO_SHORT,
    /** The two most significant bits are not zero (RFC 8489 §5): ChannelData or other traffic. */
    NOT_STUN,
    /** The magic cookie is not 0x2112A442 (RFC 8489 §5), e.g. an RFC 3489 client. */
    BAD_MAGIC_COOKIE,
    /** The header's length is not a multiple of 4 (RFC 8489 §5: attributes are padded). */
    LENGTH_NOT_MULTIPLE_OF_4,
    /** The header's length disagrees with the bytes given (a datagram is one whole message). */
    LENGTH_MISMATCH,
    /** An attribute, with its padding, runs past the end of the message (RFC 8489 §14). */
    ATTRIBUTE_OVERRUNS,
    /** More attributes than {@link StunMessage#MAX_ATTRIBUTES}. */
    TOO_MANY_ATTRIBUTES,
    /** An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7). */
    FINGERPRINT_NOT_LAST,
    /** FINGERPRINT does not match the CRC-32 of the message (RFC 8489 §14.7, §7.3). */
    BAD_FINGERPRINT,
    /** An attribute we understand has a value its RFC does not allow (length, family, range). */
    MALFORMED_ATTRIBUTE,
}
