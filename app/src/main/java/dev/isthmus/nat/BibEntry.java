package dev.isthmus.nat;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;

/** One BIB entry as {@code show bib} prints it: (X',x) ↔ (T,t). A snapshot, not live. */
public record BibEntry(NatProtocol protocol, Ipv6Address x6, int x6Port, int t4, int t4Port, boolean isStatic,
        int sessions) {
    @Override
    public String toString() {
        return protocol.key() + " [" + x6 + "]:" + x6Port + " <-> " + Ipv4Address.format(t4) + ":" + t4Port
                + (isStatic ? " static" : "") + " sessions=" + sessions;
    }
}
