package dev.isthmus.xlat;

/** What became of one packet handed to the translator. */
public enum Verdict {
    /** The translation (or its fragments) went to the sink. */
    TRANSLATED,
    /** The packet was dropped and the translator sent an ICMP error about it to the sink. */
    ICMP_ERROR,
    /** The packet was dropped; {@link Trace#reason()} says why. */
    DROPPED
}
