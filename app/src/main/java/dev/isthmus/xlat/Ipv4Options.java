package dev.isthmus.xlat;

import dev.isthmus.wire.BigEndian;
import java.lang.foreign.MemorySegment;

/**
 * The one thing a translator needs from IPv4 options, RFC 7915 §4.1: "If IPv4 options are present
 * in the IPv4 packet, they MUST be ignored (i.e., there is no attempt to translate the options).
 * However, if an unexpired source route option is present, then the packet MUST instead be
 * discarded, and an ICMPv4 'Destination Unreachable, Source Route Failed' (Type 3, Code 5) error
 * message SHOULD be returned to the sender."
 *
 * <p>Option layout, RFC 791 §3.1: End of Option List (0) and No Operation (1) are one octet;
 * every other option is type, length (counting type and length), data. Loose (131) and Strict
 * (137) Source and Record Route carry a pointer as their third octet, "relative to this option,
 * and the smallest legal value for the pointer is 4"; "If the pointer is greater than the length,
 * the source route is empty" — expired.
 */
final class Ipv4Options {
    /** No option that matters (options may be present and are ignored). */
    static final int NONE = 0;
    /** An unexpired Loose or Strict Source Route. */
    static final int SOURCE_ROUTE = 1;
    /** An option whose length runs past the header or is too short to be one. */
    static final int MALFORMED = -1;

    static final int EOL = 0;
    static final int NOP = 1;
    static final int LSRR = 131;
    static final int SSRR = 137;

    private Ipv4Options() {}

    /**
     * Scans the options in {@code s[from, to)} (the bytes between the fixed 20-byte header and the
     * end of the header that IHL says). Returns {@link #NONE}, {@link #SOURCE_ROUTE} or
     * {@link #MALFORMED}; a malformed option anywhere wins over a source route, since the header
     * as a whole cannot be trusted then.
     */
    static int scan(MemorySegment s, long from, long to) {
        int result = NONE;
        long p = from;
        while (p < to) {
            int type = BigEndian.u8(s, p);
            if (type == EOL) {
                break; // the rest is padding
            }
            if (type == NOP) {
                p++;
                continue;
            }
            if (p + 2 > to) {
                return MALFORMED;
            }
            int length = BigEndian.u8(s, p + 1);
            if (length < 2 || p + length > to) {
                return MALFORMED;
            }
            if (type == LSRR || type == SSRR) {
                if (length < 3) {
                    return MALFORMED;
                }
                int pointer = BigEndian.u8(s, p + 2);
                if (pointer < 4) {
                    return MALFORMED;
                }
                if (pointer <= length) {
                    result = SOURCE_ROUTE;
                }
            }
            p += length;
        }
        return result;
    }
}
