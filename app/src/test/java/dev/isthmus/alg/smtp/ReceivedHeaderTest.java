package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The trace header (RFC 5321 §4.4) and its address literals (§4.1.3). */
class ReceivedHeaderTest {
    static final ZonedDateTime WHEN = ZonedDateTime.of(2026, 12, 7, 18, 10, 48, 0, ZoneOffset.ofHours(1));

    @Test
    void oneRecipient() throws UnknownHostException {
        assertEquals("""
                Received: from mx.example.org ([IPv6:2001:db8:6::2])\r
                \tby relay.example.net with ESMTPS id 1A2B\r
                \tfor <bob@example.com>; Mon, 7 Dec 2026 18:10:48 +0100\r
                """, ReceivedHeader.of("mx.example.org", InetAddress.getByName("2001:db8:6::2"), "relay.example.net",
                "ESMTPS", "1A2B", List.of("bob@example.com"), WHEN));
    }

    /** Several recipients are not named: each copy would list them all. What the client said is made safe. */
    @Test
    void severalRecipientsAndAHostileHelo() throws UnknownHostException {
        assertEquals("""
                Received: from a?b??c? ([192.0.2.7])\r
                \tby relay.example.net with SMTP id 1; Mon, 7 Dec 2026 18:10:48 +0100\r
                """, ReceivedHeader.of("a(b\r\u0000c)", InetAddress.getByName("::ffff:192.0.2.7"), "relay.example.net",
                "SMTP", "1", List.of("x@example.com", "y@example.com"), WHEN));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            2001:db8::1                | [IPv6:2001:db8::1]
            2001:db8:0:0:1:0:0:1       | [IPv6:2001:db8::1:0:0:1]
            2001:0:0:1:0:0:0:1         | [IPv6:2001:0:0:1::1]
            ::1                        | [IPv6:::1]
            fe80::1:0:0:0              | [IPv6:fe80::1:0:0:0]
            2001:db8:1:2:3:4:5:6       | [IPv6:2001:db8:1:2:3:4:5:6]
            2001:db8:0:1:2:3:4:5       | [IPv6:2001:db8:0:1:2:3:4:5]
            2001:0:0:1:0:0:1:1         | [IPv6:2001::1:0:0:1:1]
            192.0.2.1                  | [192.0.2.1]
            ::ffff:198.51.100.9        | [198.51.100.9]
            """)
    void literals(String address, String literal) throws UnknownHostException {
        assertEquals(literal, ReceivedHeader.literal(InetAddress.getByName(address)));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            false, false, false, false, SMTP
            true,  false, false, false, ESMTP
            true,  true,  false, false, ESMTPS
            true,  false, true,  false, ESMTPA
            true,  true,  true,  false, ESMTPSA
            true,  true,  true,  true,  UTF8SMTPSA
            """)
    void protocols(boolean esmtp, boolean tls, boolean auth, boolean utf8, String keyword) {
        assertEquals(keyword, ReceivedHeader.protocol(esmtp, tls, auth, utf8));
    }

    @Test
    void compressedNeedsTwoZeroGroups() throws UnknownHostException {
        assertEquals("2001:db8:0:1:1:1:1:1", ReceivedHeader.compressed((Inet6Address) InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
    }
}
