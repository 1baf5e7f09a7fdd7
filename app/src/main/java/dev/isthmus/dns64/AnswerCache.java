package dev.isthmus.dns64;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.xbill.DNS.Name;

/**
 * Answers by question, each kept for its TTL ({@link CachedAnswer}), at most {@code capacity}
 * of them (least recently used first out), so memory stays bounded whatever the clients ask.
 * Identical questions that arrive while one is being resolved wait for that one instead of
 * asking upstream again.
 */
final class AnswerCache {
    /**
     * What an answer depends on besides the name: the client's CD and DO bits change the
     * upstream question and the records returned (RFC 6147 §5.5), and EDNS0 whether an OPT
     * record is in the answer (RFC 6891 §7). {@link Name#equals} ignores letter case.
     */
    record Key(Name name, int type, int dclass, boolean checkingDisabled, boolean dnssecOk, boolean edns) {}

    private final int capacity;
    private final Map<Key, CachedAnswer> entries;
    private final ConcurrentHashMap<Key, CompletableFuture<CachedAnswer>> inflight = new ConcurrentHashMap<>();
    private final Dns64Counters counters;

    AnswerCache(int capacity, Dns64Counters counters) {
        this.capacity = capacity;
        this.counters = counters;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, CachedAnswer> eldest) {
                return size() > AnswerCache.this.capacity;
            }
        };
    }

    /** The cached answer, or null when there is none or it has expired. */
    CachedAnswer get(Key key, long nowNanos) {
        synchronized (entries) {
            CachedAnswer a = entries.get(key);
            if (a != null && a.expired(nowNanos)) {
                entries.remove(key);
                return null;
            }
            return a;
        }
    }

    /**
     * The answer for {@code key}: resolved by {@code resolve}, or, when the same key is already
     * being resolved, that resolution's answer. A cacheable answer is stored before anyone
     * waiting for it is told.
     */
    CompletableFuture<CachedAnswer> resolve(Key key, Supplier<CompletableFuture<CachedAnswer>> resolve) {
        CompletableFuture<CachedAnswer> mine = new CompletableFuture<>();
        CompletableFuture<CachedAnswer> other = inflight.putIfAbsent(key, mine);
        if (other != null) {
            counters.count(Dns64Counter.COALESCED);
            return other;
        }
        CompletableFuture<CachedAnswer> resolving;
        try {
            resolving = resolve.get();
        } catch (RuntimeException e) {
            resolving = CompletableFuture.failedFuture(e);
        }
        resolving.whenComplete((a, e) -> {
            if (e == null && a.cacheable() && capacity > 0) {
                synchronized (entries) {
                    entries.put(key, a);
                }
            }
            inflight.remove(key, mine);
            if (e != null) {
                mine.completeExceptionally(e);
            } else {
                mine.complete(a);
            }
        });
        return mine;
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
