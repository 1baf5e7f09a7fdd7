package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.dataplane.DataplaneSettings;
import java.util.ArrayList;
import java.util.List;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;

/** Reads and validates the {@code [dataplane]} section (docs/CONFIG.md lists every key). */
final class DataplaneSection {

    static final List<String> KEYS = List.of("device", "workers", "manage-routes", "offload", "mtu", "routes");

    /** linux/tun.c MAX_TAP_QUEUES: a TUN device has at most this many queues. */
    static final int MAX_WORKERS = 256;

    private DataplaneSection() {}

    /** The section's config, or null when it has errors (all of them recorded). */
    static DataplaneConfig read(TableReader t) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        String device = t.string("device");
        if (device == null) {
            device = DataplaneConfig.DEFAULT_DEVICE;
        } else if (!DataplaneSettings.validDeviceName(device)) {
            t.error("device", "\"" + device + "\" is not a valid interface name: 1 to 15 characters of"
                    + " A-Z a-z 0-9 _ . - (IFNAMSIZ is 16 with the terminating NUL)");
        }
        int workers = t.intIn("workers", 0, MAX_WORKERS, 0);
        boolean manageRoutes = t.bool("manage-routes", true);
        boolean offload = t.bool("offload", true);
        // RFC 8200 §5: an IPv6 link carries at least 1280 bytes; the TUN is one.
        int mtu = t.intIn("mtu", 1280, 65535, DataplaneConfig.DEFAULT_MTU);
        List<Ipv4Prefix> routes4 = new ArrayList<>();
        List<Ipv6Prefix> routes6 = new ArrayList<>();
        routes(t, routes4, routes6);
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new DataplaneConfig(device, workers, manageRoutes, offload, mtu, routes4, routes6);
    }

    private static void routes(TableReader t, List<Ipv4Prefix> routes4, List<Ipv6Prefix> routes6) {
        TomlArray a = t.array("routes");
        if (a == null) {
            return;
        }
        for (int i = 0; i < a.size(); i++) {
            TomlPosition at = a.inputPositionOf(i);
            String key = t.keyPath("routes") + "[" + i + "]";
            if (at == null) {
                at = t.positionOf("routes");
            }
            if (!(a.get(i) instanceof String text)) {
                t.problems().add(at, key, "expected a prefix string, got " + TableReader.describe(a.get(i)));
                continue;
            }
            try {
                if (text.indexOf(':') >= 0) {
                    routes6.add(AddressText.ipv6Prefix(text, false));
                } else {
                    routes4.add(AddressText.ipv4Prefix(text, false));
                }
            } catch (IllegalArgumentException e) {
                t.problems().add(at, key, e.getMessage());
            }
        }
    }
}
