package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.isthmus.wire.HexText;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** The plain-query reader of the cache's fast path: what it reads, what it leaves to the parse. */
class PlainQueryTest {
    /** "A.Test. AAAA IN" with CD set, and an OPT record: payload 1232, DO. */
    private static final String EDNS_QUERY = """
            1234 0110   # ID, RD CD
            0001 0000   # QDCOUNT 1, ANCOUNT 0
            0000 0001   # NSCOUNT 0, ARCOUNT 1
            0141 0454   # 1 "A" 4 "T
            6573 7400   # est" 0
            001c 0001   # AAAA IN
            0000 2904   # OPT: root name, type 41, class = payload 1232
            d000 0080   # extended rcode 0, version 0, DO
            0000 00     # Z, RDLENGTH 0
            """;

    @Test
    void readsEveryField() {
        byte[] m = HexText.hex(EDNS_QUERY);
        PlainQuery q = PlainQuery.read(m);
        assertEquals(new PlainQuery(24, Type.AAAA, DClass.IN, true, true, true, 1232), q);
    }

    @Test
    void theKeyFromTheBytesIsTheKeyFromTheParse() throws Exception {
        byte[] m = HexText.hex(EDNS_QUERY);
        assertEquals(AnswerCache.Key.of(Name.fromString("a.test."), Type.AAAA, DClass.IN, true, true, true),
                PlainQuery.read(m).key(m));
    }

    @Test
    void aQueryWithoutEdns() {
        byte[] m = HexText.hex("""
                0001 0100   # ID, RD
                0001 0000   # QDCOUNT 1
                0000 0000
                0161 0000   # 1 "a" 0 (a.) ; QTYPE starts here
                0100 01     # QTYPE 1 (A), QCLASS IN
                """);
        assertEquals(new PlainQuery(19, Type.A, DClass.IN, false, false, false, 0), PlainQuery.read(m));
    }

    static Stream<Arguments> notPlain() {
        return Stream.of(
                Arguments.of("a response (QR)", "1234 8100 0001 0000 0000 0000 0161 0000 0100 01"),
                Arguments.of("opcode NOTIFY", "1234 2100 0001 0000 0000 0000 0161 0000 0100 01"),
                Arguments.of("two questions", "1234 0100 0002 0000 0000 0000 0161 0000 0100 01 0161 0000 0100 01"),
                Arguments.of("no question", "1234 0100 0000 0000 0000 0000 0161 0000 0100 01"),
                Arguments.of("an answer record", "1234 0100 0001 0001 0000 0000 0161 0000 0100 01"),
                Arguments.of("an authority record", "1234 0100 0001 0000 0001 0000 0161 0000 0100 01"),
                Arguments.of("two additional", "1234 0100 0001 0000 0000 0002 0161 0000 0100 01"),
                Arguments.of("a compressed name", "1234 0100 0001 0000 0000 0000 c00c 0001 0001"),
                Arguments.of("a reserved label type", "1234 0100 0001 0000 0000 0000 4161 0000 0100 01"),
                Arguments.of("a name past the end", "1234 0100 0001 0000 0000 0000 0561 6200 0001"),
                Arguments.of("QTYPE cut off", "1234 0100 0001 0000 0000 0000 0161 0000 01"),
                Arguments.of("bytes after the question", "1234 0100 0001 0000 0000 0000 0161 0000 0100 0100"),
                Arguments.of("QTYPE OPT", "1234 0100 0001 0000 0000 0000 0161 0000 2900 01"),
                Arguments.of("QTYPE AXFR", "1234 0100 0001 0000 0000 0000 0161 0000 fc00 01"),
                Arguments.of("QTYPE TKEY", "1234 0100 0001 0000 0000 0000 0161 0000 f900 01"),
                Arguments.of("EDNS version 1", "1234 0100 0001 0000 0000 0001 0161 0000 0100 01 0000 2904 d000 0100 0000 00"),
                Arguments.of("an EDNS option", "1234 0100 0001 0000 0000 0001 0161 0000 0100 01 0000 2904 d000 0000 0000 04 000a 0000"),
                Arguments.of("an OPT record with a name", "1234 0100 0001 0000 0000 0001 0161 0000 0100 01 0161 0000 2904 d000 0000 0000 00"),
                Arguments.of("another additional type", "1234 0100 0001 0000 0000 0001 0161 0000 0100 01 0000 0104 d000 0000 0000 00"),
                Arguments.of("bytes after the OPT record", "1234 0100 0001 0000 0000 0001 0161 0000 0100 01 0000 2904 d000 0000 0000 0000"),
                Arguments.of("an OPT record cut off", "1234 0100 0001 0000 0000 0001 0161 0000 0100 01 0000 2904 d000 0000 00"),
                Arguments.of("a header only", "1234 0100 0001 0000 0000 0000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notPlain")
    void leavesToTheParse(String what, String hex) {
        assertNull(PlainQuery.read(HexText.hex(hex)), what);
    }

    @Test
    void aNameOfMoreThan255BytesIsLeftToTheParse() {
        // RFC 1035 §3.1: 255 bytes at most, length bytes and the root label included.
        assertEquals(255, PlainQuery.read(nameOfLength(255)).questionEnd() - 4 - 12);
        assertNull(PlainQuery.read(nameOfLength(256)));
    }

    /** A query whose QNAME is {@code length} bytes: labels of 63 bytes and one shorter, then the root. */
    private static byte[] nameOfLength(int length) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(HexText.hex("1234 0100 0001 0000 0000 0000"));
        int left = length - 1;
        while (left > 0) {
            int label = Math.min(63, left - 1);
            b.write(label);
            b.writeBytes("x".repeat(label).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            left -= label + 1;
        }
        b.write(0);
        b.writeBytes(HexText.hex("0001 0001"));
        return b.toByteArray();
    }
}
