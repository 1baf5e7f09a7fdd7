package dev.isthmus.dns64;

import java.util.Arrays;
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
     * What an answer depends on: the question (name, type, class) and the client's CD and DO
     * bits, which change the upstream question and the records returned (RFC 6147 §5.5), and
     * EDNS0, which decides whether an OPT record is in the answer (RFC 6891 §7). Held as bytes:
     * the question in wire form with the name in lower case (the form {@link
     * Name#toWireCanonical} gives, RFC 4034 §6.2; names compare without regard to case, RFC 1035
     * §2.3.3), then one byte of bits. So a key can be made from a parsed question and, without
     * any parse, from a query's own question bytes ({@link PlainQuery}), and the two are equal.
     */
    static final class Key {
        private static final int CD = 1;
        private static final int DO = 2;
        private static final int EDNS = 4;

        private final byte[] bytes;
        private final int hash;

        private Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        static Key of(Name name, int type, int dclass, boolean checkingDisabled, boolean dnssecOk, boolean edns) {
            byte[] n = name.toWireCanonical();
            byte[] b = Arrays.copyOf(n, n.length + 5);
            b[n.length] = (byte) (type >>> 8);
            b[n.length + 1] = (byte) type;
            b[n.length + 2] = (byte) (dclass >>> 8);
            b[n.length + 3] = (byte) dclass;
            b[n.length + 4] = bits(checkingDisabled, dnssecOk, edns);
            return new Key(b);
        }

        /**
         * From the uncompressed question (name, type, class) at {@code from} up to {@code to} in
         * {@code m}: the name's ASCII capitals made small, as {@link Name} compares them.
         */
        static Key ofWire(byte[] m, int from, int to, boolean checkingDisabled, boolean dnssecOk, boolean edns) {
            byte[] b = new byte[to - from + 1];
            int nameEnd = to - from - 4;
            for (int i = 0; i < nameEnd; i++) {
                byte c = m[from + i];
                b[i] = c >= 'A' && c <= 'Z' ? (byte) (c + ('a' - 'A')) : c;
            }
            System.arraycopy(m, from + nameEnd, b, nameEnd, 4);
            b[b.length - 1] = bits(checkingDisabled, dnssecOk, edns);
            return new Key(b);
        }

        private static byte bits(boolean checkingDisabled, boolean dnssecOk, boolean edns) {
            return (byte) ((checkingDisabled ? CD : 0) | (dnssecOk ? DO : 0) | (edns ? EDNS : 0));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return java.util.HexFormat.of().formatHex(bytes);
        }
    }

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
