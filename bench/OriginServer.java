// The IPv4-only web server of bench/relay.sh: answers every request with the same small page,
// HTTP/1.1 keep-alive, so that the proxies in front of it (not it) are what the benchmark measures.
// Run with the JDK's source launcher: java bench/OriginServer.java ADDRESS PORT
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

public class OriginServer {
    public static void main(String[] args) throws Exception {
        byte[] page = ("<html><body>" + "x".repeat(1000) + "</body></html>\n").getBytes(StandardCharsets.US_ASCII);
        HttpServer s = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 1024);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        s.setExecutor(Executors.newFixedThreadPool(2));
        s.start();
    }
}
