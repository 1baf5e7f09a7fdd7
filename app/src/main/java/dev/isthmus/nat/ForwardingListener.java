package dev.isthmus.nat;

/**
 * A {@link Nat64Listener} in front of another: tells {@code next} about every event, so that a
 * listener that cares about a few (the session log, the FTP ALG's bookkeeping) overrides only
 * those and calls {@code super}.
 */
public abstract class ForwardingListener implements Nat64Listener {
    private final Nat64Listener next;

    /** @param next told about every event too; null for none */
    protected ForwardingListener(Nat64Listener next) {
        this.next = next == null ? Nat64Listener.NONE : next;
    }

    @Override
    public void sessionStarted(NatEvent e) {
        next.sessionStarted(e);
    }

    @Override
    public void sessionEnded(NatEvent e) {
        next.sessionEnded(e);
    }

    @Override
    public void bibCreated(NatEvent e) {
        next.bibCreated(e);
    }

    @Override
    public void bibRemoved(NatEvent e) {
        next.bibRemoved(e);
    }

    @Override
    public void subscriberStarted(NatEvent e) {
        next.subscriberStarted(e);
    }

    @Override
    public void subscriberEnded(NatEvent e) {
        next.subscriberEnded(e);
    }

    @Override
    public void probe(NatEvent e) {
        next.probe(e);
    }

    @Override
    public void storedSynExpired(NatEvent e) {
        next.storedSynExpired(e);
    }
}
