package dev.isthmus.alg.turn.server;

/**
 * A client's 5-tuple (RFC 8656 §2: client address and port, server address and port, transport),
 * which names at most one allocation: a UDP client on one listener, or a TCP connection.
 */
interface Tuple {
    ClientLink link();

    /** The allocation of this 5-tuple, or null. */
    Allocation allocation();

    /** Makes {@code a} this 5-tuple's allocation and sets its {@link Allocation#unlink}. */
    void attach(Allocation a);
}
