package dev.isthmus.alg.sip.proxy;

import java.net.InetSocketAddress;

/**
 * Where the proxy sends a message: an address and port, over TCP ({@code stream}) or UDP.
 *
 * @param address the next hop (RFC 3263's lookup is not done: the proxy routes by address)
 * @param stream TCP rather than UDP
 */
record Target(InetSocketAddress address, boolean stream) {
    @Override
    public String toString() {
        return (stream ? "tcp:" : "udp:") + dev.isthmus.relay.Families.text(address);
    }
}
