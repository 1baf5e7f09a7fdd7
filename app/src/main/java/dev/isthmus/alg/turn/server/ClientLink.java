package dev.isthmus.alg.turn.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * The way back to a client: the UDP listener it wrote to (answers go out from the address the
 * request came to, the server side of its 5-tuple, RFC 8656 §2) or its TCP connection.
 *
 * @param channel the listening UDP socket, or the TCP connection
 * @param client the client's address and port as the server sees them
 * @param stream whether this is a TCP connection (ChannelData padded to 4, RFC 8656 §12.5)
 */
record ClientLink(Channel channel, InetSocketAddress client, boolean stream) {
    /** Sends {@code message}, whose reference passes to the socket. */
    void send(ByteBuf message) {
        if (stream) {
            channel.writeAndFlush(message, channel.voidPromise());
        } else {
            channel.writeAndFlush(new DatagramPacket(message, client), channel.voidPromise());
        }
    }
}
