package dev.isthmus.alg.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EPRT's address field (RFC 2428 §2) is read as a literal: never looked up, never out of range. */
class FtpAddressesLiteralTest {

    /** Family 2 was refused before (the family field was read as at most 1). */
    @Test
    void readsBothFamilies() throws Exception {
        assertEquals(new FtpEndpoint(InetAddress.getByName("198.51.100.2"), 50000),
                FtpAddresses.parseEprt("|1|198.51.100.2|50000|"));
        assertEquals(new FtpEndpoint(InetAddress.getByName("2001:db8:6::2"), 6446),
                FtpAddresses.parseEprt("|2|2001:db8:6::2|6446|"));
    }

    /** The first of these went to the resolver ("Name or service not known") before dottedQuad. */
    @ParameterizedTest
    @ValueSource(strings = {"|1|999.1.1.1|2000|", "|1|256.0.0.1|2000|", "|1|1.2.3|2000|", "|1|1.2.3.4.5|2000|",
        "|1|1..3.4|2000|", "|1|0001.2.3.4|2000|", "|1|example.org|2000|", "|2|1:2|2000|", "|2|198.51.100.2|2000|",
        "|1|2001:db8::1|2000|"})
    void refusesWhatIsNotALiteralOfItsFamily(String argument) {
        assertNull(FtpAddresses.parseEprt(argument));
    }
}
