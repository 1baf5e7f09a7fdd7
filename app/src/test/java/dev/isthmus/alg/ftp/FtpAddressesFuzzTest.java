package dev.isthmus.alg.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.Inet4Address;

/**
 * The parsers of the addresses FTP writes into its control connection, with any text: null or a
 * value, never an exception; what parses is written back into text that parses to the same.
 */
class FtpAddressesFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parsersNeverThrow(FuzzedDataProvider data) {
        String s = data.consumeRemainingAsString();
        FtpEndpoint port = FtpAddresses.parsePort(s);
        if (port != null) {
            assertEquals(port, FtpAddresses.parsePort(FtpAddresses.formatPort((Inet4Address) port.address(), port.port())));
        }
        FtpEndpoint p227 = FtpAddresses.parse227(s);
        if (p227 != null) {
            assertEquals(p227, FtpAddresses.parse227(FtpAddresses.format227((Inet4Address) p227.address(), p227.port())));
        }
        FtpEndpoint eprt = FtpAddresses.parseEprt(s);
        if (eprt != null) {
            assertEquals(eprt, FtpAddresses.parseEprt(FtpAddresses.formatEprt(eprt.address(), eprt.port())));
            assertTrue(FtpAddresses.eprtFamily(s) > 0);
        }
        FtpAddresses.eprtFamily(s);
        int p229 = FtpAddresses.parse229(s);
        if (p229 >= 0) {
            assertEquals(p229, FtpAddresses.parse229(FtpAddresses.format229(p229)));
        }
        FtpAddresses.epsvArgument(s);
    }
}
