package dev.isthmus.alg.ftp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The data-connection commands per side: RFC 959 §4.1.2 (PORT, PASV), RFC 2428 (EPRT, EPSV), RFC 2577 §3. */
class DataCommandsTest {
    static final InetAddress CLIENT6 = address("2001:db8:6::2");
    static final InetAddress CLIENT4 = address("192.0.2.7");
    static final InetAddress LOCAL6 = address("2001:db8:6::1");
    static final InetAddress LOCAL4 = address("192.0.2.1");
    static final InetAddress SERVER4 = address("198.51.100.2");
    static final InetAddress SERVER6 = address("2001:db8:5::2");

    @Test
    void eprtNamingTheClientItselfIsAccepted() {
        DataCommands.Active a = DataCommands.active(FtpCommand.parse("EPRT |2|2001:db8:6::2|40001|"), CLIENT6);
        assertNull(a.refusal());
        assertEquals(CLIENT6, a.target().address());
        assertEquals(40001, a.target().port());
        DataCommands.Active p = DataCommands.active(FtpCommand.parse("PORT 192,0,2,7,156,65"), CLIENT4);
        assertNull(p.refusal());
        assertEquals(40001, p.target().port());
    }

    /** Each way a PORT or EPRT is refused: the refusal counted and the reply the client gets. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "EPRT |2|2001:db8:6::99|40001|; 2001:db8:6::2; BOUNCE; 504 EPRT names 2001:db8:6::99, not this client's own",
        "EPRT |2|2001:db8:6::2|21|; 2001:db8:6::2; BOUNCE; 504 EPRT names port 21: ports below 1024",
        "PORT 198,51,100,2,0,25; 192.0.2.7; BOUNCE; 504 PORT names 198.51.100.2",
        "PORT 192,0,2,7,0,25; 192.0.2.7; BOUNCE; 504 PORT names port 25",
        "EPRT |1|192.0.2.7|40001|; 2001:db8:6::2; DATA_COMMAND; 522 Network protocol not supported, use (2)",
        "EPRT |2|2001:db8:6::2|40001|; 192.0.2.7; DATA_COMMAND; 522 Network protocol not supported, use (1)",
        "EPRT |3|x|40001|; 2001:db8:6::2; DATA_COMMAND; 522 Network protocol not supported, use (2)",
        "PORT 192,0,2,7,156,65; 2001:db8:6::2; DATA_COMMAND; 501 PORT names IPv4 addresses only",
        "PORT 192,0,2,7,156; 192.0.2.7; DATA_COMMAND; 501 Syntax error in PORT",
        "PORT 192,0,2,300,156,65; 192.0.2.7; DATA_COMMAND; 501 Syntax error in PORT",
        "EPRT |2|2001:db8:6::2|70000|; 2001:db8:6::2; DATA_COMMAND; 501 Syntax error in EPRT",
        "EPRT 2001:db8:6::2; 2001:db8:6::2; DATA_COMMAND; 501 Syntax error in EPRT"})
    void refusals(String command, String client, FtpRefusal refusal, String reply) {
        DataCommands.Active a = DataCommands.active(FtpCommand.parse(command), address(client));
        assertNull(a.target());
        assertEquals(refusal, a.refusal());
        assertTrue(a.reply().startsWith(reply), a.reply());
    }

    @Test
    void passiveRepliesCarryTheAddressTheClientReached() {
        assertEquals("229 Entering Extended Passive Mode (|||50001|)",
                DataCommands.passiveReply(FtpCommand.parse("EPSV"), LOCAL6, 50001));
        assertEquals("227 Entering Passive Mode (192,0,2,1,195,81).",
                DataCommands.passiveReply(FtpCommand.parse("PASV"), LOCAL4, 50001));
    }

    @Test
    void passiveRefusals() {
        assertNull(DataCommands.passiveRefusal(FtpCommand.parse("EPSV"), LOCAL6));
        assertNull(DataCommands.passiveRefusal(FtpCommand.parse("EPSV 2"), LOCAL6));
        assertNull(DataCommands.passiveRefusal(FtpCommand.parse("PASV"), LOCAL4));
        assertTrue(DataCommands.passiveRefusal(FtpCommand.parse("PASV"), LOCAL6).startsWith("425 "));
        // RFC 2428 §3: EPSV with a family the connection is not of is answered 522 naming the right one.
        assertEquals("522 Network protocol not supported, use (2)",
                DataCommands.passiveRefusal(FtpCommand.parse("EPSV 1"), LOCAL6));
        assertEquals("522 Network protocol not supported, use (1)",
                DataCommands.passiveRefusal(FtpCommand.parse("EPSV 2"), LOCAL4));
    }

    @Test
    void theServersPassivePortComesFromItsReply() {
        assertEquals(40123, DataCommands.serverPassivePort(true,
                FtpReply.of("229 Entering Extended Passive Mode (|||40123|)")));
        assertEquals(40123, DataCommands.serverPassivePort(false,
                FtpReply.of("227 Entering Passive Mode (198,51,100,2,156,187).")));
        // RFC 1123 §4.1.2.6: the numbers without parentheses.
        assertEquals(40123, DataCommands.serverPassivePort(false, FtpReply.of("227 =198,51,100,2,156,187")));
        assertEquals(-1, DataCommands.serverPassivePort(true, FtpReply.of("500 Command not understood.")));
        assertEquals(-1, DataCommands.serverPassivePort(false, FtpReply.of("227 Entering Passive Mode (1,2,3).")));
        assertEquals(-1, DataCommands.serverPassivePort(true, FtpReply.of("229 Entering Extended Passive Mode (|||0|)")));
    }

    @Test
    void theProxyNamesItselfToAnActiveServer() {
        assertEquals("EPRT |1|198.51.100.1|50002|", DataCommands.serverActive(true, address("198.51.100.1"), 50002));
        assertEquals("PORT 198,51,100,1,195,82", DataCommands.serverActive(false, address("198.51.100.1"), 50002));
    }

    /** Only an IPv4 server has PASV and PORT to fall back to, and only a 5yz says the extended command will not do. */
    @Test
    void fallBackToPasvAndPort() {
        assertTrue(DataCommands.fallBack(FtpReply.of("500 Command \"EPSV\" not understood."), SERVER4));
        assertTrue(DataCommands.fallBack(FtpReply.of("522 Network protocol not supported, use (1)"), SERVER4));
        assertFalse(DataCommands.fallBack(FtpReply.of("425 Can't open passive connection."), SERVER4));
        assertFalse(DataCommands.fallBack(FtpReply.of("500 Command not understood."), SERVER6));
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
