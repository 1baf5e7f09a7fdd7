package dev.isthmus.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The file descriptors the socket plane's connections may hold, every relay and the HTTP gateway
 * together: the process's open-file limit less a {@linkplain #RESERVE reserve} for everything
 * else. A connection that would go past it is refused (at accept, before anything is read) or not
 * made, so a flood of connections can never drive the process to {@code EMFILE}: the control
 * socket, the DNS64 server and the JDK's own files (class loading, the virtual-thread poller)
 * keep their descriptors.
 *
 * <p>Counted, not looked up: every socket the socket plane accepts or opens takes one here and
 * gives it back when it closes, one atomic add each way. Counting {@code /proc/self/fd} at each
 * accept would read a directory of up to the limit's entries per connection, which is the very
 * cost a flood should not be able to multiply. The counter sees only the socket plane's sockets;
 * what else the process holds is what the reserve is for.
 */
public final class DescriptorBudget {
    /**
     * Descriptors kept for the rest of the process, beyond the socket plane's connections: the
     * JVM's own (its libraries and the classpath's jars, about 60), the listening sockets, the
     * event loops' epoll descriptors, the data plane's TUN queues, the control socket (16
     * connections at most) and the metrics endpoint, with room to spare. The DNS64 server's TCP
     * connections ({@code tcp-connections}) are added to it by the caller.
     */
    public static final int RESERVE = 256;

    /** No limit: what tests and tools that are not {@code isthmus run} get. */
    public static DescriptorBudget unlimited() {
        return new DescriptorBudget(Integer.MAX_VALUE);
    }

    private final int max;
    private final AtomicInteger used = new AtomicInteger();

    /** At most {@code max} sockets at once. */
    public DescriptorBudget(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a descriptor budget of " + max);
        }
        this.max = max;
    }

    /**
     * The budget under an open-file limit of {@code openFiles} with {@code reserve} kept back. A
     * limit too small for the reserve (a test's {@code ulimit -n}) still gives the socket plane
     * half of it rather than nothing.
     */
    public static DescriptorBudget of(long openFiles, int reserve) {
        long left = Math.max(openFiles - reserve, openFiles / 2);
        return new DescriptorBudget((int) Math.clamp(left, 1, Integer.MAX_VALUE));
    }

    public int max() {
        return max;
    }

    /** Sockets of the socket plane open now. */
    public int used() {
        return used.get();
    }

    /**
     * Takes a descriptor for {@code ch}, an accepted connection, given back when it closes; false
     * (nothing taken) when none is left: the caller closes it at once.
     */
    public boolean take(Channel ch) {
        if (!tryTake()) {
            return false;
        }
        ch.closeFuture().addListener(f -> used.decrementAndGet());
        return true;
    }

    /**
     * {@code make}, counted: each channel it makes takes a descriptor (given back when it closes),
     * and when none is left it makes none and throws {@link Exhausted}, which a bootstrap reports
     * as its connect future's cause.
     */
    public <C extends Channel> ChannelFactory<C> counted(ChannelFactory<C> make) {
        return () -> {
            if (!tryTake()) {
                throw new Exhausted(max);
            }
            C ch;
            try {
                ch = make.newChannel();
            } catch (RuntimeException | Error e) {
                used.decrementAndGet();
                throw e;
            }
            ch.closeFuture().addListener(f -> used.decrementAndGet());
            return ch;
        };
    }

    private boolean tryTake() {
        if (used.incrementAndGet() > max) {
            used.decrementAndGet();
            return false;
        }
        return true;
    }

    /** No descriptor left for one more socket of the socket plane. */
    public static final class Exhausted extends ChannelException {
        Exhausted(int max) {
            super(max + " sockets of the socket plane are open: the open-file limit less the reserve");
        }

        /** Thrown where a flood makes many: the message says all, a stack trace would only cost. */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
