package dev.isthmus.alg.smtp;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;

/**
 * What the relay knows of an accepted message besides its content (RFC 5321 §2.3.1): the
 * reverse-path ({@code ""} for the null reverse-path {@code <>}), the forward-paths, and where
 * and how it came in. Immutable; the spool writes it beside the content.
 *
 * @param reversePath the MAIL FROM address without brackets, {@code ""} for {@code <>}
 * @param recipients the RCPT TO addresses without brackets, in the order accepted
 * @param client the client's address and port
 * @param helo the name the client gave in EHLO/HELO
 * @param received when the final 250 to DATA was given (set by the spool at commit)
 * @param smtputf8 MAIL FROM carried SMTPUTF8 (RFC 6531): pass on only to servers that offer it
 * @param body8bit MAIL FROM carried BODY=8BITMIME (RFC 6152)
 * @param dsnEnvid the ENVID of MAIL FROM (RFC 3461), or null
 */
public record Envelope(String reversePath, List<String> recipients, InetSocketAddress client, String helo,
        Instant received, boolean smtputf8, boolean body8bit, String dsnEnvid) {
    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
    }
}
