package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The envelope file's format: what the writer produces, and each refusal of the strict reader. */
class EnvelopeFileTest {
    static final String ID = "01a251b916990000e00756";
    static final String FULL = """
            isthmus-spool 2
            id: 01a251b916990000e00756
            received: 2026-12-07T18:10:49.123Z
            from: alice@example.org
            rcpt: bob@example.net
            notify: SUCCESS,DELAY
            orcpt: rfc822;Bob%20B+x@example.net
            rcpt: "two%20words"@example.net
            notify: NEVER
            client: 2001:db8:6:0:0:0:0:2 40123
            helo: mail.example.org
            smtputf8: no
            body: 8bitmime
            envid: QQ314159
            ret: HDRS
            pending: "two%20words"@example.net
            attempts: 3
            next-attempt: 2026-12-07T18:40:49.123456Z
            last-error: 451%204.3.0%20try%20later%0D%0A
            size: 10240
            end
            """;

    static QueuedMessage parse(String text) throws EnvelopeFile.Malformed {
        return EnvelopeFile.parse(ID, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryField() throws Exception {
        QueuedMessage m = parse(FULL);
        Envelope e = m.envelope();
        assertEquals(ID, m.id());
        assertEquals(Instant.parse("2026-12-07T18:10:49.123Z"), e.received());
        assertEquals("alice@example.org", e.reversePath());
        assertEquals(List.of("bob@example.net", "\"two words\"@example.net"), e.recipients());
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("2001:db8:6::2"), 40123), e.client());
        assertEquals("mail.example.org", e.helo());
        assertEquals(false, e.smtputf8());
        assertEquals(true, e.body8bit());
        assertEquals("QQ314159", e.dsnEnvid());
        assertEquals(Envelope.Ret.HDRS, e.dsnRet());
        assertEquals(List.of(new Envelope.RecipientDsn(EnumSet.of(Envelope.Notify.SUCCESS, Envelope.Notify.DELAY),
                "rfc822", "Bob B+x@example.net"), new Envelope.RecipientDsn(Set.of(), null, null)), e.dsnRecipients());
        assertEquals(List.of("\"two words\"@example.net"), m.pending());
        assertEquals(3, m.attempts());
        assertEquals(Instant.parse("2026-12-07T18:40:49.123456Z"), m.nextAttempt());
        assertEquals("451 4.3.0 try later\r\n", m.lastError());
        assertEquals(10240, m.size());
        assertArrayEquals(FULL.getBytes(StandardCharsets.UTF_8), EnvelopeFile.encode(m), "written as read");
    }

    @Test
    void optionalLinesAndTheNullReversePath() throws Exception {
        String minimal = """
                isthmus-spool 2
                id: 01a251b916990000e00756
                received: 2026-12-07T18:10:49Z
                from:\s
                rcpt: postmaster
                smtputf8: yes
                body: 7bit
                attempts: 0
                next-attempt: 2026-12-07T18:10:49Z
                size: 0
                end
                """;
        QueuedMessage m = parse(minimal);
        assertEquals("", m.envelope().reversePath());
        assertNull(m.envelope().client());
        assertNull(m.envelope().helo());
        assertNull(m.envelope().dsnEnvid());
        assertNull(m.envelope().dsnRet());
        assertEquals(List.of(Envelope.RecipientDsn.NONE), m.envelope().dsnRecipients());
        assertNull(m.lastError());
        assertEquals(List.of(), m.pending());
        assertArrayEquals(minimal.getBytes(StandardCharsets.UTF_8), EnvelopeFile.encode(m));
    }

    /** One edit of the full file per row, and the reason the reader gives. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            isthmus-spool 2         | isthmus-spool 3           | a format version this isthmus does not know
            notify: SUCCESS,DELAY   | notify: DELAY,SUCCESS     | is not NEVER or SUCCESS,FAILURE,DELAY
            notify: NEVER           | notify: never             | is not NEVER or SUCCESS,FAILURE,DELAY
            notify: NEVER           | notify: NEVER,FAILURE     | is not NEVER or SUCCESS,FAILURE,DELAY
            notify: NEVER           | notify:%20                | expected "smtputf8: "
            orcpt: rfc822;Bob%20B+x@example.net | orcpt: rfc822 | is not type;address
            orcpt: rfc822;Bob%20B+x@example.net | orcpt: rfc822;Bob%0AB | is not type;address
            orcpt: rfc822;Bob%20B+x@example.net | orcpt: r:fc822;Bob | is not type;address
            orcpt: rfc822;Bob%20B+x@example.net | orcpt: rfc822;Bob\u00e9 | is not type;address
            notify: SUCCESS,DELAY\\norcpt: rfc822;Bob%20B+x@example.net | orcpt: rfc822;Bob%20B+x@example.net\\nnotify: SUCCESS,DELAY | expected "smtputf8: "
            ret: HDRS               | ret: hdrs                 | is neither FULL nor HDRS
            ret: HDRS               | ret: NONE                 | is neither FULL nor HDRS
            id: 01a251b916990000e00756 | id: 01a251b916990000e00757 | differs from the file name's
            received: 2026-12-07T18:10:49.123Z | received: 2026-12-07T18:10:49.1230Z | is not a time
            received: 2026-12-07T18:10:49.123Z | received: yesterday | is not a time
            from: alice@example.org\\n | '' | expected "from: "
            helo: mail.example.org  | helo: mail example.org    | a space not written as %20
            helo: mail.example.org  | helo: mail%2Eexample.org  | a % that is not %XX
            helo: mail.example.org  | helo: mail%0dexample.org  | a % that is not %XX
            helo: mail.example.org  | helo: mail.example.org%2  | a % that is not %XX
            helo: mail.example.org  | helo:mail.example.org     | expected "smtputf8: "
            smtputf8: no            | smtputf8: NO              | is neither yes nor no
            body: 8bitmime          | body: binarymime          | is neither 8bitmime nor 7bit
            client: 2001:db8:6:0:0:0:0:2 40123 | client: 2001:db8:6::2 40123 | not in canonical form
            client: 2001:db8:6:0:0:0:0:2 40123 | client: 2001:db8:6:0:0:0:0:2 65536 | not a number from 0 to 65535
            client: 2001:db8:6:0:0:0:0:2 40123 | client: mail.example.org 25 | is not an address
            client: 2001:db8:6:0:0:0:0:2 40123 | client: 192.0.2.1 | not "address port"
            attempts: 3             | attempts: 03              | is not a number
            attempts: 3             | attempts: -3              | is not a number
            attempts: 3             | attempts: 2147483648      | is not a number
            size: 10240             | size: +10240              | is not a number
            size: 10240             | size: 10240\\nsize: 1     | expected "end"
            size: 10240             | colour: blue              | expected "size: "
            end\\n                  | end\\nmore\\n            | text after the "end" line
            end\\n                  | end                       | does not end with a line end
            end\\n                  | ''                        | cut short after line 20
            from: alice@example.org | from: alice@example.org\\t | a control character
            """)
    void refuses(String from, String to, String reason) {
        String text = FULL.replace(unescape(from), unescape(to));
        EnvelopeFile.Malformed e = assertThrows(EnvelopeFile.Malformed.class, () -> parse(text));
        assertEquals(true, e.getMessage().contains(reason), e.getMessage());
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t");
    }

    /** A file the version before the DSN extension wrote: still read, and written back as version 2. */
    static final String VERSION_1 = """
            isthmus-spool 1
            id: 01a251b916990000e00756
            received: 2026-12-07T18:10:49.123Z
            from: alice@example.org
            rcpt: bob@example.net
            rcpt: "two%20words"@example.net
            client: 2001:db8:6:0:0:0:0:2 40123
            helo: mail.example.org
            smtputf8: no
            body: 8bitmime
            envid: QQ314159
            pending: "two%20words"@example.net
            attempts: 3
            next-attempt: 2026-12-07T18:40:49.123456Z
            last-error: 451%204.3.0%20try%20later%0D%0A
            size: 10240
            end
            """;

    @Test
    void readsVersion1() throws Exception {
        QueuedMessage m = parse(VERSION_1);
        Envelope e = m.envelope();
        assertEquals(List.of("bob@example.net", "\"two words\"@example.net"), e.recipients());
        assertEquals(List.of(Envelope.RecipientDsn.NONE, Envelope.RecipientDsn.NONE), e.dsnRecipients());
        assertNull(e.dsnRet());
        assertEquals("QQ314159", e.dsnEnvid());
        assertEquals(List.of("\"two words\"@example.net"), m.pending());
        assertEquals(VERSION_1.replace("isthmus-spool 1\n", "isthmus-spool 2\n"),
                new String(EnvelopeFile.encode(m), StandardCharsets.UTF_8));
    }

    /** Version 1 knows no DSN lines: one there is as unknown as any other line. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            rcpt: bob@example.net\\n | rcpt: bob@example.net\\nnotify: NEVER\\n               | expected "smtputf8: "
            rcpt: bob@example.net\\n | rcpt: bob@example.net\\norcpt: rfc822;bob@example.net\\n | expected "smtputf8: "
            envid: QQ314159\\n        | envid: QQ314159\\nret: FULL\\n                          | expected "attempts: "
            """)
    void version1RefusesDsnLines(String from, String to, String reason) {
        String text = VERSION_1.replace(unescape(from), unescape(to));
        EnvelopeFile.Malformed e = assertThrows(EnvelopeFile.Malformed.class, () -> parse(text));
        assertEquals(true, e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void refusesWhatIsNotUtf8OrNotAnEnvelope() {
        byte[] latin1 = FULL.replace("alice", "alicé").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("not UTF-8", assertThrows(EnvelopeFile.Malformed.class, () -> EnvelopeFile.parse(ID, latin1))
                .getMessage());
        String noRecipient = VERSION_1.replace("rcpt: bob@example.net\n", "").replace("rcpt: \"two%20words\"@example.net\n", "");
        assertEquals("no rcpt line", assertThrows(EnvelopeFile.Malformed.class, () -> parse(noRecipient)).getMessage());
        assertThrows(EnvelopeFile.Malformed.class, () -> parse(""));
    }

    @Test
    void writerRefusesWhatNoFileCanHold() {
        QueuedMessage m = new QueuedMessage(ID, new Envelope("a\ud800@example.org", List.of("b@example.org"), null,
                null, Instant.EPOCH, false, false, null), List.of(), 0, Instant.EPOCH, null, 0);
        assertThrows(IllegalArgumentException.class, () -> EnvelopeFile.encode(m));
    }
}
