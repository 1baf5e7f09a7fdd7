package dev.isthmus.alg.smtp;

/**
 * Why the SMTP relay refused a client, a command or a message; each has a counter
 * ({@link SmtpCounters#refused}) and a key for {@code show stats} and the metrics.
 */
public enum SmtpRefusal {
    /** {@code max-connections} client connections are open: closed at accept. */
    TOTAL_LIMIT("total-limit"),
    /** This client has {@code max-per-client} connections open: closed at accept. */
    CLIENT_LIMIT("client-limit"),
    /** The socket plane is out of descriptors: closed at accept. */
    DESCRIPTOR_LIMIT("descriptor-limit"),
    /**
     * A client blocked for its relay refusals ({@code refusal-limit} within {@code refusal-window},
     * {@link RefusalTracker}): 554 5.7.1 at connect, then closed.
     */
    REFUSAL_RATE("refusal-rate"),
    /** A client not in {@code allow}, and no AUTH configured: greeted with 554 (RFC 5321 §3.1). */
    CLIENT_NOT_ALLOWED("client-not-allowed"),
    /** RCPT from a client neither in {@code allow} nor authenticated: 550 5.7.1. */
    RELAY_DENIED("relay-denied"),
    /** A relaying trick in RCPT: the percent hack, a bang path, @ in a quoted local part: 550 5.7.1. */
    RELAY_TRICK("relay-trick"),
    /** RCPT to postmaster of this relay, which has no mailbox (docs/SMTP.md): 550 5.1.1. */
    POSTMASTER("postmaster"),
    /** A malformed command or argument, or one out of sequence (5xx). */
    SYNTAX("syntax"),
    /** A line longer than RFC 5321 §4.5.3.1 allows (command or text line). */
    LINE_TOO_LONG("line-too-long"),
    /** More recipients than {@link SmtpSession#MAX_RECIPIENTS}: 452 4.5.3. */
    TOO_MANY_RECIPIENTS("too-many-recipients"),
    /** A message larger than {@code max-message-size} (RFC 1870): 552 5.3.4. */
    TOO_BIG("too-big"),
    /** A message with a bare LF (RFC 5321 §2.3.8): 550 5.6.0. */
    BARE_LF("bare-lf"),
    /** Non-ASCII address without SMTPUTF8 (RFC 6531 §3.2): 553 5.6.7. */
    NEEDS_SMTPUTF8("needs-smtputf8"),
    /** The spool could not take or commit the message: 451 4.3.0, nothing kept. */
    SPOOL_FAILED("spool-failed"),
    /** AUTH with a wrong name or password: 535 5.7.8. */
    AUTH_FAILED("auth-failed"),
    /** Commands sent after STARTTLS in the same flight (RFC 3207 §4.2, CVE-2011-0411): closed. */
    STARTTLS_PIPELINED("starttls-pipelined"),
    /** The TLS handshake after STARTTLS failed: closed. */
    TLS_FAILED("tls-failed"),
    /** No command within the first-command deadline: 421 4.4.2, closed. */
    FIRST_COMMAND_TIMEOUT("first-command-timeout"),
    /** No command or data within the idle timeout (RFC 5321 §4.5.3.2.7): 421 4.4.2, closed. */
    IDLE_TIMEOUT("idle-timeout");

    private final String key;

    SmtpRefusal(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
