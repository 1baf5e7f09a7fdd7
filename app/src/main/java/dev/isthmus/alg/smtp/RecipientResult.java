package dev.isthmus.alg.smtp;

/**
 * How one recipient fared in one attempt.
 *
 * @param recipient the forward-path
 * @param status what became of it
 * @param relay where it went, {@code host[addr]:port}, or {@code none} (no connection made)
 * @param remoteMta the server's host name for the DSN's Remote-MTA field, or null
 * @param reply the server's reply, or the local reason ("connect to ...: Connection refused")
 * @param fromServer the reply came from the server (a DSN's Diagnostic-Code is then {@code smtp;})
 * @param connectionUse which transaction on its connection this was (1: a new connection; more:
 *     a reused one, Postfix's {@code conn_use}); 0 when no connection was made
 * @param nextHopDsn the server offered DSN (RFC 3461): it took over the recipient's NOTIFY, and
 *     the relay owes no "relayed" notification (§4.3, §5.2.2)
 */
record RecipientResult(String recipient, Status status, String relay, String remoteMta, String reply,
        boolean fromServer, int connectionUse, boolean nextHopDsn) {
    RecipientResult(String recipient, Status status, String relay, String remoteMta, String reply,
            boolean fromServer) {
        this(recipient, status, relay, remoteMta, reply, fromServer, 0, false);
    }

    enum Status {
        SENT("sent"),
        DEFERRED("deferred"),
        BOUNCED("bounced");

        private final String word;

        Status(String word) {
            this.word = word;
        }

        /** As Postfix logs it. */
        String word() {
            return word;
        }
    }

    static RecipientResult local(String recipient, Status status, String reply) {
        return new RecipientResult(recipient, status, "none", null, reply, false);
    }
}
