package dev.isthmus.alg.http;

/** A connection that is not made on purpose or could not be made: the refusal and why (for the log). */
final class Refused extends Exception {
    private final HttpRefusal refusal;

    Refused(HttpRefusal refusal, String why) {
        super(why, null, false, false);
        this.refusal = refusal;
    }

    HttpRefusal refusal() {
        return refusal;
    }
}
