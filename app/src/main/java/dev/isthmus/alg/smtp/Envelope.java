package dev.isthmus.alg.smtp;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

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
 * @param dsnEnvid the ENVID of MAIL FROM (RFC 3461 §4.4), xtext-decoded, or null
 * @param dsnRet the RET of MAIL FROM (RFC 3461 §4.3), or null when not given
 * @param dsnRecipients each recipient's NOTIFY and ORCPT (RFC 3461 §4.1, §4.2), in the order
 *     of {@code recipients}
 */
public record Envelope(String reversePath, List<String> recipients, InetSocketAddress client, String helo,
        Instant received, boolean smtputf8, boolean body8bit, String dsnEnvid, Ret dsnRet,
        List<RecipientDsn> dsnRecipients) {
    public Envelope {
        recipients = List.copyOf(recipients);
        dsnRecipients = List.copyOf(dsnRecipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
        if (dsnRecipients.size() != recipients.size()) {
            throw new IllegalArgumentException("a DSN request for each recipient: " + dsnRecipients.size()
                    + " for " + recipients.size());
        }
    }

    /** An envelope without DSN requests: what a message gets that came without RET, NOTIFY, ORCPT. */
    public Envelope(String reversePath, List<String> recipients, InetSocketAddress client, String helo,
            Instant received, boolean smtputf8, boolean body8bit, String dsnEnvid) {
        this(reversePath, recipients, client, helo, received, smtputf8, body8bit, dsnEnvid, null,
                Collections.nCopies(recipients.size(), RecipientDsn.NONE));
    }

    /** The same envelope received at {@code when}: what the spool stores at commit. */
    public Envelope withReceived(Instant when) {
        return new Envelope(reversePath, recipients, client, helo, when, smtputf8, body8bit, dsnEnvid, dsnRet,
                dsnRecipients);
    }

    /** The DSN request of a recipient (the first RCPT that named it), {@link RecipientDsn#NONE} for a stranger. */
    public RecipientDsn dsnOf(String recipient) {
        int i = recipients.indexOf(recipient);
        return i < 0 ? RecipientDsn.NONE : dsnRecipients.get(i);
    }

    /** RFC 3461 §4.3: what a failure DSN carries of the original. */
    public enum Ret { FULL, HDRS }

    /** RFC 3461 §4.1: the events a recipient's NOTIFY asks to be told of (NEVER is the empty set). */
    public enum Notify { SUCCESS, FAILURE, DELAY }

    /**
     * One recipient's RFC 3461 parameters.
     *
     * @param events the NOTIFY events asked for, empty for NOTIFY=NEVER, null when NOTIFY was not given
     * @param orcptType the ORCPT's address type (RFC 3461 §4.2, e.g. {@code rfc822}), or null
     * @param orcpt the ORCPT's address, xtext-decoded, or null (set together with the type)
     */
    public record RecipientDsn(Set<Notify> events, String orcptType, String orcpt) {
        public static final RecipientDsn NONE = new RecipientDsn(null, null, null);

        public RecipientDsn {
            events = events == null ? null : Collections.unmodifiableSet(events.isEmpty()
                    ? EnumSet.noneOf(Notify.class) : EnumSet.copyOf(events));
            if ((orcptType == null) != (orcpt == null)) {
                throw new IllegalArgumentException("an ORCPT has a type and an address");
            }
        }

        /**
         * The sender asked to hear of this event. RFC 3461 §4.1: without NOTIFY, the default is
         * FAILURE (DELAY at the MTA's discretion; this relay sends no delay notices).
         */
        public boolean wants(Notify event) {
            return events == null ? event == Notify.FAILURE : events.contains(event);
        }
    }
}
