package dev.isthmus.alg.turn;

/**
 * The value of ERROR-CODE (RFC 8489 §14.8) or of ADDRESS-ERROR-CODE (RFC 8656 §18.14, with its
 * {@code family}; 0 for ERROR-CODE): a code 300-699 and a reason phrase for humans.
 */
public record ErrorCode(int family, int code, String reason) {
    public static final int TRY_ALTERNATE = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHENTICATED = 401;
    public static final int FORBIDDEN = 403;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int ALLOCATION_MISMATCH = 437;
    public static final int STALE_NONCE = 438;
    public static final int ADDRESS_FAMILY_NOT_SUPPORTED = 440;
    public static final int WRONG_CREDENTIALS = 441;
    public static final int UNSUPPORTED_TRANSPORT_PROTOCOL = 442;
    public static final int PEER_ADDRESS_FAMILY_MISMATCH = 443;
    public static final int ALLOCATION_QUOTA_REACHED = 486;
    public static final int SERVER_ERROR = 500;
    public static final int INSUFFICIENT_CAPACITY = 508;

    /** RFC 8489 §14.8: the class (hundreds) is 3 to 6, the number (rest) 0 to 99. */
    public ErrorCode {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("error code " + code + " is not 300-699");
        }
    }

    /** An ERROR-CODE value. */
    public static ErrorCode of(int code, String reason) {
        return new ErrorCode(0, code, reason);
    }
}
