package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The addresses of this host's interfaces, for "never connect to the gateway itself": a relay or
 * proxy told to connect to one of its own addresses would loop or expose services that listen
 * only for local users. Read again at most every {@value #REFRESH_SECONDS} s (addresses change
 * with DHCP and SLAAC; enumerating the interfaces on every connection would cost too much).
 */
public final class LocalAddresses {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.relay");
    static final long REFRESH_SECONDS = 10;

    private final Supplier<Set<InetAddress>> source;
    private volatile Set<InetAddress> addresses = Set.of();
    private volatile long readAt = Long.MIN_VALUE;

    /** This host's interface addresses. */
    public LocalAddresses() {
        this(LocalAddresses::read);
    }

    /** The addresses {@code source} gives (a test's own "host"). */
    LocalAddresses(Supplier<Set<InetAddress>> source) {
        this.source = source;
    }

    public boolean isLocal(InetAddress a) {
        long now = System.nanoTime();
        if (readAt == Long.MIN_VALUE || now - readAt > REFRESH_SECONDS * 1_000_000_000L) {
            addresses = source.get();
            readAt = now;
        }
        return addresses.contains(AddressSet.unmapped(a));
    }

    private static Set<InetAddress> read() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    // Drop the scope (fe80::1%eth0): lookups compare the bare address.
                    out.add(InetAddress.getByAddress(a.getAddress()));
                }
            }
        } catch (SocketException | java.net.UnknownHostException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list the interface addresses: " + e.getMessage());
        }
        return Set.copyOf(out);
    }
}
