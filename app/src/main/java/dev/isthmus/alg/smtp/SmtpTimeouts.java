package dev.isthmus.alg.smtp;

import java.time.Duration;

/**
 * How long the delivery client waits for each reply (RFC 5321 §4.5.3.2): a server is slow at
 * different steps for different reasons (a DNS check at MAIL, a content scan after the final
 * dot), so each step has its own bound rather than one for all.
 *
 * @param greeting the 220 after connecting (§4.5.3.2.1)
 * @param hello EHLO, HELO and STARTTLS (the RFC gives none; as MAIL, like Postfix's smtp_helo_timeout)
 * @param mail MAIL (§4.5.3.2.2)
 * @param rcpt each RCPT (§4.5.3.2.3)
 * @param dataInit the 354 to DATA (§4.5.3.2.4)
 * @param dataBlock each send of the content, or of a command (§4.5.3.2.5; {@link WriteDeadline})
 * @param dataEnd the reply to the final dot (§4.5.3.2.6)
 * @param rset RSET before a connection is kept for reuse (Postfix's smtp_rset_timeout)
 * @param quit the 221 to QUIT: the outcome is decided by then, so little is waited
 */
record SmtpTimeouts(Duration greeting, Duration hello, Duration mail, Duration rcpt, Duration dataInit,
        Duration dataBlock, Duration dataEnd, Duration rset, Duration quit) {
    /** The RFC's minimums; RSET and QUIT as Postfix's. */
    static final SmtpTimeouts RFC_5321 = new SmtpTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5),
            Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofMinutes(3),
            Duration.ofMinutes(10), Duration.ofSeconds(20), Duration.ofSeconds(20));

    /** One bound for every step (tests). */
    static SmtpTimeouts all(Duration d) {
        return new SmtpTimeouts(d, d, d, d, d, d, d, d, d);
    }
}
