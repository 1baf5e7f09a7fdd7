package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.isthmus.alg.smtp.Envelope.Notify;
import dev.isthmus.alg.smtp.Envelope.RecipientDsn;
import java.util.EnumSet;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 3461 §4: the DSN parameters' syntax, read from a client and written for a next hop. */
class DsnParametersTest {
    /** §4.1: NEVER alone, or a list of the three events, in any case and order. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            NEVER                 | NEVER
            never                 | NEVER
            SUCCESS               | SUCCESS
            delay,failure,success | SUCCESS,FAILURE,DELAY
            FAILURE,FAILURE       | FAILURE
            """)
    void notifyAccepted(String wire, String canonical) {
        assertEquals(canonical, DsnParameters.notifyText(DsnParameters.notify(wire)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            NEVER,SUCCESS
            FAILURE,NEVER
            ''
            ,
            SUCCESS,
            ',FAILURE'
            SUCCESS;FAILURE
            ALWAYS
            null
            """)
    void notifyRefused(String wire) {
        assertNull(DsnParameters.notify(wire));
    }

    @Test
    void retEnvid() {
        assertEquals(Envelope.Ret.FULL, DsnParameters.ret("full"));
        assertEquals(Envelope.Ret.HDRS, DsnParameters.ret("HDRS"));
        assertNull(DsnParameters.ret("HEADERS"));
        assertNull(DsnParameters.ret(null));
        assertEquals("a+b c", DsnParameters.envid("a+2Bb+20c"));
        assertEquals("e".repeat(100), DsnParameters.envid("e".repeat(100)));
        assertNull(DsnParameters.envid("e".repeat(101)), "§4.4: at most 100 characters");
        assertNull(DsnParameters.envid("a+0Db"), "no control character: it goes into a header");
        assertNull(DsnParameters.envid("a+FFb"), "US-ASCII only");
        assertNull(DsnParameters.envid("a+2"));
        assertNull(DsnParameters.envid(""));
    }

    /** §4.2: addr-type ";" xtext; the decoded address printable, the whole at most 500 characters. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            rfc822;bob@example.com    | rfc822  | bob@example.com   | null
            utf-8;b+2Bob@example.com  | utf-8   | b+ob@example.com  | null
            rfc822;B+20ob             | rfc822  | B ob              | null
            rfc822                    | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            rfc822;                   | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            ;bob                      | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            rf(c;bob                  | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            rfc822;b+09ob             | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            rfc822;b+C3+A9            | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            rfc822;b+x0               | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            null                      | null    | null              | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)
            """)
    void orcpt(String wire, String type, String address, String error) {
        java.util.Map<String, String> p = new java.util.HashMap<>();
        p.put("ORCPT", wire);
        DsnParameters.Rcpt r = DsnParameters.rcpt(p);
        assertEquals(error, r.error());
        if (error == null) {
            assertEquals(new RecipientDsn(null, type, address), r.dsn());
        }
    }

    @Test
    void orcptLengthLimit() {
        String at = "rfc822;" + "b".repeat(DsnParameters.MAX_ORCPT - 7);
        assertNull(DsnParameters.rcpt(Map.of("ORCPT", at)).error());
        assertEquals("501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)",
                DsnParameters.rcpt(Map.of("ORCPT", at + "b")).error());
    }

    @Test
    void rcptRefusals() {
        assertEquals("555 5.5.4 Unsupported parameter RET", DsnParameters.rcpt(Map.of("RET", "FULL")).error());
        assertEquals("501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY",
                DsnParameters.rcpt(Map.of("NOTIFY", "NEVER,DELAY")).error());
        assertEquals(RecipientDsn.NONE, DsnParameters.rcpt(Map.of()).dsn());
    }

    /** §5.2.1: what goes to a next hop that offers DSN. */
    @Test
    void writtenForTheNextHop() {
        assertEquals("", DsnParameters.rcpt(RecipientDsn.NONE));
        assertEquals(" NOTIFY=NEVER", DsnParameters.rcpt(new RecipientDsn(EnumSet.noneOf(Notify.class), null, null)));
        assertEquals(" NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+2Bb+3Dc+20d@x", DsnParameters.rcpt(
                new RecipientDsn(EnumSet.of(Notify.DELAY, Notify.SUCCESS), "rfc822", "a+b=c d@x")));
        Envelope e = new Envelope("a@x", java.util.List.of("b@y"), null, null, null, false, false, "id+1",
                Envelope.Ret.FULL, java.util.List.of(RecipientDsn.NONE));
        assertEquals(" RET=FULL ENVID=id+2B1", DsnParameters.mail(e));
        assertEquals("", DsnParameters.mail(new Envelope("a@x", java.util.List.of("b@y"), null, null, null, false,
                false, null)));
    }

    /** xtext written is xtext read back (printable ASCII: what the session accepts). */
    @Property(tries = 300)
    void xtextRoundTrips(@ForAll("printable") String s) {
        assertEquals(s, MailPath.xtextDecode(DsnParameters.xtext(s)));
        assertEquals(true, DsnParameters.xtext(s).chars().allMatch(c -> c > ' ' && c <= '~' && c != '='));
    }

    @Provide
    Arbitrary<String> printable() {
        return Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60);
    }
}
