package dev.isthmus.alg.ftp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Replies (RFC 959 §4.2) and command kinds, as the session reads them. */
class FtpReplyTest {

    @Test
    void aOneLineReply() {
        FtpReply r = new FtpReply.Reader().add("220 (vsFTPd 3.0.3)");
        assertEquals(220, r.code());
        assertEquals("220 (vsFTPd 3.0.3)\r\n", r.text());
    }

    /** RFC 959 §4.2's example: the lines between the first and the last may start with anything, digits too. */
    @Test
    void aMultiLineReplyEndsAtItsCodeAndASpace() {
        FtpReply.Reader reader = new FtpReply.Reader();
        assertNull(reader.add("123-First line"));
        assertNull(reader.add("Second line"));
        assertNull(reader.add("  234 A line beginning with numbers"));
        assertNull(reader.add("123-The last line? Not yet"));
        FtpReply r = reader.add("123 The last line");
        assertEquals(123, r.code());
        assertEquals(5, r.lines().size());
        assertTrue(r.preliminary());
        // The reader is ready for the next reply.
        assertEquals(226, reader.add("226 Transfer complete.").code());
    }

    @Test
    void whatIsNotAReplyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FtpReply.Reader().add("hello"));
        assertThrows(IllegalArgumentException.class, () -> new FtpReply.Reader().add("099 too small"));
        assertThrows(IllegalArgumentException.class, () -> new FtpReply.Reader().add(""));
    }

    @Test
    void aReplyOfTooManyLinesIsRefused() {
        FtpReply.Reader reader = new FtpReply.Reader();
        reader.add("211-Features:");
        for (int i = 1; i < FtpReply.Reader.MAX_LINES; i++) {
            assertNull(reader.add(" FEAT" + i));
        }
        assertThrows(IllegalArgumentException.class, () -> reader.add(" one more"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "USER anonymous; USER; anonymous; RELAY",
        "rest 1048576; REST; 1048576; RELAY",
        "PASV; PASV; ''; PASSIVE",
        "epsv; EPSV; ''; PASSIVE",
        "EPSV 2; EPSV; 2; PASSIVE",
        "EPSV ALL; EPSV; ALL; EPSV_ALL",
        "PORT 1,2,3,4,5,6; PORT; 1,2,3,4,5,6; ACTIVE",
        "EPRT |2|::1|5000|; EPRT; |2|::1|5000|; ACTIVE",
        "LPRT 6,4,1,2,3,4,2,1,2; LPRT; 6,4,1,2,3,4,2,1,2; LONG_ADDRESS",
        "RETR a file with spaces.txt; RETR; a file with spaces.txt; TRANSFER",
        "STOR x; STOR; x; TRANSFER",
        "APPE x; APPE; x; TRANSFER",
        "STOU; STOU; ''; TRANSFER",
        "LIST -la; LIST; -la; TRANSFER",
        "NLST; NLST; ''; TRANSFER",
        "MLSD; MLSD; ''; TRANSFER",
        "AUTH TLS; AUTH; TLS; AUTH",
        "''; ''; ''; RELAY"})
    void commandKinds(String line, String verb, String argument, FtpCommand.Kind kind) {
        FtpCommand c = FtpCommand.parse(line);
        assertEquals(verb, c.verb());
        assertEquals(argument, c.argument());
        assertEquals(kind, c.kind());
    }

    @Test
    void printableForLogs() {
        assertEquals("a?b", FtpReply.Reader.printable("a\u0000b"));
        assertEquals(80, FtpReply.Reader.printable("x".repeat(200)).length());
    }
}
