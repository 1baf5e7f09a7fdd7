package dev.isthmus.alg.ftp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * What the proxy reads from its control connections, on any bytes: a client's command line
 * through {@link FtpCommand} and the data commands' judgement ({@link DataCommands}), a server's
 * reply lines through {@link FtpReply.Reader}. Never an exception other than the reader's
 * named refusal; an accepted PORT or EPRT always names the client itself, from port 1024 up
 * (RFC 2577 §3); every refusal has a reply of one line with a code.
 */
class FtpControlFuzzTest {
    static final InetAddress CLIENT6 = DataCommandsTest.address("2001:db8:6::2");
    static final InetAddress CLIENT4 = DataCommandsTest.address("192.0.2.7");

    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({"PORT ", "EPRT ", "PASV", "EPSV ", "ALL", "|2|", "|1|", "2001:db8:6::2", "192,0,2,7,", "192.0.2.7",
        "227 ", "229 ", "(|||", "|)", "123-", "123 ", "\r", ","})
    void controlLinesNeverThrow(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n", -1)) {
            command(line);
            reply(line);
        }
        FtpReply.Reader reader = new FtpReply.Reader();
        for (String line : text.split("\n", -1)) {
            try {
                FtpReply r = reader.add(line);
                if (r != null) {
                    assertTrue(r.code() >= 100 && r.code() <= 999, r::toString);
                    DataCommands.serverPassivePort(true, r);
                    DataCommands.serverPassivePort(false, r);
                }
            } catch (IllegalArgumentException refused) {
                reader = new FtpReply.Reader(); // the session ends here; a new one starts clean
            }
        }
    }

    private static void command(String line) {
        FtpCommand c = FtpCommand.parse(line);
        assertNotNull(c.kind());
        for (InetAddress client : new InetAddress[] {CLIENT6, CLIENT4}) {
            if (c.kind() == FtpCommand.Kind.ACTIVE) {
                DataCommands.Active a = DataCommands.active(c, client);
                if (a.refusal() == null) {
                    assertEquals(client, a.target().address());
                    assertTrue(a.target().port() >= DataCommands.LOWEST_DATA_PORT, a::toString);
                } else {
                    assertTrue(a.reply().matches("[1-5][0-9][0-9] [^\r\n]*"), a::reply);
                }
            } else if (c.kind() == FtpCommand.Kind.PASSIVE) {
                String no = DataCommands.passiveRefusal(c, client);
                assertTrue(no == null || no.matches("[1-5][0-9][0-9] [^\r\n]*"), () -> no);
            }
        }
    }

    private static void reply(String line) {
        FtpReply r = FtpReply.of(line);
        int port = DataCommands.serverPassivePort(line.startsWith("229"), r);
        assertTrue(port == -1 || port >= 1 && port <= 65535, () -> line + " -> " + port);
    }
}
