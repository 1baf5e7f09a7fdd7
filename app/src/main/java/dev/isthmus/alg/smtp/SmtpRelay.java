package dev.isthmus.alg.smtp;

import dev.isthmus.relay.SocketPlane;
import java.io.IOException;
import java.util.List;

/**
 * The whole {@code [smtp]} relay of {@code isthmus run}: the spool, the delivery side and the
 * server side, started in that order so that the messages a previous run left in the spool are
 * handed to delivery before any new one is accepted, and closed in the reverse order, so that no
 * message is accepted after delivery has stopped.
 */
public final class SmtpRelay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.smtp");

    private final Spool spool;
    private final Delivery delivery;
    private final SmtpServer server;

    private SmtpRelay(Spool spool, Delivery delivery, SmtpServer server) {
        this.spool = spool;
        this.delivery = delivery;
        this.server = server;
    }

    /** Opens and recovers the spool, starts delivering what it holds, then listens. */
    public static SmtpRelay start(SocketPlane plane, SmtpSettings s) throws IOException {
        Spool spool = new Spool(s.spool());
        Delivery delivery = null;
        try {
            List<QueuedMessage> recovered = spool.recover();
            delivery = new Delivery(s, spool);
            delivery.start(recovered);
            LOG.log(System.Logger.Level.INFO, "smtp: spool " + s.spool() + ": " + recovered.size() + " messages to deliver");
            return new SmtpRelay(spool, delivery, SmtpServer.start(plane, s, spool, delivery));
        } catch (IOException | RuntimeException e) {
            if (delivery != null) {
                delivery.close();
            }
            spool.close();
            throw e;
        }
    }

    /** The server side's counters. */
    public SmtpCounters counters() {
        return server.counters();
    }

    /** The delivery side: its counters and queue (show smtp-queue, isthmus smtp flush|delete). */
    public Delivery delivery() {
        return delivery;
    }

    @Override
    public void close() {
        server.close();
        delivery.close();
        try {
            spool.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "smtp: cannot release the spool's lock: " + e.getMessage());
        }
    }
}
