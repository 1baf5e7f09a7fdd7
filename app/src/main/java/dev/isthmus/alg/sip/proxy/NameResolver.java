package dev.isthmus.alg.sip.proxy;

import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Host names of next hops, resolved by the system's resolver ({@code /etc/hosts}, then DNS, A and
 * AAAA) on threads of its own, never on the proxy's event loop, which a slow DNS server would stall
 * for every call. Bounded: {@link #THREADS} lookups at once, {@link #QUEUE} waiting; beyond that a
 * request is refused. The JDK caches answers (30 s by default, {@code networkaddress.cache.ttl}).
 */
final class NameResolver implements AutoCloseable {
    static final int THREADS = 4;
    static final int QUEUE = 1_000;

    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "sip-resolver");
                t.setDaemon(true);
                return t;
            });

    /**
     * Resolves {@code host}, then runs {@code then} on {@code loop} with its addresses (empty when
     * it does not resolve); false, and nothing run, when too many lookups wait already.
     */
    boolean resolve(String host, EventLoop loop, Consumer<List<InetAddress>> then) {
        try {
            pool.execute(() -> {
                List<InetAddress> found;
                try {
                    found = List.of(InetAddress.getAllByName(host));
                } catch (UnknownHostException | SecurityException e) {
                    found = List.of();
                }
                List<InetAddress> addresses = found;
                loop.execute(() -> then.accept(addresses));
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
