package dev.isthmus.config;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** Reads and validates the {@code [control]} section (docs/CONFIG.md lists every key). */
final class ControlSection {

    static final List<String> KEYS = List.of("socket", "metrics", "allow-public-metrics");

    private ControlSection() {}

    /** The section's config, or null when it has errors (all of them recorded). */
    static ControlConfig read(TableReader t) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        Path socket = ControlConfig.DEFAULT_SOCKET;
        String s = t.string("socket");
        if (s != null) {
            try {
                socket = Path.of(s);
                if (!socket.isAbsolute() || s.indexOf('\0') >= 0) {
                    t.error("socket", "\"" + s + "\" is not an absolute path");
                }
            } catch (InvalidPathException e) {
                t.error("socket", "\"" + s + "\" is not a valid path: " + e.getReason());
            }
        }
        boolean allowPublic = t.bool("allow-public-metrics", false);
        InetSocketAddress metrics = null;
        String m = t.string("metrics");
        if (m != null) {
            try {
                metrics = listenAddress(m);
                if (!metrics.getAddress().isLoopbackAddress() && !allowPublic) {
                    t.error("metrics", "\"" + m + "\" is not a loopback address; metrics carry no authentication,"
                            + " so a public listener needs allow-public-metrics = true");
                }
            } catch (IllegalArgumentException e) {
                t.error("metrics", e.getMessage());
            }
        }
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new ControlConfig(socket, metrics);
    }

    /**
     * {@code a.b.c.d:port} or {@code [ipv6]:port}, literal addresses only (no name lookup at
     * config time).
     */
    static InetSocketAddress listenAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not ADDRESS:PORT (for example \"127.0.0.1:9464\")");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535 || !portText.matches("[0-9]+")) {
            throw new IllegalArgumentException("\"" + text + "\": port \"" + portText + "\" is not 1..65535");
        }
        byte[] bytes;
        try {
            if (host.startsWith("[") && host.endsWith("]")) {
                bytes = Ipv6Address.parse(host.substring(1, host.length() - 1)).toBytes();
            } else if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("\"" + text + "\": an IPv6 address needs brackets, as in \"[::1]:9464\"");
            } else {
                int a = Ipv4Address.parse(host);
                bytes = new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("\"" + text)) {
                throw e;
            }
            throw new IllegalArgumentException("\"" + text + "\": \"" + host + "\" is not an IP address literal"
                    + " (names are not looked up)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
