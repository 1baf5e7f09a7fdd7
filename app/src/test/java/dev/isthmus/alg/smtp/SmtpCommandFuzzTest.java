package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the relay reads from a client, on any bytes: the path parser ({@link MailPath}) never
 * throws and a path it accepts is well-formed, and a whole session fed the bytes answers every
 * line with a well-formed reply, queues nothing from a client outside {@code allow}, and lets
 * no exception out.
 */
class SmtpCommandFuzzTest {
    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"MAIL FROM:<", "RCPT TO:<", "EHLO x", "DATA", "BDAT", "RSET", "STARTTLS", "AUTH PLAIN ", "AUTH LOGIN",
        "SIZE=", "BODY=8BITMIME", "SMTPUTF8", "ENVID=", "RET=FULL", "RET=HDRS", "NOTIFY=NEVER", "NOTIFY=SUCCESS,FAILURE,DELAY", "ORCPT=rfc822;", "+2B", "@", "%", "!", "\"", "\\", ">", ":", ",", "[IPv6:", "]", "\r",
        "postmaster", "relay.example.net", "\u00e4"})
    void commandsNeverThrow(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String line : text.split("\r?\n", -1)) {
            for (String keyword : new String[] {"FROM:", "TO:"}) {
                MailPath.Parsed p = MailPath.parse(SmtpCommand.parse(line).argument(), keyword);
                assertTrue((p.path() == null) != (p.error() == null), line);
                if (p.error() != null) {
                    assertTrue(p.error().matches("5[0-9][0-9] 5\\.[0-9]\\.[0-9]+ [^\r\n]*"), p::error);
                } else if (p.path().mailbox() != null) {
                    String a = p.path().mailbox().address();
                    assertFalse(a.isEmpty() || a.contains("\r") || a.contains("\n") || a.length() > MailPath.MAX_PATH, a);
                    assertNotNull(p.path().parameters());
                }
            }
        }
        session(data, SmtpSessionTest.CLIENT);
        SmtpHarness stranger = session(data, SmtpSessionTest.STRANGER);
        assertTrue(stranger.queued.isEmpty(), "a client outside allow relayed a message");
    }

    private static SmtpHarness session(byte[] data, String client) {
        SmtpHarness h = new SmtpHarness(SmtpHarness.settings(2000, 10, Map.of(), false));
        SmtpHarness.Client c = h.connect(client);
        String replies = c.replies() + c.send(new String(data, StandardCharsets.ISO_8859_1));
        if (c.ch.isOpen()) { // the session may have ended it already (QUIT, too many errors, a line too long)
            replies += c.send("\r\n.\r\nQUIT\r\n");
        }
        for (String reply : replies.split("\r\n")) {
            assertTrue(reply.matches("[2-5][0-9][0-9]([ -][^\r\n]*)?"), reply);
        }
        return h;
    }
}
