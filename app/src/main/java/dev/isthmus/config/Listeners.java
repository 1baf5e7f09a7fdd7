package dev.isthmus.config;

import dev.isthmus.relay.Families;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.tomlj.TomlPosition;

/**
 * Every address and port the config listens on, with the place in the file that sets it, so that
 * two listeners on one address and port are a config error naming both places. At start the second
 * bind would fail with EADDRINUSE, after the services before it had started.
 *
 * <p>Only the same address counts: a wildcard ({@code [::]:53}) and a specific address on the same
 * port may or may not clash, depending on the socket options of both, and are left to the bind
 * error, which names the address.
 */
final class Listeners {

    enum Transport { UDP, TCP }

    /**
     * @param owner listeners with one owner share their socket ([http]'s forward proxy and sites
     *     on one address), others each bind a socket of their own
     * @param dflt the address is the key's default, not written in the file; {@code at} is then the
     *     table's header
     */
    private record Listener(String owner, Set<Transport> transports, InetSocketAddress address, TomlPosition at,
            String key, boolean dflt) {}

    private final List<Listener> all = new ArrayList<>();

    /** A listener the file writes at {@code at} (the position of {@code key}). */
    void add(String owner, Set<Transport> transports, InetSocketAddress address, TomlPosition at, String key) {
        all.add(new Listener(owner, transports, address, at, key, false));
    }

    /** A listener at the default of {@code key}, which the table at {@code header} leaves out. */
    void addDefault(String owner, Set<Transport> transports, InetSocketAddress address, TomlPosition header,
            String key) {
        all.add(new Listener(owner, transports, address, header, key, true));
    }

    /** Records an error at each listener whose address and port an earlier one in the file has. */
    void report(Problems problems) {
        List<Listener> inFileOrder = new ArrayList<>(all);
        inFileOrder.sort(Comparator.comparingInt((Listener l) -> problems.fileLine(l.at()))
                .thenComparingInt(l -> l.at() == null ? 0 : l.at().column()));
        for (int i = 1; i < inFileOrder.size(); i++) {
            Listener later = inFileOrder.get(i);
            for (Listener earlier : inFileOrder.subList(0, i)) {
                Set<Transport> both = EnumSet.copyOf(later.transports());
                both.retainAll(earlier.transports());
                if (!both.isEmpty() && earlier.address().equals(later.address()) && !earlier.owner().equals(later.owner())) {
                    problems.add(later.at(), later.key(), (later.dflt() ? "(the default) " : "") + "listens on "
                            + both.stream().map(Transport::name).collect(Collectors.joining(" and ")) + " "
                            + Families.text(later.address()) + ", as " + earlier.key() + " does ("
                            + (earlier.dflt() ? "the default, " : "") + "line " + problems.fileLine(earlier.at())
                            + "): two sockets cannot listen on one address and port");
                    break;
                }
            }
        }
    }
}
