package dev.isthmus.alg.turn.server;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DestinationPolicy;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.TranslatedPrefixes;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which peers a client may relay to (RFC 8656 §21, security considerations: a TURN server must
 * not become a way into the networks behind it): the project's {@link DestinationPolicy} with private ranges
 * refused (loopback, RFC 1918, ULA, link-local, unspecified, multicast, the host's own addresses),
 * the server's relay addresses, and the IPv4/IPv6 translation prefixes of RFC 6052 §2.1
 * (64:ff9b::/96) and RFC 8215 (64:ff9b:1::/48), through which an IPv6 peer address could stand for
 * any of those IPv4 ones. {@code allow-peers} lists the operator's exceptions.
 */
final class PeerPolicy {
    private final AddressSet allowed;
    private final DestinationPolicy destinations;
    private final TurnSettings s;

    PeerPolicy(TurnSettings s, LocalAddresses local, TranslatedPrefixes translated) {
        this.allowed = s.allowPeers();
        this.destinations = new DestinationPolicy(s.allowPeers(), true, local, translated);
        this.s = s;
    }

    /** Null when {@code peer} may be relayed to, else why not (for the log line). */
    String refusal(InetAddress peer) {
        InetAddress u = AddressSet.unmapped(peer);
        if (allowed.contains(u)) {
            return null;
        }
        String why = destinations.refusal(u);
        if (why != null) {
            return why;
        }
        if (u.equals(s.relayIpv4()) || u.equals(s.relayIpv6())) {
            return "the server's own relay address";
        }
        if (u instanceof Inet6Address && isTranslationPrefix(u.getAddress())) {
            return "an IPv4/IPv6 translation prefix (RFC 6052, RFC 8215)";
        }
        return null;
    }

    /** 64:ff9b::/96 (RFC 6052 §2.1) or 64:ff9b:1::/48 (RFC 8215). */
    static boolean isTranslationPrefix(byte[] a) {
        if (a[0] != 0 || a[1] != 0x64 || a[2] != (byte) 0xff || a[3] != (byte) 0x9b) {
            return false;
        }
        if (a[4] == 0 && a[5] == 1) {
            return true; // 64:ff9b:1::/48
        }
        for (int i = 4; i < 12; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
