package dev.isthmus.dataplane;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.xlat.XlatSettings;
import java.util.List;
import java.util.Objects;

/**
 * Everything the live data plane needs, fixed for its lifetime. Built by {@code config} (the way
 * {@code SiitConfig.toXlatSettings()} builds {@link XlatSettings}); the data plane never reads the
 * configuration model itself.
 *
 * @param device TUN device name (1..15 characters of {@code [A-Za-z0-9_.-]})
 * @param workers worker threads = TUN queues; 0 means one per available processor
 * @param manageRoutes bring the device up with {@code mtu}, add the routes (and the host address
 *     for local traffic) on start and remove exactly those on stop
 * @param offload open the device with a virtio-net header and offer checksum/TSO/USO offload
 * @param mtu the TUN device's MTU
 * @param routes4 IPv4 prefixes routed into the device besides the EAM IPv4 prefixes
 * @param routes6 IPv6 prefixes routed into the device besides pool6
 * @param xlat the translator's settings (pool6 and the EAM table also say what to route)
 * @param stateful the workers run stateful NAT64: the host's own traffic to pool6 leaves from its
 *     own addresses like any subscriber's, so no pool6-embedded host address is added
 */
public record DataplaneSettings(
        String device,
        int workers,
        boolean manageRoutes,
        boolean offload,
        int mtu,
        List<Ipv4Prefix> routes4,
        List<Ipv6Prefix> routes6,
        XlatSettings xlat,
        boolean stateful) {

    public static final String DEFAULT_DEVICE = "isthmus0";
    public static final int DEFAULT_MTU = 1500;

    public DataplaneSettings {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(xlat, "xlat");
        routes4 = List.copyOf(routes4);
        routes6 = List.copyOf(routes6);
        if (!TunDevice.validName(device)) {
            throw new IllegalArgumentException("invalid device name \"" + device
                    + "\": 1 to 15 characters of A-Z a-z 0-9 _ . -");
        }
        if (workers < 0 || workers > TunDevice.MAX_QUEUES) {
            throw new IllegalArgumentException("workers " + workers + " is out of range 0.." + TunDevice.MAX_QUEUES);
        }
        if (mtu < 1280 || mtu > 65535) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range 1280..65535");
        }
    }

    /** Stateless translation. */
    public DataplaneSettings(String device, int workers, boolean manageRoutes, boolean offload, int mtu,
            List<Ipv4Prefix> routes4, List<Ipv6Prefix> routes6, XlatSettings xlat) {
        this(device, workers, manageRoutes, offload, mtu, routes4, routes6, xlat, false);
    }

    /** The same settings for another device (the {@code --device} option). */
    public DataplaneSettings withDevice(String name) {
        return new DataplaneSettings(name, workers, manageRoutes, offload, mtu, routes4, routes6, xlat, stateful);
    }

    /** True when {@code name} is a valid TUN device name. */
    public static boolean validDeviceName(String name) {
        return TunDevice.validName(name);
    }

    /** The number of workers to start: {@link #workers}, or one per available processor when 0. */
    public int effectiveWorkers() {
        return workers > 0 ? workers : Math.max(1, Math.min(TunDevice.MAX_QUEUES, Runtime.getRuntime().availableProcessors()));
    }
}
