package dev.isthmus.alg.smtp;

/** Where the server side hands a committed message for delivery (the delivery side implements it). */
public interface Outbox {
    /** A message just committed to the spool (the client already has its 250). Must not block. */
    void queued(QueuedMessage m);
}
