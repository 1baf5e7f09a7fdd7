package dev.isthmus.alg.smtp;

import dev.isthmus.alg.smtp.RecipientResult.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/**
 * A delivery status notification (RFC 3464, in a multipart/report of RFC 6522 with
 * report-type=delivery-status): a human-readable part, the machine-readable delivery-status
 * (one per-recipient block per reported recipient: {@code Action: failed} for a bounced one,
 * {@code relayed} for one passed to a server without DSN, RFC 3461 §4.3), and the original
 * message: its header (text/rfc822-headers: enough for the sender to tell which message, without
 * sending the body back), or the whole of it when a failure is reported and MAIL asked RET=FULL
 * (RFC 3461 §4.3). It goes to the original reverse-path with the null reverse-path (RFC 5321
 * §4.5.5), so it can never cause another report.
 */
final class Dsn {
    /** The original header copied into the report is cut here (a header that large is itself suspect). */
    static final int MAX_HEADER_COPY = 64 * 1024;

    private final String hostname;
    private final Clock clock;

    Dsn(String hostname, Clock clock) {
        this.hostname = hostname;
        this.clock = clock;
    }

    /**
     * Whether the sender is owed a report on this outcome (RFC 3461 §4.1, §4.3, §5.2.2): a failure
     * unless NOTIFY left out FAILURE (NEVER included); a delivery only when NOTIFY asked SUCCESS
     * and the server that took it does not offer DSN, so no one further on will tell ("relayed").
     * A deferral is never reported (no delay notifications).
     */
    static boolean owed(Envelope e, RecipientResult r) {
        Envelope.RecipientDsn asked = e.dsnOf(r.recipient());
        return switch (r.status()) {
            case BOUNCED -> asked.wants(Envelope.Notify.FAILURE);
            case SENT -> !r.nextHopDsn() && asked.wants(Envelope.Notify.SUCCESS);
            case DEFERRED -> false;
        };
    }

    /**
     * RFC 3461 §4.3: the whole message goes back only in a report of failure, and only when the
     * sender asked RET=FULL; without RET the choice is the MTA's, and this one keeps reports small.
     */
    static boolean returnsContent(Envelope e, List<RecipientResult> reported) {
        return e.dsnRet() == Envelope.Ret.FULL && reported.stream().anyMatch(r -> r.status() == Status.BOUNCED);
    }

    /** @param reported bounced recipients (Action: failed) and sent ones (Action: relayed) */
    byte[] build(QueuedMessage m, List<RecipientResult> reported, Instant arrived, DeliveryStore store)
            throws IOException {
        boolean anyFailed = reported.stream().anyMatch(r -> r.status() == Status.BOUNCED);
        // RFC 6533 §3, §6: a message that needed SMTPUTF8 may carry UTF-8 addresses and
        // headers; its report uses the "global" types, which allow them.
        boolean global = m.envelope().smtputf8();
        String boundary = "=_isthmus_" + UUID.randomUUID();
        String now = date(clock.instant());
        StringBuilder b = new StringBuilder();
        header(b, "From", "MAILER-DAEMON@" + hostname + " (Mail Delivery System)");
        header(b, "To", "<" + m.envelope().reversePath() + ">");
        header(b, "Subject", anyFailed ? "Undelivered Mail Returned to Sender" : "Successful Mail Relay Report");
        header(b, "Date", now);
        header(b, "Message-ID", "<" + m.id() + "." + clock.millis() + "@" + hostname + ">");
        // RFC 3834 §5: a report is automatic; autoresponders must not answer it.
        header(b, "Auto-Submitted", "auto-replied");
        header(b, "MIME-Version", "1.0");
        header(b, "Content-Type", "multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\"");
        b.append("\r\n");
        b.append("This is a MIME-encapsulated message.\r\n\r\n");

        b.append("--").append(boundary).append("\r\n");
        header(b, "Content-Type", "text/plain; charset=utf-8");
        b.append("\r\n");
        b.append("This is the mail system at host ").append(hostname).append(".\r\n\r\n");
        if (anyFailed) {
            b.append("Your message could not be delivered to one or more recipients.\r\n\r\n");
        }
        for (RecipientResult r : reported) {
            b.append("<").append(r.recipient()).append(">: ")
                    .append(r.status() == Status.BOUNCED ? "" : "relayed to a server that sends no notifications; ")
                    .append(oneLine(r.reply())).append("\r\n");
        }
        b.append("\r\n");

        b.append("--").append(boundary).append("\r\n");
        header(b, "Content-Type", global ? "message/global-delivery-status" : "message/delivery-status");
        b.append("\r\n");
        // RFC 3464 §2.2: the per-message fields.
        header(b, "Reporting-MTA", "dns; " + hostname);
        if (m.envelope().dsnEnvid() != null) {
            header(b, "Original-Envelope-Id", oneLine(m.envelope().dsnEnvid()));
        }
        header(b, "Arrival-Date", date(arrived));
        for (RecipientResult r : reported) {
            // §2.3: one block per recipient, a blank line before each.
            b.append("\r\n");
            Envelope.RecipientDsn asked = m.envelope().dsnOf(r.recipient());
            if (asked.orcpt() != null) {
                // §2.3.1, RFC 3461 §6.3: the ORCPT as the sender gave it, xtext-decoded.
                header(b, "Original-Recipient", asked.orcptType() + ";" + asked.orcpt());
            }
            header(b, "Final-Recipient", (global && !ascii(r.recipient()) ? "utf-8; " : "rfc822; ") + r.recipient());
            header(b, "Action", r.status() == Status.BOUNCED ? "failed" : "relayed");
            header(b, "Status", status(r));
            if (r.remoteMta() != null) {
                header(b, "Remote-MTA", "dns; " + r.remoteMta());
            }
            header(b, "Diagnostic-Code", (r.fromServer() ? "smtp; " : "x-isthmus; ") + oneLine(r.reply()));
            header(b, "Last-Attempt-Date", now);
        }
        b.append("\r\n");

        b.append("--").append(boundary).append("\r\n");
        boolean full = returnsContent(m.envelope(), reported);
        header(b, "Content-Type", full ? (global ? "message/global" : "message/rfc822")
                : global ? "message/global-headers" : "text/rfc822-headers");
        b.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        if (full) {
            try (InputStream in = store.content(m)) {
                in.transferTo(out);
            }
        } else {
            out.write(originalHeader(m, store));
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /**
     * RFC 3464 §2.3.4 Status: the reply's enhanced code (RFC 3463) when it gave one; else the
     * class from the reply code with a generic detail; a give-up on a temporary failure is
     * 4.4.7 (delivery time expired), reported with Action: failed.
     */
    static String status(RecipientResult r) {
        if (r.status() == Status.SENT) {
            return "2.0.0"; // relayed: the next hop took it (RFC 3464 §2.3.4)
        }
        String reply = r.reply() == null ? "" : r.reply();
        java.util.regex.Matcher enhanced = java.util.regex.Pattern.compile("^[245]\\d\\d ([245]\\.\\d{1,3}\\.\\d{1,3})\\b")
                .matcher(reply);
        if (enhanced.find()) {
            return enhanced.group(1);
        }
        if (reply.startsWith("5")) {
            return "5.0.0";
        }
        return "4.4.7";
    }

    /** The original message's header section, up to its blank line (RFC 5322 §2.1). */
    private static byte[] originalHeader(QueuedMessage m, DeliveryStore store) throws IOException {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        try (InputStream in = store.content(m)) {
            int prev1 = -1;
            int prev2 = -1;
            int c;
            while (h.size() < MAX_HEADER_COPY && (c = in.read()) >= 0) {
                if (c == '\n' && prev1 == '\r' && prev2 == '\n') {
                    break;
                }
                if (c == '\n' && prev1 == '\n') {
                    break;
                }
                h.write(c);
                prev2 = prev1;
                prev1 = c;
            }
        }
        byte[] bytes = h.toByteArray();
        // The loop stops on the blank line's LF, having kept its CR.
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return java.util.Arrays.copyOf(bytes, n);
    }

    private static void header(StringBuilder b, String name, String value) {
        b.append(name).append(": ").append(value).append("\r\n");
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
    }

    private static String date(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
    }
}
