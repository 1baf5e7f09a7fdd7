package dev.isthmus.alg.ftp;

/**
 * The client's commands whose replies have not come yet, oldest first, so that each server reply
 * is paired with its command (RFC 959 §4.2: one reply per command, in order, also when the client
 * pipelines). Commands the ALG does not care about are kept as a count (runs of them take one
 * slot), so the bound is on the commands the ALG acts on ({@link #SLOTS} / 2 of them).
 */
final class PendingCommands {
    /** What the ALG does with the reply to a command. */
    enum Kind {
        /** Nothing: the reply passes unchanged. */
        FORWARD,
        /** EPSV sent as PASV: a 227 reply becomes 229 (RFC 6384 §5). */
        EPSV,
        /** AUTH (RFC 2228): a 234 or 334 reply makes the connection transparent (RFC 6384 §9). */
        AUTH,
        /** Answered by the ALG: NOOP went to the server, its reply is replaced by {@code reply}. */
        LOCAL
    }

    static final int SLOTS = 32;

    private final Kind[] kinds = new Kind[SLOTS];
    private final int[] counts = new int[SLOTS];
    private final String[] replies = new String[SLOTS];
    private int head;
    private int size;

    /** True when a command the ALG acts on may be queued (one slot stays for the commands after it). */
    boolean roomForSpecial() {
        return size <= SLOTS - 2;
    }

    /** Queues a command; a FORWARD always fits (see {@link #roomForSpecial}). */
    void push(Kind kind, String reply) {
        if (kind == Kind.FORWARD && size > 0 && kinds[(head + size - 1) % SLOTS] == Kind.FORWARD) {
            counts[(head + size - 1) % SLOTS]++;
            return;
        }
        if (size == SLOTS) {
            return; // unreachable while callers check roomForSpecial(); losing a pairing beats throwing
        }
        int i = (head + size) % SLOTS;
        kinds[i] = kind;
        counts[i] = 1;
        replies[i] = reply;
        size++;
    }

    /** The oldest command's kind, or null when none is pending. */
    Kind peek() {
        return size == 0 ? null : kinds[head];
    }

    /** The ALG's own reply for the oldest command (a {@link Kind#LOCAL} one). */
    String peekReply() {
        return size == 0 ? null : replies[head];
    }

    /** Removes the oldest command (its reply is complete); returns its kind or null. */
    Kind pop() {
        if (size == 0) {
            return null;
        }
        Kind k = kinds[head];
        if (--counts[head] == 0) {
            replies[head] = null;
            head = (head + 1) % SLOTS;
            size--;
        }
        return k;
    }

    int size() {
        return size;
    }
}
