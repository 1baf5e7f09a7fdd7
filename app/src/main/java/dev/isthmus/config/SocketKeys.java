package dev.isthmus.config;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.Families;
import dev.isthmus.addr.PortSet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;

/**
 * Reading the value kinds the socket-plane sections ({@code [[relay]]}, {@code [http]}) share:
 * addresses with ports, prefix lists, port lists, durations in seconds. Each records a positioned
 * error and returns null (or the default) on a bad value, like {@link TableReader}.
 */
final class SocketKeys {
    private SocketKeys() {}

    /** {@code ADDRESS:PORT} (literal address); the default when absent. */
    static InetSocketAddress address(TableReader t, String key, InetSocketAddress dflt) {
        String text = t.string(key);
        if (text == null) {
            return dflt;
        }
        try {
            return ControlSection.listenAddress(text);
        } catch (IllegalArgumentException e) {
            t.error(key, e.getMessage());
            return null;
        }
    }

    /** As {@link #address} but the key must be there. */
    static InetSocketAddress requiredAddress(TableReader t, String key) {
        if (!t.has(key)) {
            t.errorHere("missing key \"" + key + "\"");
            return null;
        }
        return address(t, key, null);
    }

    /**
     * {@code listen}: one {@code ADDRESS:PORT} or an array of them, each registered with
     * {@code listeners} (which reports two services on one port) for {@code transports}; {@code dflt}
     * when the key is absent.
     *
     * @param owner the service, for the listeners' messages ("smtp", "turn")
     * @param empty the error for an empty array: what the service would then do
     */
    static List<InetSocketAddress> listen(TableReader t, Listeners listeners, String owner,
            Set<Listeners.Transport> transports, String dflt, String empty) {
        List<InetSocketAddress> out = new ArrayList<>();
        Object v = t.raw("listen");
        if (v == null) {
            InetSocketAddress a = ControlSection.listenAddress(dflt);
            listeners.addDefault(owner, transports, a, t.position(), t.keyPath("listen"));
            return List.of(a);
        }
        if (v instanceof String) {
            InetSocketAddress a = address(t, "listen", null);
            if (a != null) {
                listeners.add(owner, transports, a, t.positionOf("listen"), t.keyPath("listen"));
                out.add(a);
            }
            return out;
        }
        List<String> texts = strings(t, "listen");
        if (texts == null) {
            return out;
        }
        if (texts.isEmpty()) {
            t.error("listen", empty);
        }
        TomlArray a = t.array("listen");
        for (int i = 0; i < texts.size(); i++) {
            String key = t.keyPath("listen") + "[" + i + "]";
            TomlPosition at = a.inputPositionOf(i) != null ? a.inputPositionOf(i) : t.positionOf("listen");
            try {
                InetSocketAddress addr = ControlSection.listenAddress(texts.get(i));
                listeners.add(key, transports, addr, at, key);
                out.add(addr);
            } catch (IllegalArgumentException e) {
                t.problems().add(at, key, e.getMessage());
            }
        }
        return out;
    }

    /** An array of strings; null when absent or wrong (each wrong element is an error). */
    static List<String> strings(TableReader t, String key) {
        TomlArray a = t.array(key);
        if (a == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) instanceof String s) {
                out.add(s);
            } else {
                t.problems().add(position(t, a, i, key), t.keyPath(key) + "[" + i + "]",
                        "expected a string, got " + TableReader.describe(a.get(i)));
                return null;
            }
        }
        return out;
    }

    /**
     * A list of prefixes or addresses ({@code ["2001:db8:6::/64", "192.0.2.7"]}).
     *
     * @param required whether the key must be there and name at least one network: the allow
     *     lists, which have no default because "everyone" must be said, never assumed
     */
    static AddressSet prefixes(TableReader t, String key, boolean required) {
        if (!t.has(key)) {
            if (required) {
                t.errorHere("missing key \"" + key + "\": list the client networks that may use it"
                        + " (for example [\"2001:db8:6::/64\"]; [\"::/0\", \"0.0.0.0/0\"] is everyone)");
            }
            return AddressSet.NONE;
        }
        List<String> texts = strings(t, key);
        if (texts == null) {
            return AddressSet.NONE;
        }
        if (required && texts.isEmpty()) {
            t.error(key, "is empty: nobody could use it; list the client networks that may");
            return AddressSet.NONE;
        }
        for (String s : texts) {
            try {
                if (s.indexOf(':') >= 0) {
                    AddressText.ipv6Prefix(s, true);
                } else {
                    AddressText.ipv4Prefix(s, true);
                }
            } catch (IllegalArgumentException e) {
                t.error(key, e.getMessage());
                return AddressSet.NONE;
            }
        }
        return AddressSet.parse(texts);
    }

    /** A list of ports 1..65535; the default when absent. */
    static Set<Integer> ports(TableReader t, String key, Set<Integer> dflt) {
        TomlArray a = t.array(key);
        if (a == null) {
            return dflt;
        }
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) instanceof Long l && l >= 1 && l <= 65535) {
                out.add((int) (long) l);
            } else {
                t.problems().add(position(t, a, i, key), t.keyPath(key) + "[" + i + "]",
                        "expected a port 1..65535, got " + TableReader.describe(a.get(i)));
            }
        }
        return out;
    }

    /**
     * A set of ports: each element a port 1..65535 or a string {@code "FIRST-LAST"} (or a lone
     * port as a string); the default when absent.
     */
    static PortSet portSet(TableReader t, String key, PortSet dflt) {
        TomlArray a = t.array(key);
        if (a == null) {
            return dflt;
        }
        PortSet out = PortSet.NONE;
        for (int i = 0; i < a.size(); i++) {
            Object v = a.get(i);
            int first = -1;
            int last = -1;
            if (v instanceof Long l && l >= 1 && l <= 65535) {
                first = (int) (long) l;
                last = first;
            } else if (v instanceof String s && s.matches("[0-9]{1,5}(-[0-9]{1,5})?")) {
                int dash = s.indexOf('-');
                first = Integer.parseInt(dash < 0 ? s : s.substring(0, dash));
                last = dash < 0 ? first : Integer.parseInt(s.substring(dash + 1));
            }
            if (first >= 1 && last <= 65535 && first <= last) {
                out = out.with(first, last);
            } else {
                t.problems().add(position(t, a, i, key), t.keyPath(key) + "[" + i + "]",
                        "expected a port 1..65535 or a range \"FIRST-LAST\" within it, got " + TableReader.describe(v));
            }
        }
        return out;
    }

    /** Whole seconds in {@code [1, max]}. */
    static Duration seconds(TableReader t, String key, Duration dflt, int max) {
        return Duration.ofSeconds(t.intIn(key, 1, max, (int) dflt.toSeconds()));
    }

    private static TomlPosition position(TableReader t, TomlArray a, int i, String key) {
        TomlPosition p = a.inputPositionOf(i);
        return p != null ? p : t.positionOf(key);
    }

    /** A TOML string array of {@code items}. */
    static String array(java.util.Collection<?> items) {
        List<String> q = new ArrayList<>();
        for (Object o : items) {
            q.add(o instanceof String s ? "\"" + s + "\"" : o.toString());
        }
        return "[" + String.join(", ", q) + "]";
    }

    static String text(InetSocketAddress a) {
        return "\"" + Families.text(a) + "\"";
    }
}
