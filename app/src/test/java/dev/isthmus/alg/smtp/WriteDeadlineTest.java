package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** A server that stops reading cannot hold a delivery thread: the blocked send fails at its deadline. */
class WriteDeadlineTest {
    @Test
    void aSendTheServerNeverReadsFailsAtTheDeadline() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket()) {
            client.setSendBufferSize(4096);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            try (Socket accepted = server.accept()) { // and never read from
                OutputStream out = new WriteDeadline(client, client.getOutputStream(), Duration.ofMillis(200), timer);
                byte[] block = new byte[64 * 1024];
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IOException.class, () -> {
                    for (int i = 0; i < 10_000; i++) { // far more than the socket buffers hold
                        out.write(block, 0, block.length);
                    }
                }));
            }
        } finally {
            timer.shutdownNow();
        }
    }
}
