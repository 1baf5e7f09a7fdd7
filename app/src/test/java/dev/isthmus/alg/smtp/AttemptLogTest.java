package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.alg.smtp.RecipientResult.Status;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The attempt log line keeps Postfix's shape, with conn_use=N only on a reused connection. */
class AttemptLogTest {
    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    private final QueuedMessage m = DeliveryHarness.message("m1", "alice@src.test", List.of("bob@dest.test"), T0,
            "x", false);

    private String line(int connectionUse) {
        RecipientResult r = new RecipientResult("bob@dest.test", Status.SENT, "mx.dest.test[192.0.2.25]:25",
                "mx.dest.test", "250 2.0.0 queued", true, connectionUse, false);
        return AttemptLog.line(m, r, T0, T0.plusMillis(1200), false);
    }

    @Test
    void aNewConnectionHasNoConnUse() {
        assertEquals("smtp: m1: to=<bob@dest.test>, relay=mx.dest.test[192.0.2.25]:25, delay=1.2, attempts=1,"
                + " status=sent (250 2.0.0 queued)", line(1));
    }

    @Test
    void aReusedConnectionSaysWhichUseItWas() {
        assertEquals("smtp: m1: to=<bob@dest.test>, relay=mx.dest.test[192.0.2.25]:25, conn_use=3, delay=1.2,"
                + " attempts=1, status=sent (250 2.0.0 queued)", line(3));
    }
}
