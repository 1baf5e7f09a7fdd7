package dev.isthmus.alg.smtp;

import java.time.Instant;
import java.util.List;

/**
 * A message in the spool and its delivery state: the recipients still to deliver, attempts so
 * far, when to try next and why the last try failed. Immutable: every change is a new value the
 * spool writes durably ({@link Spool#update}).
 *
 * @param id the spool's name for it (letters and digits; the file names derive from it)
 * @param envelope what came with it
 * @param pending recipients not yet delivered nor bounced
 * @param attempts delivery attempts made so far
 * @param nextAttempt when the next may start
 * @param lastError the last attempt's failure (a reply line or a connection error), or null
 * @param size content bytes
 */
public record QueuedMessage(String id, Envelope envelope, List<String> pending, int attempts, Instant nextAttempt,
        String lastError, long size) {
    public QueuedMessage {
        pending = List.copyOf(pending);
    }
}
