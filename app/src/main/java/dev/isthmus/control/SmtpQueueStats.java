package dev.isthmus.control;

import dev.isthmus.alg.smtp.Delivery;
import dev.isthmus.alg.smtp.QueuedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The SMTP relay's queue on the control socket: {@code show smtp-queue [json]}, {@code smtp flush
 * [ID]} and {@code smtp delete ID}. An id is checked ({@link Delivery#isQueueId}) before the
 * delivery side sees it; a refusal names the id.
 */
public final class SmtpQueueStats {
    private static final System.Logger LOG = System.getLogger("smtp");

    /**
     * How a refusal for an id that is well formed but not in the queue begins, so that the CLI can
     * tell it apart (its own exit code) from a relay that cannot answer.
     */
    public static final String NO_SUCH_MESSAGE = "no message ";

    private SmtpQueueStats() {}

    /** {@code show smtp-queue}: one line per message, oldest first; the last error ends the line. */
    static String text(Delivery d, Instant now) {
        List<QueuedMessage> all = d.queue();
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-22s %6s %9s %8s %8s  %s%n", "id", "age", "size", "attempts", "next-try",
                "sender -> recipients (pending): last error"));
        for (QueuedMessage m : all) {
            String age = m.envelope().received() == null ? "-" : span(Duration.between(m.envelope().received(), now));
            String next = d.delivering(m.id()) ? "sending"
                    : m.nextAttempt().isAfter(now) ? span(Duration.between(now, m.nextAttempt())) : "now";
            b.append(String.format("%-22s %6s %9d %8d %8s  %s%n", m.id(), age, m.size(), m.attempts(), next,
                    printable("<" + m.envelope().reversePath() + "> -> <" + String.join(">, <", m.pending()) + ">"
                            + (m.lastError() == null ? "" : ": " + m.lastError()))));
        }
        return b.toString();
    }

    /** {@code show smtp-queue json}: {@code {"smtp_queue":[...]}}, times as RFC 3339 and as seconds. */
    static String json(Delivery d, Instant now) {
        JsonWriter j = new JsonWriter().beginObject().name("smtp_queue").beginArray();
        for (QueuedMessage m : d.queue()) {
            Instant received = m.envelope().received();
            j.beginObject();
            j.name("id").value(m.id());
            j.name("sender").value(m.envelope().reversePath());
            j.name("recipients").beginArray();
            m.pending().forEach(j::value);
            j.endArray();
            j.name("attempts").value(m.attempts());
            j.name("next_attempt").value(m.nextAttempt().toString());
            j.name("next_attempt_in_s").value(Math.max(0, Duration.between(now, m.nextAttempt()).toSeconds()));
            j.name("delivering").value(d.delivering(m.id()));
            j.name("last_error").value(m.lastError());
            j.name("received").value(received == null ? null : received.toString());
            j.name("age_s").value(received == null ? 0 : Math.max(0, Duration.between(received, now).toSeconds()));
            j.name("size").value(m.size());
            j.endObject();
        }
        return j.endArray().endObject().finish();
    }

    /** {@code smtp flush ID}: the message's next attempt is now. */
    static String flush(Delivery d, String id) {
        String refused = refuse(d, id);
        if (refused != null) {
            return ControlServer.error(refused);
        }
        boolean delivering = d.delivering(id);
        if (!d.flush(id)) {
            return ControlServer.error(NO_SUCH_MESSAGE + id + " in the queue (delivered, bounced or deleted meanwhile)");
        }
        LOG.log(System.Logger.Level.INFO, "smtp: " + id + ": flushed through the control socket");
        return ControlServer.ok(id + (delivering ? ": being delivered now" : ": next attempt now"));
    }

    /** {@code smtp flush}: every message's next attempt is now. */
    static String flushAll(Delivery d) {
        int moved = d.flushAll();
        LOG.log(System.Logger.Level.INFO, "smtp: " + moved + " messages flushed through the control socket");
        return ControlServer.ok(moved + " message" + (moved == 1 ? "" : "s") + " to be tried now");
    }

    /** {@code smtp delete ID}: removed from the queue and the spool, the sender not told (the log says so). */
    static String delete(Delivery d, String id) {
        String refused = refuse(d, id);
        if (refused != null) {
            return ControlServer.error(refused);
        }
        if (d.delete(id)) {
            return ControlServer.ok(id + ": deleted");
        }
        if (d.delivering(id)) {
            return ControlServer.error(id + " is being delivered at this moment; try again when the attempt ends");
        }
        if (d.message(id).isEmpty()) {
            return ControlServer.error(NO_SUCH_MESSAGE + id + " in the queue (delivered, bounced or deleted meanwhile)");
        }
        return ControlServer.error("cannot remove " + id + " from the spool (the log says why)");
    }

    /** Why {@code id} names no queued message, or null when it does. */
    private static String refuse(Delivery d, String id) {
        if (!Delivery.isQueueId(id)) {
            String shown = id.length() <= Request.QUOTE_MAX ? id : id.substring(0, Request.QUOTE_MAX) + "...";
            return "\"" + shown + "\" is not a queue id (letters and digits, as show smtp-queue lists them)";
        }
        Optional<QueuedMessage> m = d.message(id);
        return m.isPresent() ? null : NO_SUCH_MESSAGE + id + " in the queue";
    }

    /** 45s, 12m, 3h, 2d: the largest unit that fits, as {@code mailq} readers expect a glance, not a date. */
    static String span(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }

    /**
     * Mailboxes and a remote server's reply are outside input: a control character would break
     * the table (or a terminal), so each is shown as {@code ?}; the JSON carries them escaped.
     */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
