package dev.isthmus.alg.smtp;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The log line of one recipient's attempt, in Postfix's shape so the tools that read Postfix logs
 * read ours: {@code ID: to=<a@b>, relay=mx.b[192.0.2.1]:25, delay=1.2, attempts=1, status=sent (250 ok)},
 * with {@code conn_use=N} after the relay when the connection was reused.
 */
final class AttemptLog {
    private AttemptLog() {}

    static String line(QueuedMessage m, RecipientResult r, Instant arrived, Instant now, boolean expired) {
        double delay = Duration.between(arrived, now).toMillis() / 1000.0;
        String reason = r.fromServer() && r.status() != RecipientResult.Status.SENT
                ? "host " + r.relay() + " said: " + r.reply()
                : r.reply();
        if (expired && r.status() == RecipientResult.Status.BOUNCED) {
            reason = "message expired in the queue; last: " + reason;
        }
        // Postfix writes conn_use only for a reused connection (its second and later transactions).
        String connUse = r.connectionUse() > 1 ? ", conn_use=" + r.connectionUse() : "";
        return String.format(Locale.ROOT, "smtp: %s: to=<%s>, relay=%s%s, delay=%.1f, attempts=%d, status=%s (%s)",
                m.id(), r.recipient(), r.relay(), connUse, delay, m.attempts() + 1, r.status().word(),
                oneLine(reason));
    }

    /** A reply may span lines; the log line may not (a reply is the server's text, not ours). */
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").replaceAll("[^\\x20-\\x7e]", "?");
    }
}
