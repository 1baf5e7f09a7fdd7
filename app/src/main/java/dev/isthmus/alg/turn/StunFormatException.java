package dev.isthmus.alg.turn;

/** Bytes that are not a well-formed STUN message, with the rule they break. */
public final class StunFormatException extends Exception {
    private final StunRefusal refusal;

    StunFormatException(StunRefusal refusal, String why) {
        // No stack trace: this is a verdict on input, thrown for every bad datagram.
        super(refusal + ": " + why, null, false, false);
        this.refusal = refusal;
    }

    public StunRefusal refusal() {
        return refusal;
    }
}
