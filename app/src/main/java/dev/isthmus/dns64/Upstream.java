package dev.isthmus.dns64;

import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

/** Where the DNS64 gets real data: a recursive resolver (or, in tests, a table of answers). */
interface Upstream {
    /**
     * Asks one question, with the client's CD bit and DO bit (RFC 6147 §5.5: a DNS64 that does
     * not validate passes them on so that the upstream validator decides). The future completes
     * with the answer, or with null when no upstream answered (each timeout and failure
     * counted); never exceptionally, and always within the configured timeouts.
     */
    CompletableFuture<Message> ask(Name name, int type, int dclass, boolean checkingDisabled, boolean dnssecOk);
}
