package dev.isthmus.alg.sip.media;

/** The two sides of a call: the INVITE's sender (the caller) and its receiver (the callee). */
public enum Leg {
    CALLER,
    CALLEE;

    /** The leg this one's media is relayed to. */
    public Leg other() {
        return this == CALLER ? CALLEE : CALLER;
    }
}
