package dev.isthmus.alg.sip.media;

import dev.isthmus.alg.sip.RelayPorts;
import dev.isthmus.alg.sip.SdpStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One {@code m=} stream of a call: on each leg the relay's two sockets, what that leg's endpoint
 * announced and where its datagrams really come from, and the stream's counters.
 *
 * <p>Written only on the call's event loop; the fields {@code show calls} reads from other threads
 * are volatile (a plain load on x86) and the counters are single-writer ({@code setRelease}, no
 * read-modify-write), so the packet path takes no lock and no atomic instruction.
 */
final class MediaStream {
    private static final int PACKETS_TO_CALLEE = 0;
    private static final int BYTES_TO_CALLEE = 1;
    private static final int PACKETS_TO_CALLER = 2;
    private static final int BYTES_TO_CALLER = 3;
    private static final int DROPPED = 4;

    final int index;
    private final Side caller = new Side();
    private final Side callee = new Side();
    private final AtomicLongArray counts = new AtomicLongArray(5);

    MediaStream(int index) {
        this.index = index;
    }

    Side side(Leg leg) {
        return leg == Leg.CALLER ? caller : callee;
    }

    /**
     * Relays {@code d}, which came in on leg {@code from}'s RTP (or RTCP) socket, out of the other
     * leg's RTP (RTCP) socket to that leg's destination: the received buffer itself, retained, not
     * a copy. With rtcp-mux (RFC 5761 §5.1.1, both legs announced it) RTCP comes in on the RTP
     * socket and so goes out to the RTP destination, as RFC 5761 §4 wants, without a rule of its own.
     *
     * Counted (in {@code totals} and the stream's own counters) before it is written, so that
     * whoever receives it sees it counted.
     */
    void relay(Leg from, boolean rtcp, DatagramPacket d, MediaCounters totals) {
        Side in = side(from);
        Side out = side(from.other());
        MediaDrop why = verdict(in, out, rtcp, d.sender());
        Channel socket = out.socket(rtcp);
        if (why == null && !socket.isWritable()) {
            why = MediaDrop.SOCKET_FULL;
        }
        if (why != null) {
            add(DROPPED, 1);
            totals.drop(why);
            return;
        }
        ByteBuf payload = d.content();
        int length = payload.readableBytes();
        if (from == Leg.CALLER) {
            add(PACKETS_TO_CALLEE, 1);
            add(BYTES_TO_CALLEE, length);
        } else {
            add(PACKETS_TO_CALLER, 1);
            add(BYTES_TO_CALLER, length);
        }
        totals.relayed(length);
        socket.writeAndFlush(new DatagramPacket(payload.retain(), out.destination(rtcp)), socket.voidPromise());
    }

    /** The steps in order; the first that does not pass names the drop. */
    private static MediaDrop verdict(Side in, Side out, boolean rtcp, InetSocketAddress source) {
        SdpStream to = out.announced;
        SdpStream back = in.announced;
        // RFC 3264 §6: a stream either side answered with port 0 carries no media, either way.
        if ((to != null && to.rejected()) || (back != null && back.rejected())) {
            return MediaDrop.REJECTED;
        }
        if (!in.admits(rtcp, source)) {
            return MediaDrop.WRONG_SOURCE;
        }
        // Before the receiving leg's SDP (or before its side has ports: the answer is not through
        // the proxy yet) there is nowhere the media may go.
        if (to == null || out.socket(rtcp) == null) {
            return MediaDrop.NO_ANSWER;
        }
        // RFC 3264 §8.4: c= 0.0.0.0 (or ::) asks the other side to send nothing.
        if (to.hold()) {
            return MediaDrop.HOLD;
        }
        return null;
    }

    private void add(int counter, long n) {
        counts.setRelease(counter, counts.getPlain(counter) + n);
    }

    MediaCallStats.Stream stats() {
        return new MediaCallStats.Stream(index, caller.ports, callee.ports, caller.announcedRtp(), caller.latchedRtp,
                callee.announcedRtp(), callee.latchedRtp, counts.get(PACKETS_TO_CALLEE), counts.get(BYTES_TO_CALLEE),
                counts.get(PACKETS_TO_CALLER), counts.get(BYTES_TO_CALLER), counts.get(DROPPED));
    }

    long packetsToCallee() {
        return counts.get(PACKETS_TO_CALLEE);
    }

    long packetsToCaller() {
        return counts.get(PACKETS_TO_CALLER);
    }

    long dropped() {
        return counts.get(DROPPED);
    }

    /** One leg's end of the stream: the relay's sockets that leg's endpoint sends to and receives from. */
    static final class Side {
        volatile RelayPorts ports;
        Channel rtp;
        Channel rtcp;
        volatile SdpStream announced;
        volatile InetSocketAddress latchedRtp;
        volatile InetSocketAddress latchedRtcp;

        Channel socket(boolean isRtcp) {
            return isRtcp ? rtcp : rtp;
        }

        /**
         * A new offer or answer of this leg: its addresses, and latching re-armed, since a
         * re-INVITE may move the media to another device or NAT binding (RFC 3264 §8.3.1).
         */
        void announce(SdpStream stream) {
            announced = stream;
            latchedRtp = null;
            latchedRtcp = null;
        }

        /**
         * Latching (RFC 7362; symmetric RTP, RFC 4961 §3): the first datagram after an
         * announcement fixes where this leg's media comes from, and so where the other leg's goes.
         * Later datagrams from elsewhere are refused, but for the announced address itself, which
         * the endpoint's own SDP vouches for.
         */
        boolean admits(boolean isRtcp, InetSocketAddress source) {
            InetSocketAddress latched = isRtcp ? latchedRtcp : latchedRtp;
            if (latched == null) {
                if (isRtcp) {
                    latchedRtcp = source;
                } else {
                    latchedRtp = source;
                }
                return true;
            }
            if (latched.equals(source)) {
                return true;
            }
            SdpStream a = announced;
            return a != null && source.equals(isRtcp ? a.rtcp() : a.rtp());
        }

        /** Where the other leg's media for this one goes: the latched source, else the announced address. */
        InetSocketAddress destination(boolean isRtcp) {
            InetSocketAddress latched = isRtcp ? latchedRtcp : latchedRtp;
            if (latched != null) {
                return latched;
            }
            SdpStream a = announced;
            return isRtcp ? a.rtcp() : a.rtp();
        }

        InetSocketAddress announcedRtp() {
            SdpStream a = announced;
            return a == null ? null : a.rtp();
        }
    }
}
