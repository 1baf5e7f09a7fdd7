package dev.isthmus.alg.smtp;

import java.io.IOException;
import java.io.InputStream;

/**
 * What the delivery side needs of the spool: a message's content, its new state, its removal,
 * and queueing a message of its own (a DSN). An interface so the scheduler's tests run on an
 * in-memory store; {@link #of} adapts the real {@link Spool}.
 */
interface DeliveryStore {
    InputStream content(QueuedMessage m) throws IOException;

    void update(QueuedMessage m) throws IOException;

    void remove(QueuedMessage m) throws IOException;

    /** Commits a message made by the relay itself (a DSN) and returns it as queued. */
    QueuedMessage enqueue(Envelope envelope, byte[] content) throws IOException;

    static DeliveryStore of(Spool spool) {
        return new DeliveryStore() {
            @Override
            public InputStream content(QueuedMessage m) throws IOException {
                return spool.content(m);
            }

            @Override
            public void update(QueuedMessage m) throws IOException {
                spool.update(m);
            }

            @Override
            public void remove(QueuedMessage m) throws IOException {
                spool.remove(m);
            }

            @Override
            public QueuedMessage enqueue(Envelope envelope, byte[] content) throws IOException {
                try (Spool.Writer w = spool.begin()) {
                    w.write(content, 0, content.length);
                    return w.commit(envelope);
                }
            }
        };
    }
}
