package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where each request-target form (RFC 9112 §3.2) goes, and which are refused why. */
class RoutingTest {
    static final String ALLOWED = "2001:db8:6::2";
    static final String OTHER = "2001:db8:99::2";

    @ParameterizedTest(name = "{0} {1} Host={2} from {3}")
    @CsvSource(nullValues = "-", value = {
        // method, target, Host, client, expected kind or refusal, host, port
        "GET, http://www.v4only.test/a?b, -, " + ALLOWED + ", FORWARD, www.v4only.test, 80",
        "GET, http://192.0.2.1:8080, -, " + ALLOWED + ", FORWARD, 192.0.2.1, 8080",
        "GET, http://[2001:db8::1]:8080/x, -, " + ALLOWED + ", FORWARD, 2001:db8::1, 8080",
        "GET, http://www.v4only.test:25/, -, " + ALLOWED + ", DESTINATION_PORT, -, 0",
        "GET, https://www.v4only.test/, -, " + ALLOWED + ", SCHEME_NOT_SUPPORTED, -, 0",
        "GET, http://user@www.v4only.test/, -, " + ALLOWED + ", BAD_REQUEST, -, 0",
        "GET, http://www.v4only.test/, -, " + OTHER + ", CLIENT_NOT_ALLOWED, -, 0",
        "CONNECT, www.v4only.test:443, -, " + ALLOWED + ", CONNECT, www.v4only.test, 443",
        "CONNECT, [2001:db8::1]:443, -, " + ALLOWED + ", CONNECT, 2001:db8::1, 443",
        "CONNECT, www.v4only.test:25, -, " + ALLOWED + ", CONNECT_PORT, -, 0",
        "CONNECT, www.v4only.test, -, " + ALLOWED + ", BAD_REQUEST, -, 0",
        "CONNECT, www.v4only.test:443, -, " + OTHER + ", CLIENT_NOT_ALLOWED, -, 0",
        "GET, /index.html, www.example.test, " + OTHER + ", REVERSE, www.example.test, 80",
        "GET, /index.html, WWW.Example.TEST:80, " + OTHER + ", REVERSE, www.example.test, 80",
        "GET, /index.html, other.test, " + OTHER + ", UNKNOWN_SITE, -, 0",
        "GET, /index.html, -, " + OTHER + ", BAD_REQUEST, -, 0",
        "GET, index.html, www.example.test, " + OTHER + ", BAD_REQUEST, -, 0",
    })
    void routes(String method, String target, String host, String client, String expected, String toHost, int port)
            throws Exception {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target);
        if (host != null) {
            req.headers().set("Host", host);
        }
        Routing.Decision d = Routing.route(req, GatewayChannels.ROUTES, InetAddress.getByName(client));
        if (d.target() != null) {
            assertNull(d.refusal());
            assertEquals(expected, d.target().kind().name());
            assertEquals(toHost, d.target().host());
            assertEquals(port, d.target().port());
        } else {
            assertEquals(expected, d.refusal().name(), d.why());
        }
    }
}
