package dev.isthmus.nat;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;

/**
 * One session as {@code show sessions} prints it: (X',x),(Y',y) ↔ (T,t),(Z,z), Y' being Pref64::Z
 * (the caller embeds it with its prefix). A snapshot, not live.
 *
 * @param expiresInMillis lifetime left at the snapshot's time (never negative)
 */
public record SessionEntry(NatProtocol protocol, Ipv6Address x6, int x6Port, int t4, int t4Port, int z4,
        int z4Port, TcpState state, long expiresInMillis) {
    @Override
    public String toString() {
        return protocol.key() + " [" + x6 + "]:" + x6Port + " " + Ipv4Address.format(t4) + ":" + t4Port + " -> "
                + Ipv4Address.format(z4) + ":" + z4Port
                + (protocol == NatProtocol.TCP ? " " + state.label() : "") + " expires=" + expiresInMillis + "ms";
    }
}
