package dev.isthmus.nat.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BindingFileTest {

    @Test
    void readsEveryField() {
        BindingFile.Parsed p = BindingFile.parse("""
                # comment
                dynamic 2001:db8:1::5 192.0.2.130 1764750000000

                static\t2001:db8:1::6   192.0.2.131 0
                """);
        assertEquals(List.of(), p.problems());
        assertEquals(List.of(
                new BindingFile.Entry(2, false, Ipv6Address.parse("2001:db8:1::5"), Ipv4Address.parse("192.0.2.130"),
                        1764750000000L),
                new BindingFile.Entry(4, true, Ipv6Address.parse("2001:db8:1::6"), Ipv4Address.parse("192.0.2.131"), 0)),
                p.entries());
    }

    @Test
    void rendersWhatItReads() {
        List<BindingFile.Entry> entries = List.of(
                new BindingFile.Entry(3, false, Ipv6Address.parse("2001:db8::1"), Ipv4Address.parse("192.0.2.128"), 7),
                new BindingFile.Entry(4, true, Ipv6Address.parse("2001:db8::2"), Ipv4Address.parse("192.0.2.129"), 8));
        BindingFile.Parsed back = BindingFile.parse(BindingFile.render(entries));
        assertEquals(List.of(), back.problems());
        assertEquals(entries, back.entries(), "the two header comments put the entries on lines 3 and 4");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "dynamic 2001:db8::1 192.0.2.1                        | expected 4 fields",
        "dynamic 2001:db8::1 192.0.2.1 5 extra                | expected 4 fields",
        "bound 2001:db8::1 192.0.2.1 5                        | kind must be",
        "dynamic 2001:db8::g 192.0.2.1 5                      | bad IPv6 address",
        "dynamic 2001:db8::1 192.0.2.256 5                    | bad IPv4 address",
        "dynamic 2001:db8::1 192.0.2.1 soon                   | bad last-used time",
        "dynamic 2001:db8::1 192.0.2.1 -5                     | is negative",
        "dynamic 2001:db8::1 192.0.2.1 99999999999999999999   | bad last-used time",
    })
    void aCorruptLineIsReportedWithItsNumberAndTheRestLoads(String bad, String why) {
        String text = "dynamic 2001:db8::a 192.0.2.10 1\n" + bad + "\ndynamic 2001:db8::b 192.0.2.11 2\n";
        BindingFile.Parsed p = BindingFile.parse(text);
        assertEquals(2, p.entries().size());
        assertEquals(1, p.problems().size());
        assertEquals(2, p.problems().get(0).line());
        assertTrue(p.problems().get(0).message().contains(why), p.problems().get(0).message());
    }

    @Test
    void aTruncatedLastLineIsOneProblem() {
        BindingFile.Parsed p = BindingFile.parse("dynamic 2001:db8::a 192.0.2.10 1\ndynamic 2001:db8::b 19");
        assertEquals(1, p.entries().size());
        assertEquals(List.of(2), p.problems().stream().map(BindingFile.Problem::line).toList());
    }

    @Test
    void anOverlongLineIsNotRead() {
        BindingFile.Parsed p = BindingFile.parse("#" + "x".repeat(BindingFile.MAX_LINE) + "\n");
        assertEquals(1, p.problems().size());
    }
}
