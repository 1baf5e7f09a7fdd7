package dev.isthmus.alg.smtp;

import dev.isthmus.alg.smtp.RecipientResult.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The relay's delivery side (RFC 5321 §4.5.4, §5.1, §6): keeps the queue ordered by next
 * attempt, delivers each message's recipients per destination domain, retries temporary
 * failures with a growing interval, bounces permanent failures and messages too long in the
 * queue with a DSN (RFC 3464) to the reverse-path, and writes every change of state to the spool
 * before forgetting the old one.
 *
 * <p>Threads: one scheduler thread decides what is due; each attempt runs on a virtual thread
 * as a blocking SMTP dialogue ({@link SmtpClient}). Blocking code keeps the dialogue in the
 * RFC's order, readable top to bottom; the bound is explicit: at most {@link #MAX_IN_FLIGHT}
 * messages at once, and at most {@code perDestinationConcurrency} connections to one
 * destination (a semaphore per domain, or one for the smarthost); a message whose destinations
 * are all at their limit is not started, so a slow destination holds back only its own mail.
 * A connection kept idle for reuse ({@link ConnectionCache}) holds no permit: only a message
 * being delivered does.
 */
public final class Delivery implements Outbox, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("smtp");
    /** Messages being attempted at once, every destination together. */
    static final int MAX_IN_FLIGHT = 200;
    /** The scheduler looks again at least this often, so a changed wall clock is noticed. */
    private static final Duration MAX_SLEEP = Duration.ofSeconds(30);
    private static final Comparator<QueuedMessage> BY_NEXT_ATTEMPT = Comparator.comparing(QueuedMessage::nextAttempt);

    private final SmtpSettings settings;
    private final DeliveryStore store;
    private final SmtpClient client;
    private final Clock clock;
    private final Map<String, QueuedMessage> queue = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, Semaphore> destinations = new ConcurrentHashMap<>();
    private final DeliveryCounters counters;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private ScheduledFuture<?> nextWake;
    /**
     * A dispatch is queued on the scheduler and has not begun: more wakes add nothing. Each
     * dispatch reads the whole queue, so one per event (a message arriving, an attempt ending)
     * cost O(queue) per message when a backlog built up.
     */
    private final AtomicBoolean dispatchQueued = new AtomicBoolean();

    /** Delivery over MX (or the smarthost) with the settings' resolvers, on the system clock. */
    public Delivery(SmtpSettings settings, Spool spool) {
        this(settings, DeliveryStore.of(spool), new MxRouting(settings, MxRouting.resolver(settings.resolvers())),
                Clock.systemUTC(), SmtpTimeouts.RFC_5321);
    }

    /** With one timeout for every reply (tests). */
    Delivery(SmtpSettings settings, DeliveryStore store, MxRouting routing, Clock clock, Duration ioTimeout) {
        this(settings, store, routing, clock, SmtpTimeouts.all(ioTimeout));
    }

    private Delivery(SmtpSettings settings, DeliveryStore store, MxRouting routing, Clock clock,
            SmtpTimeouts timeouts) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.counters = new DeliveryCounters(this::queueView);
        this.client = new SmtpClient(settings, routing, store, timeouts, counters);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("smtp-delivery-scheduler").daemon().factory());
        this.workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("smtp-delivery-", 0).factory());
        if (settings.connectionCacheTime().isPositive()) {
            // Idle connections are QUIT soon after their time is up, off the scheduler thread.
            long every = Math.clamp(settings.connectionCacheTime().toMillis() / 2, 10, 1000);
            scheduler.scheduleWithFixedDelay(() -> execute(client::closeExpired), every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Takes over the messages the spool recovered at start and begins delivering. */
    public void start(List<QueuedMessage> recovered) {
        for (QueuedMessage m : recovered) {
            queue.put(m.id(), m);
        }
        wake();
    }

    @Override
    public void queued(QueuedMessage m) {
        queue.put(m.id(), m);
        wake();
    }

    /** The queue now, oldest first (for {@code show smtp-queue}). */
    public List<QueuedMessage> queue() {
        return queue.values().stream().sorted(Comparator.comparing((QueuedMessage m) -> m.envelope().received(),
                Comparator.nullsFirst(Comparator.naturalOrder()))).toList();
    }

    /**
     * Tries the message now rather than at its next attempt ({@code isthmus smtp flush ID}).
     * False when there is no such message.
     */
    public boolean flush(String id) {
        QueuedMessage m = bringForward(id, clock.instant());
        if (m == null) {
            return false;
        }
        wake();
        return true;
    }

    /**
     * Tries every message now ({@code isthmus smtp flush}, after the outage of a destination has
     * ended); the messages being delivered at this moment go on as they are.
     *
     * @return how many messages were brought forward
     */
    public int flushAll() {
        Instant now = clock.instant();
        int moved = 0;
        for (String id : queue.keySet()) {
            if (!inFlight.contains(id) && bringForward(id, now) != null) {
                moved++;
            }
        }
        wake();
        return moved;
    }

    /** Next attempt at {@code now}, unless being delivered; null when there is no such message. */
    private QueuedMessage bringForward(String id, Instant now) {
        return queue.computeIfPresent(id, (k, v) -> inFlight.contains(k) ? v
                : new QueuedMessage(v.id(), v.envelope(), v.pending(), v.attempts(), now, v.lastError(), v.size()));
    }

    /** The message {@code id} as the queue holds it now, if any ({@code isthmus smtp flush|delete}'s answers). */
    public Optional<QueuedMessage> message(String id) {
        return Optional.ofNullable(queue.get(id));
    }

    /** An attempt of {@code id} is under way at this moment (so {@link #delete} refuses it for now). */
    public boolean delivering(String id) {
        return inFlight.contains(id);
    }

    /**
     * Whether {@code id} can name a queued message at all: letters and digits only, so that
     * nothing an operator types reaches the spool as a path.
     */
    public static boolean isQueueId(String id) {
        return SpoolId.isValid(id);
    }

    /**
     * Removes the message from the queue and the spool without delivering it nor telling the
     * sender ({@code isthmus smtp delete ID}). False when there is no such message, or it is
     * being delivered at this moment (its attempt would write it back).
     */
    public boolean delete(String id) {
        QueuedMessage m = queue.get(id);
        if (m == null || !inFlight.add(id)) {
            return false;
        }
        try {
            store.remove(m);
            queue.remove(id);
            LOG.log(System.Logger.Level.INFO, "smtp: " + id + ": removed by the operator");
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "smtp: " + id + ": cannot remove from the spool: " + e.getMessage());
            return false;
        } finally {
            inFlight.remove(id);
        }
    }

    public DeliveryCounters counters() {
        return counters;
    }

    /**
     * Stops scheduling and interrupts attempts under way (their messages stay in the spool as they
     * were), then QUITs the idle connections.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.closeConnections();
    }

    /** Idle connections kept for reuse now (tests). */
    int idleConnections() {
        return client.idleConnections();
    }

    private void execute(Runnable task) {
        try {
            workers.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: close() QUITs what is left
        }
    }

    /** Asks the scheduler to look at the queue now (a message came, an attempt ended, the clock moved). */
    void wake() {
        if (!scheduler.isShutdown() && dispatchQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::dispatch);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                dispatchQueued.set(false);
                // closing: nothing more to schedule
            }
        }
    }

    /** On the scheduler thread: starts every due message (within the bound), then sleeps until the next is due. */
    private void dispatch() {
        dispatchQueued.set(false); // a wake from now on queues another pass
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            return; // every ending attempt wakes the scheduler
        }
        Instant now = clock.instant();
        Instant earliest = null;
        List<QueuedMessage> due = new ArrayList<>();
        for (QueuedMessage m : queue.values()) {
            if (inFlight.contains(m.id())) {
                continue;
            }
            if (!m.nextAttempt().isAfter(now)) {
                due.add(m);
            } else if (earliest == null || m.nextAttempt().isBefore(earliest)) {
                earliest = m.nextAttempt();
            }
        }
        // Oldest first, taken one by one from a heap: of a backlog only the few that find a free
        // connection start, so the rest is never sorted.
        PriorityQueue<QueuedMessage> byTime = new PriorityQueue<>(due.size() + 1, BY_NEXT_ATTEMPT);
        byTime.addAll(due);
        Set<String> full = new HashSet<>();
        for (QueuedMessage m; (m = byTime.poll()) != null; ) {
            if (inFlight.size() >= MAX_IN_FLIGHT) {
                break; // an ending attempt wakes the scheduler again
            }
            if (saturated(m, full)) {
                // Its destinations have no free connection: starting it would only park a thread
                // and take a place of MAX_IN_FLIGHT from mail to other destinations. The attempt
                // that frees a slot wakes the scheduler.
                continue;
            }
            if (inFlight.add(m.id())) {
                QueuedMessage started = m;
                workers.execute(() -> attempt(started));
            }
        }
        if (nextWake != null) {
            nextWake.cancel(false);
        }
        Duration sleep = earliest == null ? MAX_SLEEP : Duration.between(now, earliest);
        if (sleep.compareTo(MAX_SLEEP) > 0) {
            sleep = MAX_SLEEP;
        }
        nextWake = scheduler.schedule(this::dispatch, Math.max(1, sleep.toMillis()), TimeUnit.MILLISECONDS);
    }

    /**
     * Every destination of the message is at its connection limit now. {@code full} holds the
     * destinations found at their limit earlier in this pass (one that frees a slot meanwhile
     * wakes the scheduler for another pass).
     */
    private boolean saturated(QueuedMessage m, Set<String> full) {
        for (String d : byDestination(m.pending()).keySet()) {
            if (full.contains(d)) {
                continue;
            }
            Semaphore slots = destinations.get(d);
            if (slots == null || slots.availablePermits() > 0) {
                return false;
            }
            full.add(d);
        }
        return true;
    }

    /** On a worker: one attempt of every pending recipient, destination by destination. */
    private void attempt(QueuedMessage m) {
        try {
            List<RecipientResult> results = new ArrayList<>();
            for (Map.Entry<String, List<String>> d : byDestination(m.pending()).entrySet()) {
                Semaphore slots = destinations.computeIfAbsent(d.getKey(),
                        k -> new Semaphore(settings.perDestinationConcurrency()));
                slots.acquire();
                try {
                    counters.attempt();
                    results.addAll(client.deliver(m, d.getKey(), d.getValue()));
                } finally {
                    slots.release();
                }
            }
            finish(m, results);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing: the spool keeps the message as it was
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "smtp: " + m.id() + ": attempt failed", e);
        } finally {
            inFlight.remove(m.id());
            wake();
        }
    }

    /**
     * Recipients grouped by where they go: their domain (RFC 5321 §5.1: the domain decides the
     * MX), or all together to the smarthost. Domains compare case-insensitively (§2.4).
     */
    private Map<String, List<String>> byDestination(List<String> recipients) {
        Map<String, List<String>> by = new LinkedHashMap<>();
        for (String r : recipients) {
            String key = settings.smarthost() != null ? SmtpClient.SMARTHOST : domainOf(r);
            by.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        return by;
    }

    static String domainOf(String mailbox) {
        int at = mailbox.lastIndexOf('@');
        return at < 0 ? "" : mailbox.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** Logs, counts, bounces, and writes the message's new state (or removes it when done). */
    private void finish(QueuedMessage m, List<RecipientResult> results) {
        Instant now = clock.instant();
        Instant arrived = m.envelope().received() != null ? m.envelope().received() : now;
        boolean expired = Duration.between(arrived, now).compareTo(settings.maxQueueLifetime()) >= 0;
        List<RecipientResult> reported = new ArrayList<>();
        List<String> stillPending = new ArrayList<>();
        String lastError = null;
        for (RecipientResult r : results) {
            RecipientResult r2 = r;
            if (r.status() == Status.DEFERRED && expired) {
                // RFC 5321 §4.5.4.1: give up after the queue lifetime, and say why in the DSN.
                r2 = new RecipientResult(r.recipient(), Status.BOUNCED, r.relay(), r.remoteMta(),
                        r.reply(), r.fromServer(), r.connectionUse(), r.nextHopDsn());
                lastError = "delivery temporarily suspended, given up after " + settings.maxQueueLifetime();
            }
            LOG.log(System.Logger.Level.INFO, AttemptLog.line(m, r2, arrived, now, expired));
            if (Dsn.owed(m.envelope(), r2)) {
                reported.add(r2);
            }
            switch (r2.status()) {
                case SENT -> counters.delivered(1);
                case DEFERRED -> {
                    counters.deferred(1);
                    stillPending.add(r2.recipient());
                    lastError = r2.reply();
                }
                case BOUNCED -> counters.bounced(1);
            }
        }
        if (!reported.isEmpty()) {
            notifySender(m, reported, arrived, expired);
        }
        try {
            if (stillPending.isEmpty()) {
                store.remove(m);
                queue.remove(m.id());
            } else {
                int attempts = m.attempts() + 1;
                QueuedMessage next = new QueuedMessage(m.id(), m.envelope(), stillPending, attempts,
                        now.plus(Backoff.after(attempts, settings.firstRetry(), settings.maxRetryInterval())),
                        lastError, m.size());
                store.update(next);
                queue.put(m.id(), next);
            }
        } catch (IOException e) {
            // The spool keeps the older state: after a restart those recipients are tried again
            // (at-least-once, RFC 5321 §6.1 prefers a duplicate to a loss).
            LOG.log(System.Logger.Level.WARNING, "smtp: " + m.id() + ": cannot write its state: " + e.getMessage());
            queue.remove(m.id());
        }
    }

    /** RFC 3461 §6.2, RFC 5321 §6.1: a DSN to the reverse-path, never when it is null (no loops of bounces). */
    private void notifySender(QueuedMessage m, List<RecipientResult> reported, Instant arrived, boolean expired) {
        if (m.envelope().reversePath().isEmpty()) {
            return;
        }
        try {
            byte[] report = new Dsn(settings.hostname(), clock).build(m, reported, arrived, store);
            // The report holds 8-bit text only when it returns an 8-bit original whole (RET=FULL).
            boolean eight = m.envelope().body8bit() && Dsn.returnsContent(m.envelope(), reported);
            Envelope env = new Envelope("", List.of(m.envelope().reversePath()),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), settings.hostname(), null,
                    m.envelope().smtputf8() || !isAscii(m.envelope().reversePath()), eight, null);
            QueuedMessage dsn = store.enqueue(env, report);
            counters.dsn();
            // Postfix's words: "non-delivery" for a bounce, "delivery status" for a relayed report.
            boolean bounce = reported.stream().anyMatch(r -> r.status() == Status.BOUNCED);
            LOG.log(System.Logger.Level.INFO, "smtp: " + m.id() + ": sender " + (bounce ? "non-delivery" : "delivery status")
                    + " notification: " + dsn.id());
            queued(dsn);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "smtp: " + m.id() + ": cannot queue its DSN: " + e.getMessage());
        }
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private DeliveryCounters.QueueView queueView() {
        Instant oldest = null;
        for (QueuedMessage m : queue.values()) {
            Instant r = m.envelope().received();
            if (r != null && (oldest == null || r.isBefore(oldest))) {
                oldest = r;
            }
        }
        return new DeliveryCounters.QueueView(queue.size(), oldest, clock.instant());
    }
}
