package dev.isthmus.alg.sip.media;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/** The datagrams that come in on one of the relay's sockets: one leg's RTP or RTCP socket of one stream. */
final class MediaSocket extends SimpleChannelInboundHandler<DatagramPacket> {
    private final MediaCall call;
    private final MediaStream stream;
    private final Leg leg;
    private final boolean rtcp;

    MediaSocket(MediaCall call, MediaStream stream, Leg leg, boolean rtcp) {
        this.call = call;
        this.stream = stream;
        this.leg = leg;
        this.rtcp = rtcp;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket d) {
        call.touch();
        stream.relay(leg, rtcp, d, call.counters());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An ICMP error for an earlier datagram (an endpoint that went away): the call stays until
        // BYE or the media timeout, and the socket reads on.
    }
}
