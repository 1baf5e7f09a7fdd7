package dev.isthmus.dns64;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/**
 * The recursive resolvers behind the DNS64, asked in order. dnsjava's {@link SimpleResolver}
 * does the transport: it checks the ID and question of the answer and, when the answer is
 * truncated (TC), asks again over TCP (RFC 7766 §5, RFC 6147 §5.4).
 */
final class ResolverUpstream implements Upstream {
    /**
     * RFC 6891 §6.2.5 and the 2020 DNS flag day: 1232 bytes fit an IPv6 packet without
     * fragmentation on any path; a larger answer comes truncated and is then fetched over TCP.
     */
    static final int UDP_PAYLOAD = 1232;

    private final List<SimpleResolver> resolvers;
    private final Duration timeout;
    private final Dns64Counters counters;

    ResolverUpstream(List<InetSocketAddress> servers, Duration timeout, Dns64Counters counters) {
        this.resolvers = servers.stream().map(a -> {
            SimpleResolver r = new SimpleResolver(a);
            r.setTimeout(timeout);
            return r;
        }).toList();
        this.timeout = timeout;
        this.counters = counters;
    }

    @Override
    public Message ask(Name name, int type, int dclass, boolean checkingDisabled, boolean dnssecOk) {
        for (SimpleResolver r : resolvers) {
            Message query = Message.newQuery(Record.newRecord(name, type, dclass));
            if (checkingDisabled) {
                query.getHeader().setFlag(Flags.CD);
            }
            query.addRecord(new OPTRecord(UDP_PAYLOAD, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
            counters.count(Dns64Counter.UPSTREAM_QUERIES);
            try {
                // The resolver's own timeout ends the future; the extra second only guards
                // against a future that is never completed.
                return r.sendAsync(query).toCompletableFuture()
                        .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                counters.count(Dns64Counter.UPSTREAM_TIMEOUTS);
            } catch (ExecutionException e) {
                counters.count(e.getCause() instanceof java.io.IOException io && isTimeout(io)
                        ? Dns64Counter.UPSTREAM_TIMEOUTS : Dns64Counter.UPSTREAM_ERRORS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static boolean isTimeout(java.io.IOException e) {
        return e instanceof java.net.SocketTimeoutException
                || e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timed out");
    }
}
