package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The session state machine, one RFC 5321 rule per test, over in-memory channels. */
class SmtpSessionTest {
    static final String CLIENT = "2001:db8:6::2";
    static final String STRANGER = "2001:db8:99::2";

    final SmtpHarness h = new SmtpHarness(SmtpHarness.settings());

    /** A client in allow, after EHLO. */
    SmtpHarness.Client ready() {
        SmtpHarness.Client c = h.connect(CLIENT);
        c.replies();
        c.lines("EHLO client.example.org");
        return c;
    }

    @Test
    void greetsWithItsHostname() {
        assertEquals("220 relay.example.net ESMTP isthmus\r\n", h.connect(CLIENT).replies());
    }

    /** RFC 5321 §4.1.1.1, §4.1.4; RFC 2034 §4: no enhanced code on the EHLO reply. */
    @Test
    void ehloListsTheExtensions() {
        SmtpHarness.Client c = h.connect(CLIENT);
        c.replies();
        assertEquals("""
                250-relay.example.net greets [IPv6:2001:db8:6::2]\r
                250-PIPELINING\r
                250-SIZE 10000\r
                250-8BITMIME\r
                250-ENHANCEDSTATUSCODES\r
                250-SMTPUTF8\r
                250 DSN\r
                """, c.lines("EHLO client.example.org"));
    }

    @Test
    void heloIsOneLine() {
        SmtpHarness.Client c = h.connect("192.0.2.7");
        c.replies();
        assertEquals("250 relay.example.net greets [192.0.2.7]\r\n", c.lines("HELO client"));
    }

    @Test
    void aWholeTransaction() {
        SmtpHarness.Client c = ready();
        assertEquals("250 2.1.0 Ok\r\n", c.lines("MAIL FROM:<alice@example.org>"));
        assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<bob@example.com>"));
        assertEquals("354 End data with <CR><LF>.<CR><LF>\r\n", c.lines("DATA"));
        assertEquals("", c.lines("Subject: hi", "", "..leading dot", "..", "body"));
        assertEquals("250 2.0.0 Ok: queued as Q0\r\n", c.lines("."));
        QueuedMessage m = h.queued.getFirst();
        assertEquals("alice@example.org", m.envelope().reversePath());
        assertEquals(List.of("bob@example.com"), m.envelope().recipients());
        assertEquals("client.example.org", m.envelope().helo());
        String content = h.drafts.begun.getFirst().text();
        assertTrue(content.startsWith("Received: from client.example.org ([IPv6:2001:db8:6::2])\r\n\tby relay.example.net"
                + " with ESMTP id "), content);
        assertTrue(content.contains("\r\n\tfor <bob@example.com>; "), content);
        // RFC 5321 §4.5.2: the transparency dot is removed.
        assertTrue(content.endsWith("\r\nSubject: hi\r\n\r\n.leading dot\r\n.\r\nbody\r\n"), content);
        assertEquals(1, h.counters().accepted());
    }

    /** RFC 2920 §3.1: commands in one flight are answered in order. */
    @Test
    void pipelinedCommandsAreAnsweredInOrder() {
        SmtpHarness.Client c = h.connect(CLIENT);
        c.replies();
        String r = c.lines("EHLO x", "MAIL FROM:<>", "RCPT TO:<a@example.com>", "RCPT TO:<b%c@example.com>",
                "RCPT TO:<d@example.com>", "DATA");
        assertTrue(r.endsWith("250 DSN\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.7.1 <b%c@example.com>: relay access"
                + " denied (routing in the local part)\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"), r);
        assertEquals("250 2.0.0 Ok: queued as Q0\r\n221 2.0.0 relay.example.net closing connection\r\n",
                c.lines("x", ".", "QUIT"));
        assertEquals(List.of("a@example.com", "d@example.com"), h.queued.getFirst().envelope().recipients());
        assertEquals("", h.queued.getFirst().envelope().reversePath()); // the null reverse-path
        assertFalse(c.ch.isActive());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            MAIL FROM:<a@example.org>   | 503 5.5.1 Send EHLO or HELO first
            RCPT TO:<a@example.org>     | 503 5.5.1 Send EHLO or HELO first
            """)
    void nothingBeforeHello(String command, String reply) {
        SmtpHarness.Client c = h.connect(CLIENT);
        c.replies();
        String r = c.lines(command);
        assertTrue(r.startsWith(reply.substring(0, 3)), r);
    }

    /** RFC 5321 §4.1.4: the order of commands. */
    @Test
    void commandsOutOfSequence() {
        SmtpHarness.Client c = ready();
        assertEquals("503 5.5.1 Need MAIL before RCPT\r\n", c.lines("RCPT TO:<a@example.com>"));
        assertEquals("503 5.5.1 Need MAIL command\r\n", c.lines("DATA"));
        c.lines("MAIL FROM:<a@example.org>");
        assertEquals("503 5.5.1 Nested MAIL command\r\n", c.lines("MAIL FROM:<a@example.org>"));
        assertEquals("554 5.5.1 No valid recipients\r\n", c.lines("DATA"));
        assertEquals("250 2.0.0 Ok\r\n", c.lines("RSET"));
        assertEquals("250 2.1.0 Ok\r\n", c.lines("MAIL FROM:<a@example.org>"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            VRFY bob                 | 252 2.5.2 Cannot VRFY, but will accept the message and attempt delivery
            EXPN staff               | 502 5.5.1 EXPN not available
            HELP                     | 502 5.5.1 HELP not available
            NOOP anything            | 250 2.0.0 Ok
            RSET x                   | 501 5.5.4 RSET takes no argument
            FROB                     | 500 5.5.2 Command not recognized
            STARTTLS                 | 502 5.5.1 STARTTLS not available
            AUTH PLAIN               | 502 5.5.1 AUTH not available
            EHLO                     | 501 5.5.4 Syntax: EHLO hostname
            """)
    void otherCommands(String command, String reply) {
        assertEquals(reply + "\r\n", ready().lines(command));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            FROM:<a@example.org> SIZE=10001          | 552 5.3.4 Message size exceeds fixed maximum message size
            FROM:<a@example.org> SIZE=99999999999999999999 | 552 5.3.4 Message size exceeds fixed maximum message size
            FROM:<a@example.org> SIZE=x              | 501 5.5.4 Bad SIZE parameter
            FROM:<a@example.org> BODY=BINARYMIME     | 501 5.5.4 Bad BODY parameter: 7BIT or 8BITMIME
            FROM:<a@example.org> SMTPUTF8=yes        | 501 5.5.4 SMTPUTF8 takes no value
            FROM:<a@example.org> ENVID=a+ZZ          | 501 5.5.4 Bad ENVID parameter
            FROM:<a@example.org> RET=PART            | 501 5.5.4 Bad RET parameter: FULL or HDRS
            FROM:<a@example.org> RET                 | 501 5.5.4 Bad RET parameter: FULL or HDRS
            FROM:<a@example.org> RET=FULL RET=HDRS   | 501 5.5.4 Bad parameter syntax
            FROM:<a@example.org> ENVID=a+0D+0Ab      | 501 5.5.4 Bad ENVID parameter
            FROM:<a@example.org> ENVID=a+C3+A9       | 501 5.5.4 Bad ENVID parameter
            FROM:<a@example.org> ENVID=a+2           | 501 5.5.4 Bad ENVID parameter
            FROM:<a@example.org> FOO=bar             | 555 5.5.4 Unsupported parameter FOO
            FROM:<jörg@example.org>                  | 553 5.6.7 Non-ASCII address needs SMTPUTF8 (RFC 6531)
            FROM:<postmaster>                        | 553 5.1.7 The sender address needs a domain
            FROM:a@example.org                       | 501 5.1.7 The address must be in angle brackets
            FROM:<a@example.org                      | 501 5.1.7 Unterminated address
            TO:<a@example.org>                       | 501 5.5.4 Syntax: MAIL FROM:<address>
            FROM:<a..b@example.org>                  | 501 5.1.3 Bad address syntax
            FROM:<a@-example.org>                    | 501 5.1.3 Bad address syntax
            FROM:<a@example.org>X                    | 501 5.5.4 Bad parameter syntax
            """)
    void mailRefusals(String argument, String reply) {
        assertEquals(reply + "\r\n", ready().lines("MAIL " + argument));
    }

    @Test
    void mailParametersGoIntoTheEnvelope() {
        SmtpHarness.Client c = ready();
        assertEquals("250 2.1.0 Ok\r\n", c.lines("MAIL FROM: <jörg@exämple.org> SIZE=100 BODY=8BITMIME SMTPUTF8 ENVID=q+2B1"));
        c.lines("RCPT TO:<bob@example.com>", "DATA");
        c.lines("hi", ".");
        Envelope e = h.queued.getFirst().envelope();
        assertEquals("jörg@exämple.org", e.reversePath());
        assertTrue(e.smtputf8());
        assertTrue(e.body8bit());
        assertEquals("q+1", e.dsnEnvid());
        assertTrue(h.drafts.begun.getFirst().text().contains(" with UTF8SMTP id "));
    }

    /** RFC 3461 §4: RET, ENVID, NOTIFY and ORCPT are kept in the envelope, decoded, per recipient. */
    @Test
    void dsnParametersGoIntoTheEnvelope() {
        SmtpHarness.Client c = ready();
        assertEquals("250 2.1.0 Ok\r\n", c.lines("MAIL FROM:<a@example.org> RET=hdrs ENVID=QQ+2B314159"));
        assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<b@example.com> NOTIFY=delay,Success ORCPT=rfc822;B+20b+2Bx@Example.com"));
        assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<c@example.com> NOTIFY=NEVER"));
        assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<d@example.com>"));
        c.lines("DATA", "hi", ".");
        Envelope e = h.queued.getFirst().envelope();
        assertEquals(Envelope.Ret.HDRS, e.dsnRet());
        assertEquals("QQ+314159", e.dsnEnvid());
        assertEquals(new Envelope.RecipientDsn(java.util.EnumSet.of(Envelope.Notify.SUCCESS, Envelope.Notify.DELAY),
                "rfc822", "B b+x@Example.com"), e.dsnOf("b@example.com"));
        assertEquals(new Envelope.RecipientDsn(java.util.Set.of(), null, null), e.dsnOf("c@example.com"));
        assertEquals(Envelope.RecipientDsn.NONE, e.dsnOf("d@example.com"));
    }

    /** RFC 3461 §4: NOTIFY and ORCPT may make RCPT longer than 512 octets; an ORCPT over 500 is refused. */
    @Test
    void rcptLengthWithDsnParameters() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>");
        String local = "b".repeat(64);
        String orcpt = "rfc822;" + "o".repeat(DsnParameters.MAX_ORCPT - 7);
        assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<" + local + "@example.com> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT="
                + orcpt));
        assertEquals("501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)\r\n",
                c.lines("RCPT TO:<b@example.com> ORCPT=" + orcpt + "o"));
    }

    /** The open-relay probe's tricks, refused from a client in allow too: none asks for anything a client needs. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            <victim%example.com@relay.example.net>     | 550 5.7.1 <victim%example.com@relay.example.net>: relay access denied (routing in the local part) | relay-trick
            <example.com!victim@relay.example.net>     | 550 5.7.1 <example.com!victim@relay.example.net>: relay access denied (routing in the local part) | relay-trick
            <"victim@example.com"@relay.example.net>   | 550 5.7.1 <"victim@example.com"@relay.example.net>: relay access denied (routing in the local part) | relay-trick
            <"victim%example.com"@relay.example.net>   | 550 5.7.1 <"victim%example.com"@relay.example.net>: relay access denied (routing in the local part) | relay-trick
            <@relay.example.net:victim%x@example.com>  | 550 5.7.1 <victim%x@example.com>: relay access denied (routing in the local part) | relay-trick
            <postmaster>                               | 550 5.1.1 <postmaster>: this relay has no mailboxes, not even postmaster's | postmaster
            <PostMaster@Relay.Example.Net>             | 550 5.1.1 <PostMaster@Relay.Example.Net>: this relay has no mailboxes, not even postmaster's | postmaster
            <bob>                                      | 553 5.1.3 <bob>: the recipient address needs a domain | syntax
            <>                                         | 501 5.1.3 A recipient cannot be <> | syntax
            <@a,b:bob@example.com>                     | 501 5.1.3 Bad source route | syntax
            <bob@example.com> FOO=bar                  | 555 5.5.4 Unsupported parameter FOO | syntax
            <bob@example.com> NOTIFY=NEVER,SUCCESS     | 501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY | syntax
            <bob@example.com> NOTIFY=SUCCESS,NEVER     | 501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY | syntax
            <bob@example.com> NOTIFY=SUCCESS,,DELAY    | 501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY | syntax
            <bob@example.com> NOTIFY=FAILURE,          | 501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY | syntax
            <bob@example.com> NOTIFY=ALWAYS            | 501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY | syntax
            <bob@example.com> NOTIFY                   | 501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY | syntax
            <bob@example.com> ORCPT=bob@example.com    | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2) | syntax
            <bob@example.com> ORCPT=rfc822;            | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2) | syntax
            <bob@example.com> ORCPT=;bob@example.com   | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2) | syntax
            <bob@example.com> ORCPT=rfc822;b+0Aob      | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2) | syntax
            <bob@example.com> ORCPT=rfc822;b+G0ob      | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2) | syntax
            <bob@example.com> ORCPT=rfc822;bob+        | 501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2) | syntax
            """)
    void recipientRefusals(String path, String reply, String counter) {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>");
        assertEquals(reply + "\r\n", c.lines("RCPT TO:" + path));
        SmtpRefusal r = List.of(SmtpRefusal.values()).stream().filter(x -> x.key().equals(counter)).findFirst().orElseThrow();
        assertEquals(1, h.counters().refused(r));
    }

    /** RFC 5321 §4.1.1.3: a source route is ignored; its final address is the recipient. */
    @Test
    void aSourceRouteIsReducedToItsFinalAddress() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>");
        assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<@hop1.example,@hop2.example:bob@example.com>"));
        c.lines("DATA", "x", ".");
        assertEquals(List.of("bob@example.com"), h.queued.getFirst().envelope().recipients());
    }

    @Test
    void postmasterOfAnotherDomainIsRelayed() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>");
        assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<postmaster@example.com>"));
    }

    /** RFC 5321 §3.1: a client that may not relay and cannot authenticate gets 554, then 503 to all but QUIT. */
    @Test
    void aStrangerIsGreetedWith554() {
        SmtpHarness.Client c = h.connect(STRANGER);
        assertEquals("554 5.7.1 relay.example.net relay access denied\r\n", c.replies());
        assertEquals("503 5.7.1 Relay access denied: only QUIT (RFC 5321 §3.1)\r\n".repeat(3),
                c.lines("EHLO x", "MAIL FROM:<a@example.org>", "RCPT TO:<victim@example.com>"));
        assertEquals("221 2.0.0 relay.example.net closing connection\r\n", c.lines("QUIT"));
        assertEquals(1, h.counters().refused(SmtpRefusal.CLIENT_NOT_ALLOWED));
    }

    /** With AUTH configured a stranger may talk, but not relay before it authenticates. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            <victim@example.com>
            <@relay.example.net:victim@example.com>
            <victim@[192.0.2.99]>
            <victim@relay.example.net>
            """)
    void aStrangerCannotRelay(String path) {
        SmtpHarness stranger = new SmtpHarness(SmtpHarness.settings(10_000, 10, Map.of("alice", "secret"), true));
        SmtpHarness.Client c = stranger.connect(STRANGER);
        assertEquals("220 relay.example.net ESMTP isthmus\r\n", c.replies());
        c.lines("EHLO x", "MAIL FROM:<a@example.org>");
        String r = c.lines("RCPT TO:" + path);
        assertTrue(r.startsWith("550 5.7.1 <"), r);
        assertTrue(r.endsWith(">: relay access denied\r\n"), r);
        assertEquals("554 5.5.1 No valid recipients\r\n", c.lines("DATA"));
        assertEquals(1, stranger.counters().refused(SmtpRefusal.RELAY_DENIED));
        assertTrue(stranger.queued.isEmpty());
    }

    /** RFC 5321 §4.5.3.1.8 and .10: 100 recipients taken, the next gets 452. */
    @Test
    void aHundredRecipients() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>");
        for (int i = 0; i < SmtpSession.MAX_RECIPIENTS; i++) {
            assertEquals("250 2.1.5 Ok\r\n", c.lines("RCPT TO:<r" + i + "@example.com>"));
        }
        assertEquals("452 4.5.3 Too many recipients\r\n", c.lines("RCPT TO:<one.more@example.com>"));
        c.lines("DATA", "x", ".");
        assertEquals(100, h.queued.getFirst().envelope().recipients().size());
        // One recipient is named in Received; more are not (each copy would list them all).
        assertFalse(h.drafts.begun.getFirst().text().contains("\tfor <"));
    }

    /** RFC 5321 §4.5.3.1.4: 512 octets with CR LF; MAIL's parameters add their allowance. */
    @Test
    void commandLineLimit() {
        SmtpHarness.Client c = ready();
        String noop510 = "NOOP " + "x".repeat(505);
        assertEquals("250 2.0.0 Ok\r\n", c.lines(noop510));
        assertEquals("500 5.5.2 Command line too long (RFC 5321 §4.5.3.1.4)\r\n", c.lines(noop510 + "x"));
        assertEquals("500 5.5.2 Line too long (RFC 5321 §4.5.3.1.4)\r\n", c.lines("NOOP " + "x".repeat(2000)));
        String mail = "MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME ENVID=" + "e".repeat(100);
        assertEquals("250 2.1.0 Ok\r\n", c.lines(mail));
        assertEquals(2, h.counters().refused(SmtpRefusal.LINE_TOO_LONG));
    }

    /** RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets with its CR LF. */
    @Test
    void aTooLongTextLineRefusesTheMessage() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA");
        assertEquals("", c.lines("x".repeat(998)));
        assertEquals("550 5.6.0 Message has a line longer than 1000 octets (RFC 5321 §4.5.3.1.6)\r\n",
                c.lines("x".repeat(999), "."));
        assertTrue(h.queued.isEmpty());
        assertTrue(h.drafts.begun.getFirst().closed);
        assertEquals("250 2.1.0 Ok\r\n", c.lines("MAIL FROM:<a@example.org>")); // the session goes on
    }

    /** RFC 5321 §2.3.8: only CR LF ends a line; {@code <LF>.<LF>} does not end the data (no smuggling). */
    @Test
    void aBareLfRefusesTheMessage() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA");
        assertEquals("", c.send("hi\n.\nMAIL FROM:<evil@example.org>\r\n"));
        assertEquals("550 5.6.0 Message has a bare LF: lines end with CR LF (RFC 5321 §2.3.8)\r\n", c.lines("."));
        assertTrue(h.queued.isEmpty());
        assertEquals(1, h.counters().refused(SmtpRefusal.BARE_LF));
    }

    /** RFC 1870 §6: a message larger than SIZE is refused at the end of data with 552. */
    @Test
    void aTooBigMessage() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA");
        for (int i = 0; i < 12; i++) {
            c.lines("y".repeat(998));
        }
        assertEquals("552 5.3.4 Message size exceeds fixed maximum message size\r\n", c.lines("."));
        assertTrue(h.queued.isEmpty());
        assertTrue(h.drafts.begun.getFirst().closed);
    }

    /** RFC 5321 §6.1: no 250 unless the spool holds the message; a failed commit keeps nothing. */
    @Test
    void aFailedCommitIs451() {
        h.drafts.failCommit = true;
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA");
        assertEquals("451 4.3.0 Local error in processing: the message was not queued, try again later\r\n",
                c.lines("x", "."));
        assertTrue(h.queued.isEmpty());
        assertTrue(h.drafts.begun.getFirst().closed);
        assertEquals(1, h.counters().refused(SmtpRefusal.SPOOL_FAILED));
    }

    @Test
    void aSpoolThatCannotBeginIs451() {
        h.drafts.failBegin = true;
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>");
        assertEquals("451 4.3.0 Local error in processing: the message was not queued, try again later\r\n",
                c.lines("DATA"));
        assertEquals("503 5.5.1 Need MAIL before RCPT\r\n", c.lines("RCPT TO:<b@example.com>"));
    }

    /** A client that leaves in the middle of DATA was promised nothing: its draft is thrown away. */
    @Test
    void aClientThatLeavesDuringData() {
        SmtpHarness.Client c = ready();
        c.lines("MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA", "half a message");
        c.ch.close();
        c.replies();
        assertTrue(h.drafts.begun.getFirst().closed);
        assertTrue(h.queued.isEmpty());
    }

    /** A message larger than a chunk goes to the disk in several writes, in order. */
    @Test
    void aLargeMessageIsWrittenInOrder() {
        SmtpHarness big = new SmtpHarness(SmtpHarness.settings(1_000_000, 10, Map.of(), false));
        SmtpHarness.Client c = big.connect(CLIENT);
        c.lines("EHLO x", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA");
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            body.append(String.format("%04d", i)).append("z".repeat(500)).append("\r\n");
        }
        assertEquals("250 2.0.0 Ok: queued as Q0\r\n", c.send(body + ".\r\n"));
        assertTrue(big.drafts.begun.getFirst().text().endsWith("\r\n" + body), "content in order");
    }

    @Test
    void theFirstCommandDeadline() throws InterruptedException {
        SmtpHarness slow = new SmtpHarness(SmtpHarness.settings(), java.time.Duration.ofMillis(1));
        SmtpHarness.Client c = slow.connect(CLIENT);
        c.replies();
        Thread.sleep(5);
        c.ch.runScheduledPendingTasks();
        assertEquals("421 4.4.2 relay.example.net timeout, closing connection\r\n", c.replies());
        assertFalse(c.ch.isActive());
        assertEquals(1, slow.counters().refused(SmtpRefusal.FIRST_COMMAND_TIMEOUT));
    }

    @Test
    void maxPerClient() {
        SmtpHarness one = new SmtpHarness(SmtpHarness.settings(10_000, 1, Map.of(), false));
        SmtpHarness.Client first = one.connect(CLIENT);
        SmtpHarness.Client second = one.connect(CLIENT);
        assertTrue(first.ch.isActive());
        assertFalse(second.ch.isActive());
        assertEquals("", second.replies());
        assertEquals(1, one.counters().refused(SmtpRefusal.CLIENT_LIMIT));
        first.ch.close();
        assertTrue(one.connect(CLIENT).ch.isActive());
    }
}
