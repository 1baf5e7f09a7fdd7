package dev.isthmus.xlat;

/**
 * RFC 4884 multi-part ICMP messages, the arithmetic a translator needs to carry an ICMP Extension
 * Structure from one ICMP version to the other (RFC 7915 §4.2/§5.2: the length attribute "MUST be
 * adjusted accordingly").
 *
 * <pre>
 *  | ICMP header 8 (length attribute) | original datagram, zero-padded | extension structure |
 *                                      &lt;-- length attribute × unit --&gt;
 * </pre>
 *
 * <p>The length attribute counts the "original datagram" field in 32-bit words in ICMPv4 and in
 * 64-bit words in ICMPv6 (§4.1-§4.5), and a message with an extension has at least 128 octets of
 * it (§4). The extension structure is carried unchanged: its checksum covers only the structure
 * (§7), so it stays valid wherever the structure lands. Pure functions over ints.
 */
final class IcmpExtension {
    /** RFC 4884 §4: with an extension, the "original datagram" field holds at least 128 octets. */
    static final int MIN_ORIGINAL = 128;
    /** RFC 4884 §4.1-§4.3: ICMPv4 counts the original datagram in 32-bit words. */
    static final int UNIT4 = 4;
    /** RFC 4884 §4.4-§4.5: ICMPv6 counts it in 64-bit words. */
    static final int UNIT6 = 8;

    private IcmpExtension() {}

    /**
     * Where the original datagram of a received message ends, from its length attribute: the
     * field's length in bytes, or -1 when the message is to be read as one without a (compliant)
     * extension, its whole body being the original datagram.
     *
     * <p>That is the case for a zero attribute (RFC 4884 §5.4: no extension; the non-compliant
     * extensions of §5.5, behind a fixed 128-octet field, are not looked for), for one that
     * points beyond the message, and for one that says fewer than 128 octets. The last breaks §4
     * ("the 'original datagram' field MUST contain at least 128 octets"), so the message is not
     * compliant; nor is it the one kind of non-compliant message §5 describes, which has no
     * length attribute at all (§5.5). Where such an attribute points, a compliant receiver has
     * no extension to find. The translator reads the message as a classic application does
     * (§5.1), everything after the ICMP header being original datagram, and gives the
     * translation length attribute 0, so that no receiver is told of an extension the sender did
     * not validly mark; nothing is lost, the bytes are quoted as they came.
     *
     * @param words the length attribute
     * @param unit {@link #UNIT4} or {@link #UNIT6}
     * @param body the bytes after the 8-byte ICMP header
     */
    static int originalLength(int words, int unit, int body) {
        int bytes = words * unit;
        return words == 0 || bytes > body || bytes < MIN_ORIGINAL ? -1 : bytes;
    }

    /**
     * The length of the "original datagram" field of a translated message that keeps its
     * extension: the translated original datagram zero-padded to the target's unit and to 128
     * octets (RFC 4884 §4), or, when that and the extension do not fit in {@code budget} bytes,
     * trimmed to what does fit, in whole units. -1 when even 128 octets do not fit beside the
     * extension: the extension must then be left out.
     *
     * <p>The extension is kept in preference to more of the original datagram: it is what a
     * traceroute shows (MPLS label stacks, RFC 4950; interface information, RFC 5837), and 128
     * octets of original datagram hold every header a receiver needs to match the error with
     * what it sent.
     *
     * @param original the translated original datagram's length in bytes
     * @param extension the extension structure's length in bytes
     * @param budget the bytes the ICMP message may have after its 8-byte header
     * @param unit {@link #UNIT4} or {@link #UNIT6}
     */
    static int originalField(int original, int extension, int budget, int unit) {
        int field = Math.max(MIN_ORIGINAL, (original + unit - 1) & -unit);
        if (field + extension <= budget) {
            return field;
        }
        field = (budget - extension) & -unit;
        return field >= MIN_ORIGINAL ? field : -1;
    }
}
