package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.dataplane.DataplaneSettings;
import dev.isthmus.xlat.XlatSettings;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The validated {@code [dataplane]} section: the TUN device and how {@code isthmus run} drives it.
 * When the file has no such section every key takes its default ({@link #DEFAULT}).
 *
 * @param device TUN device name
 * @param workers worker threads (= TUN queues), 0 = one per available processor
 * @param manageRoutes bring the device up, add routes and addresses on start, remove them on exit
 * @param offload virtio-net header with checksum and segmentation offload
 * @param mtu the TUN device's MTU
 * @param routes4 extra IPv4 prefixes routed into the device
 * @param routes6 extra IPv6 prefixes routed into the device
 */
public record DataplaneConfig(
        String device,
        int workers,
        boolean manageRoutes,
        boolean offload,
        int mtu,
        List<Ipv4Prefix> routes4,
        List<Ipv6Prefix> routes6) {

    public static final String DEFAULT_DEVICE = DataplaneSettings.DEFAULT_DEVICE;
    public static final int DEFAULT_MTU = DataplaneSettings.DEFAULT_MTU;
    public static final DataplaneConfig DEFAULT =
            new DataplaneConfig(DEFAULT_DEVICE, 0, true, true, DEFAULT_MTU, List.of(), List.of());

    public DataplaneConfig {
        routes4 = List.copyOf(routes4);
        routes6 = List.copyOf(routes6);
    }

    /** The data plane's settings, with the translator's. */
    public DataplaneSettings toDataplaneSettings(XlatSettings xlat) {
        return new DataplaneSettings(device, workers, manageRoutes, offload, mtu, routes4, routes6, xlat);
    }

    /** The section as TOML, every default written out. */
    public String render() {
        String routes = Stream.concat(routes4.stream().map(Object::toString), routes6.stream().map(Object::toString))
                .map(r -> "\"" + r + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
        return "[dataplane]\n"
                + "device = \"" + device + "\"\n"
                + "workers = " + workers + "\n"
                + "manage-routes = " + manageRoutes + "\n"
                + "offload = " + offload + "\n"
                + "mtu = " + mtu + "\n"
                + "routes = " + routes + "\n";
    }
}
