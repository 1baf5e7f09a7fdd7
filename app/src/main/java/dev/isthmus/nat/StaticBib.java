package dev.isthmus.nat;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;

/** A static BIB entry from the config, (X',x) ↔ (T,t) for one protocol (RFC 6146 §3.1). */
public record StaticBib(NatProtocol protocol, Ipv6Address ipv6, int ipv6Port, int ipv4, int ipv4Port) {
    /** An IPv6 transport address, {@code [IPV6]:PORT}. */
    public record Endpoint6(Ipv6Address address, int port) {
        /** @throws IllegalArgumentException naming what is wrong with {@code text} */
        public static Endpoint6 parse(String text) {
            int close = text.lastIndexOf("]:");
            if (!text.startsWith("[") || close < 0) {
                throw new IllegalArgumentException("\"" + text + "\" is not \"[IPV6]:PORT\"");
            }
            return new Endpoint6(Ipv6Address.parse(text.substring(1, close)), parsePort(text.substring(close + 2)));
        }
    }

    /** An IPv4 transport address, {@code IPV4:PORT}. */
    public record Endpoint4(int address, int port) {
        /** @throws IllegalArgumentException naming what is wrong with {@code text} */
        public static Endpoint4 parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("\"" + text + "\" is not \"IPV4:PORT\"");
            }
            return new Endpoint4(Ipv4Address.parse(text.substring(0, colon)), parsePort(text.substring(colon + 1)));
        }
    }

    private static int parsePort(String text) {
        try {
            int v = Integer.parseInt(text);
            if (v >= 0 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a port (0-65535)");
    }

    long ipv6Hi() {
        return ipv6.hi();
    }

    long ipv6Lo() {
        return ipv6.lo();
    }

    @Override
    public String toString() {
        return protocol.key() + " [" + ipv6 + "]:" + ipv6Port + " <-> " + Ipv4Address.format(ipv4) + ":" + ipv4Port;
    }
}
