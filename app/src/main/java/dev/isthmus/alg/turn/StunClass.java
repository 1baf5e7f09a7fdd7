package dev.isthmus.alg.turn;

/** The class of a STUN message (RFC 8489 §5): bits C1 and C0 of the message type. */
public enum StunClass {
    REQUEST(0b00),
    INDICATION(0b01),
    SUCCESS_RESPONSE(0b10),
    ERROR_RESPONSE(0b11);

    private final int bits;

    StunClass(int bits) {
        this.bits = bits;
    }

    /** C1 C0 as a two-bit number. */
    int bits() {
        return bits;
    }

    static StunClass ofBits(int bits) {
        return values()[bits & 0b11];
    }
}
