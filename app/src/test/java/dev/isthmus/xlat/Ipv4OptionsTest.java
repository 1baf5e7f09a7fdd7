package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.wire.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 791 §3.1 option syntax and RFC 7915 §4.1's one interesting option, the source route. */
class Ipv4OptionsTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "'',                                  NONE",          // no options
        "00000000,                            NONE",          // end of option list, padding
        "01010100,                            NONE",          // no-ops, then end
        "07070400 00000000,                   NONE",          // record route, length 7, pointer 4
        "44040500,                            NONE",          // timestamp, length 4, pointer 5
        "83070400 00000000,                   SOURCE_ROUTE",  // loose source route, pointer 4 <= length 7
        "89070400 00000000,                   SOURCE_ROUTE",  // strict source route likewise
        "01830b04 c6336409 c633640a 00000000, SOURCE_ROUTE",  // no-op, LSRR length 11, pointer 4
        "01830b08 c6336409 c633640a 00000000, SOURCE_ROUTE",  // pointer 8: one hop still to go
        "01830b0c c6336409 c633640a 00000000, NONE",          // pointer 12 > length 11: route spent
        "83070800 00000000,                   NONE",          // pointer 8 > length 7: route spent
        "83070300 00000000,                   MALFORMED",     // pointer below 4
        "83020000,                            MALFORMED",     // source route too short for a pointer
        "07,                                  MALFORMED",     // type without length
        "07090400,                            MALFORMED",     // length past the header
        "07010000,                            MALFORMED",     // length below 2
        "00830300,                            NONE",          // after the end of list: padding
        "83070400 00000001 07090400,          MALFORMED",     // a bad option wins over a source route
    })
    void scan(String hex, String expected) {
        byte[] options = HexFormat.of().parseHex(hex.replace(" ", ""));
        PacketBuffer b = PacketBuffer.heap(256);
        b.load(options);
        MemorySegment s = b.segment();
        int r = Ipv4Options.scan(s, PacketBuffer.HEADROOM, PacketBuffer.HEADROOM + options.length);
        int want = switch (expected) {
            case "NONE" -> Ipv4Options.NONE;
            case "SOURCE_ROUTE" -> Ipv4Options.SOURCE_ROUTE;
            default -> Ipv4Options.MALFORMED;
        };
        assertEquals(want, r);
    }
}
