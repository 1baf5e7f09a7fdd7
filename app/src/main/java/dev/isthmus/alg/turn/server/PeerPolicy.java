package dev.isthmus.alg.turn.server;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DestinationPolicy;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.TranslatedPrefixes;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Which peers a client may relay to (RFC 8656 §21, security considerations: a TURN server must
 * not become a way into the networks behind it): the project's {@link DestinationPolicy} with private ranges
 * refused (loopback, RFC 1918, ULA, link-local, unspecified, multicast, the host's own addresses),
 * the server's relay addresses, and the IPv4/IPv6 translation prefixes of RFC 6052 §2.1
 * (64:ff9b::/96) and RFC 8215 (64:ff9b:1::/48), through which an IPv6 peer address could stand for
 * any of those IPv4 ones, and 6to4 or Teredo addresses that tunnel back to the server's own IPv4
 * address. {@code allow-peers} lists the operator's exceptions.
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
        if (u instanceof Inet6Address && s.relayIpv4() != null
                && Arrays.equals(tunnelledIpv4(u.getAddress()), s.relayIpv4().getAddress())) {
            return "a 6to4 or Teredo address that tunnels back to the server's own IPv4 address (the tunnel amplification attack of RFC 6156's security considerations)";
        }
        return null;
    }

    /**
     * The IPv4 address an IPv6 address is tunnelled to, for the two automatic tunnels: 6to4
     * (2002:V4ADDR::/48, RFC 3056 §2) and Teredo (2001::/32, the client's IPv4 address in the last
     * 32 bits, each bit inverted, RFC 4380 §4); null for any other address. A peer that tunnels back
     * to the server makes a loop that amplifies every datagram.
     */
    static byte[] tunnelledIpv4(byte[] a) {
        if (a[0] == 0x20 && a[1] == 0x02) {
            return Arrays.copyOfRange(a, 2, 6);
        }
        if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) {
            byte[] v4 = Arrays.copyOfRange(a, 12, 16);
            for (int i = 0; i < 4; i++) {
                v4[i] ^= (byte) 0xff;
            }
            return v4;
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
