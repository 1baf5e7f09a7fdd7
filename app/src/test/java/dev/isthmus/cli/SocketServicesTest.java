package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.config.ConfigLoader;
import dev.isthmus.relay.TranslatedPrefixes;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The HTTP gateway learns what the data plane of the same process translates (issue 19). */
class SocketServicesTest {
    static final String HTTP = """
            [http.forward]
            listen = "[::]:3128"
            allow = ["2001:db8:6::/64"]
            """;

    static TranslatedPrefixes translated(String dataPlane) throws Exception {
        return SocketServices.translated(ConfigLoader.parse(dataPlane + HTTP, "t.toml"));
    }

    static String ipv4(TranslatedPrefixes t, String ipv6) {
        TranslatedPrefixes.Translated x = t.translate(InetAddress.ofLiteral(ipv6));
        return x == null ? null : x.ipv4().getHostAddress();
    }

    @Test
    void siitPool6AndEamRowsAreTranslated() throws Exception {
        TranslatedPrefixes t = translated("""
                [siit]
                pool6 = "2001:db8:64::/96"
                [[siit.eam]]
                ipv6 = "2001:db8:e::/120"
                ipv4 = "169.254.169.0/24"
                """);
        assertEquals("169.254.169.254", ipv4(t, "2001:db8:64::a9fe:a9fe"));
        assertEquals("169.254.169.254", ipv4(t, "2001:db8:e::fe"));
        assertNull(ipv4(t, "2001:db8:6::2"));
    }

    @Test
    void theNat64PrefixIsTranslated() throws Exception {
        TranslatedPrefixes t = translated("""
                [nat64]
                pool6 = "2001:db8:64::/96"
                [[nat64.pool4]]
                prefix = "192.0.2.2/32"
                """);
        assertEquals("198.51.100.1", ipv4(t, "2001:db8:64::c633:6401"));
    }

    @Test
    void withoutADataPlaneNothingIsTranslated() throws Exception {
        assertTrue(translated("").isEmpty());
    }
}
