package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The PROXY protocol version 2 header (HAProxy's "The PROXY protocol", §2.2) that a relay sends
 * first on its connection to the server, so that a server that speaks it (Postfix
 * {@code smtpd_upstream_proxy_protocol}, Dovecot {@code haproxy_trusted_networks}, nginx
 * {@code proxy_protocol}) sees the real client address instead of the relay's.
 *
 * <pre>
 *  12 bytes  signature \r\n\r\n\0\r\nQUIT\n
 *   1 byte   version 2 (high nibble) | command PROXY 1 (low nibble)      = 0x21
 *   1 byte   family AF_INET 1 / AF_INET6 2 (high) | STREAM 1 (low)       = 0x11 / 0x21
 *   2 bytes  length of the address block, big-endian                    = 12 / 36
 *   src addr, dst addr (4 or 16 bytes each), src port, dst port (2 each)
 * </pre>
 *
 * <p>The addresses are both of one family (the spec has no mixed block): the client's family.
 * When the relay's listening address is of the other family it cannot be written, so the
 * "destination" is then the unspecified address of the client's family with the listen port.
 */
public final class ProxyHeaderV2 {
    static final byte[] SIGNATURE = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

    private ProxyHeaderV2() {}

    /** The header for a TCP connection from {@code client} to the relay at {@code local}. */
    public static ByteBuf tcp(ByteBufAllocator alloc, InetSocketAddress client, InetSocketAddress local) {
        InetAddress src = AddressSet.unmapped(client.getAddress());
        InetAddress dst = AddressSet.unmapped(local.getAddress());
        boolean four = src instanceof Inet4Address;
        byte[] srcBytes = src.getAddress();
        byte[] dstBytes = dst.getAddress();
        if (dstBytes.length != srcBytes.length) {
            dstBytes = new byte[srcBytes.length];
        }
        ByteBuf b = alloc.buffer(16 + 2 * srcBytes.length + 4);
        b.writeBytes(SIGNATURE);
        b.writeByte(0x21);
        b.writeByte(four ? 0x11 : 0x21);
        b.writeShort(2 * srcBytes.length + 4);
        b.writeBytes(srcBytes);
        b.writeBytes(dstBytes);
        b.writeShort(client.getPort());
        b.writeShort(local.getPort());
        return b;
    }
}
