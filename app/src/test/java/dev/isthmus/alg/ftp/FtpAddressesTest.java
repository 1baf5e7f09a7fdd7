package dev.isthmus.alg.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The address forms of RFC 959 §4.1.2 / §4.2 and RFC 2428 §2 / §3, read and written. */
class FtpAddressesTest {
    private static InetAddress ip(String s) throws UnknownHostException {
        return InetAddress.getByName(s);
    }

    @Test
    void port() throws UnknownHostException {
        assertEquals(new FtpEndpoint(ip("192.0.2.1"), 40000), FtpAddresses.parsePort("192,0,2,1,156,64"));
        assertEquals(new FtpEndpoint(ip("192.0.2.1"), 40000), FtpAddresses.parsePort(" 192, 0,2,1,156 ,64 "));
        assertEquals("192,0,2,1,156,64", FtpAddresses.formatPort((Inet4Address) ip("192.0.2.1"), 40000));
        assertEquals("192,0,2,1,156,64", FtpAddresses.formatPort(0xc0000201, 40000));
        assertEquals("255,255,255,255,255,255", FtpAddresses.formatPort(-1, 65535));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1,2,3,4,5", "1,2,3,4,5,6,7", "256,0,0,1,1,1", "1,2,3,4,5,-6", "1,2,3,4,,6", "a,b,c,d,e,f",
        "1,2,3,4,5,123456", "١,2,3,4,5,6"})
    void malformedPort(String arg) {
        assertNull(FtpAddresses.parsePort(arg));
    }

    @Test
    void reply227() throws UnknownHostException {
        // RFC 959 §4.2's form, and the parenthesis-free one RFC 1123 §4.1.2.6 warns about.
        FtpEndpoint e = new FtpEndpoint(ip("203.0.113.9"), 50069);
        assertEquals(e, FtpAddresses.parse227("227 Entering Passive Mode (203,0,113,9,195,149)."));
        assertEquals(e, FtpAddresses.parse227("227 Entering Passive Mode 203,0,113,9,195,149"));
        assertEquals(e, FtpAddresses.parse227("227 =203,0,113,9,195,149"));
        assertEquals(e, FtpAddresses.parse227("227 Mode 2 (203,0,113,9,195,149)"));
        assertEquals("227 Entering Passive Mode (203,0,113,9,195,149).",
                FtpAddresses.format227((Inet4Address) ip("203.0.113.9"), 50069));
    }

    @ParameterizedTest
    @ValueSource(strings = {"227 Entering Passive Mode", "227 (1,2,3,4,5,6,7)", "227 (1,2,3,4,5)", "22", "",
        "227 (300,2,3,4,5,6)"})
    void malformed227(String reply) {
        assertNull(FtpAddresses.parse227(reply));
    }

    @Test
    void eprt() throws UnknownHostException {
        // RFC 2428 §2's examples.
        assertEquals(new FtpEndpoint(ip("132.235.1.2"), 6275), FtpAddresses.parseEprt("|1|132.235.1.2|6275|"));
        assertEquals(new FtpEndpoint(ip("1080::8:800:200C:417A"), 5282),
                FtpAddresses.parseEprt("|2|1080::8:800:200C:417A|5282|"));
        assertEquals(new FtpEndpoint(ip("2001:db8::5"), 40000), FtpAddresses.parseEprt(" !2!2001:db8::5!40000! "));
        assertEquals(2, FtpAddresses.eprtFamily("|2|x|1|"));
        assertEquals(3, FtpAddresses.eprtFamily("|3|x|1|"));
        assertEquals(-1, FtpAddresses.eprtFamily("|x|"));
        assertEquals("|2|2001:db8:0:0:0:0:0:5|40000|", FtpAddresses.formatEprt(ip("2001:db8::5"), 40000));
        assertEquals("|1|192.0.2.1|21|", FtpAddresses.formatEprt(ip("192.0.2.1"), 21));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "|2|2001:db8::5|40000", "|2|2001:db8::5|70000|", "|1|2001:db8::5|1|",
        "|2|192.0.2.1|1|", "|3|2001:db8::5|1|", "|2|fe80::1%eth0|1|", "|2||1|", "|2|example.com|1|",
        "|1|192.0.2|1|", "|1|1.2.3.999|1|", "|2|2001:db8::5|40000|x|", "\u00012\u00012001:db8::5\u00011\u0001",
        "|2|::ffff:1.2.3.4|1|"})
    void malformedEprt(String arg) {
        assertNull(FtpAddresses.parseEprt(arg));
    }

    @Test
    void reply229() {
        assertEquals(6446, FtpAddresses.parse229("229 Entering Extended Passive Mode (|||6446|)"));
        assertEquals(6446, FtpAddresses.parse229("229 Entering (extended) mode (!!!6446!)"));
        assertEquals(-1, FtpAddresses.parse229("229 Entering Extended Passive Mode (|1||6446|)"));
        assertEquals(-1, FtpAddresses.parse229("229 (|||70000|)"));
        assertEquals(-1, FtpAddresses.parse229("229 (|||6446|"));
        assertEquals(-1, FtpAddresses.parse229("229"));
        assertEquals("229 Entering Extended Passive Mode (|||6446|)", FtpAddresses.format229(6446));
    }

    @Test
    void epsvArgument() {
        assertEquals(0, FtpAddresses.epsvArgument(""));
        assertEquals(0, FtpAddresses.epsvArgument("  "));
        assertEquals(-1, FtpAddresses.epsvArgument("all"));
        assertEquals(2, FtpAddresses.epsvArgument("2"));
        assertEquals(1, FtpAddresses.epsvArgument("1"));
        assertEquals(Integer.MAX_VALUE, FtpAddresses.epsvArgument("0"));
        assertEquals(Integer.MAX_VALUE, FtpAddresses.epsvArgument("x"));
        assertEquals(Integer.MAX_VALUE, FtpAddresses.epsvArgument("123456"));
    }
}
