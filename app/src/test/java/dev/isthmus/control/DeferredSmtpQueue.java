package dev.isthmus.control;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.smtp.Delivery;
import dev.isthmus.alg.smtp.Envelope;
import dev.isthmus.alg.smtp.QueuedMessage;
import dev.isthmus.alg.smtp.SmtpSettings;
import dev.isthmus.alg.smtp.Spool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A real {@link Delivery} on a spool in a temporary directory whose messages all wait for a
 * retry: the smarthost is a loopback port nobody listens on, so each first attempt ends at once
 * in "connection refused", and the next is {@link #FIRST_RETRY} away.
 */
public final class DeferredSmtpQueue implements AutoCloseable {
    static final Duration FIRST_RETRY = Duration.ofMinutes(5);

    public final Spool spool;
    public final Delivery delivery;
    /** The messages' ids, in the order committed. */
    public final List<String> ids;

    /** Commits one message per recipient list of {@code to}, from alice@src.test, and waits for every first attempt. */
    public DeferredSmtpQueue(Path dir, List<List<String>> to) throws IOException, InterruptedException {
        spool = new Spool(dir);
        for (List<String> rcpts : to) {
            byte[] content = "Subject: waiting\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
            try (Spool.Writer w = spool.begin()) {
                w.write(content, 0, content.length);
                w.commit(new Envelope("alice@src.test", rcpts, new InetSocketAddress("192.0.2.1", 40000),
                        "client.example", null, false, false, null));
            }
        }
        List<QueuedMessage> recovered = spool.recover();
        ids = recovered.stream().map(QueuedMessage::id).toList();
        delivery = new Delivery(settings(dir, closedPort()), spool);
        delivery.start(recovered);
        awaitAttempts(1);
    }

    /** Waits until every queued message has had {@code n} attempts and none is being delivered. */
    public void awaitAttempts(int n) throws InterruptedException {
        await(n + " attempts of every message", () -> delivery.queue().stream()
                .allMatch(m -> m.attempts() >= n && !delivery.delivering(m.id())));
    }

    public static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static SmtpSettings settings(Path spool, InetSocketAddress smarthost) {
        return new SmtpSettings(List.of(), "relay.example.net", AddressSet.NONE, spool, List.of(), smarthost,
                SmtpSettings.DEFAULT_MAX_MESSAGE_SIZE, true, List.of(), FIRST_RETRY,
                SmtpSettings.DEFAULT_MAX_RETRY_INTERVAL, SmtpSettings.DEFAULT_MAX_QUEUE_LIFETIME, 20, 10, 10, null, null,
                Map.of());
    }

    /** A loopback port that was free a moment ago: connecting to it is refused. */
    private static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    @Override
    public void close() throws IOException {
        delivery.close();
        spool.close();
    }
}
