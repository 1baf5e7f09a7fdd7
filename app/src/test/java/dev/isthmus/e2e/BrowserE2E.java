package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Shell;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A real browser through the forward proxy: Debian's headless Chromium in the IPv6-only client
 * namespace, configured with {@code --proxy-server}, loads a page with two images from the
 * IPv4-only web server by name. Each image's {@code onload} writes its size into the page, so the
 * DOM Chromium prints shows that both were fetched and decoded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class BrowserE2E {
    static final String CONFIG = """
            [http.forward]
            listen = "[2001:db8:6::1]:3128"
            allow = ["2001:db8:6::/64"]
            """;
    static final String PAGE = """
            <!DOCTYPE html>
            <html><head><title>v4only</title></head><body>
            <p id="a">waiting</p><p id="b">waiting</p>
            <img src="/red.png" onload="document.getElementById('a').textContent = 'red ' + this.naturalWidth + 'x' + this.naturalHeight">
            <img src="/blue.png" onload="document.getElementById('b').textContent = 'blue ' + this.naturalWidth + 'x' + this.naturalHeight">
            </body></html>
            """;

    SocketLab lab;

    @BeforeAll
    @Timeout(90)
    void start() throws IOException {
        lab = SocketLab.start(CONFIG, "198.51.100.2 www.v4only.test\n", new String[] {"/usr/bin/python3", "python3"},
                new String[] {"chromium-headless-shell", "chromium-headless-shell"});
        Path www = lab.work.resolve("www");
        Files.createDirectories(www);
        Files.writeString(www.resolve("page.html"), PAGE);
        ImageIO.write(new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB), "png", www.resolve("red.png").toFile());
        ImageIO.write(new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB), "png", www.resolve("blue.png").toFile());
        Path script = lab.work.resolve("web_server.py");
        try (InputStream in = BrowserE2E.class.getResourceAsStream("web_server.py")) {
            Files.write(script, in.readAllBytes());
        }
        lab.peer(lab.server(), "web", "/usr/bin/python3", script.toString(), www.toString(), "198.51.100.2", "80");
        lab.awaitTcp(lab.server(), "198.51.100.2", 80);
    }

    @AfterAll
    @Timeout(60)
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void chromiumLoadsAPageWithImagesFromTheIpv4OnlyServer() throws IOException {
        Path profile = Files.createDirectories(lab.work.resolve("chromium"));
        Shell.Result r = lab.topology.exec(lab.client(), Duration.ofSeconds(60), "env", "HOME=" + profile,
                "chromium-headless-shell", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + profile, "--proxy-server=http://[2001:db8:6::1]:3128",
                "--virtual-time-budget=10000", "--dump-dom", "http://www.v4only.test/page.html");
        assertTrue(r.ok(), r.describe() + "\n" + lab.log());
        assertTrue(r.out().contains("red 3x2"), "the first image did not load:\n" + r.out() + "\n" + lab.peerLog("web"));
        assertTrue(r.out().contains("blue 5x4"), "the second image did not load:\n" + r.out() + "\n" + lab.peerLog("web"));
    }
}
