package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 4884 arithmetic of {@link IcmpExtension}. */
class IcmpExtensionTest {

    /**
     * Reading a length attribute: RFC 4884 §4.1-§4.5 units (32-bit words in ICMPv4, 64-bit in
     * ICMPv6); zero (§5.4), one beyond the message, and one below the 128 octets §4 requires are
     * read as no extension (-1).
     */
    @ParameterizedTest(name = "{0} words of {1} bytes in a body of {2}: {3}")
    @CsvSource({
        "32, 4, 200, 128",   // ICMPv4: the minimum
        "37, 4, 200, 148",
        "16, 8, 200, 128",   // ICMPv6: the minimum
        "25, 8, 200, 200",   // up to the end: an extension of length 0 follows
        "0, 4, 200, -1",     // §5.4: no extension
        "0, 8, 200, -1",
        "51, 4, 200, -1",    // beyond the message
        "26, 8, 200, -1",
        "31, 4, 200, -1",    // 124 octets: fewer than §4's 128
        "15, 8, 200, -1",    // 120 octets
        "1, 8, 200, -1",
    })
    void originalLength(int words, int unit, int body, int expected) {
        assertEquals(expected, IcmpExtension.originalLength(words, unit, body));
    }

    /**
     * The original datagram field beside a kept extension: padded to the unit and to 128 octets
     * (RFC 4884 §4) when everything fits; trimmed in whole units when it does not; -1 (leave the
     * extension out) when 128 octets do not fit beside it.
     */
    @ParameterizedTest(name = "original {0}, extension {1}, budget {2}, unit {3}: {4}")
    @CsvSource({
        "108, 8, 548, 4, 128",    // padded to 128
        "148, 8, 1232, 8, 152",   // padded to a multiple of 8
        "580, 8, 548, 4, 540",    // trimmed: 540 + 8 = 548
        "1040, 240, 1232, 8, 992", // trimmed: 992 + 240 = 1232
        "1040, 241, 1232, 8, 984", // trimmed to whole 64-bit words
        "580, 9, 548, 4, 536",    // trimmed to whole 32-bit words
        "580, 420, 548, 4, 128",  // exactly the minimum fits
        "580, 421, 548, 4, -1",   // not even 128: the extension goes
        "108, 432, 548, 4, -1",
        "128, 1104, 1232, 8, 128",
        "128, 1112, 1232, 8, -1",
    })
    void originalField(int original, int extension, int budget, int unit, int expected) {
        assertEquals(expected, IcmpExtension.originalField(original, extension, budget, unit));
    }

    /**
     * An ICMP Extension Structure (RFC 4884 §7) of {@code length} bytes with a valid checksum:
     * the extension header (version 2) and one object (class 1, c-type 1) filling the rest with
     * {@link Xlat64Fixtures#pattern}.
     */
    static byte[] structure(int length, int seed) {
        byte[] e = new byte[length];
        e[0] = 0x20;
        Xlat64Fixtures.put16(e, 4, length - 4);
        e[6] = 1;
        e[7] = 1;
        System.arraycopy(Xlat64Fixtures.pattern(length - 8, seed), 0, e, 8, length - 8);
        Xlat64Fixtures.put16(e, 2, ~Xlat64Fixtures.sum(e, 0, length, 0) & 0xffff);
        return e;
    }
}
