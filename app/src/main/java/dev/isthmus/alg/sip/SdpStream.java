package dev.isthmus.alg.sip;

import java.net.InetSocketAddress;

/**
 * What the relay needs of one media stream of an endpoint's SDP: where the endpoint said it
 * receives RTP and RTCP (the relay sends there until it latches onto the real source), and how.
 *
 * @param index the stream's position among the {@code m=} lines, which pairs offer and answer
 *     streams (RFC 3264 §6)
 * @param rtp the announced RTP address and port; null for a rejected stream
 * @param rtcp the announced RTCP address and port: {@code a=rtcp}'s, else the RTP address and
 *     port plus one (RFC 3605 §2.1, RFC 3550 §11); null for a rejected stream. Once rtcp-mux
 *     is negotiated (present in offer and answer, RFC 5761 §5.1.1) RTCP goes to {@code rtp}
 *     instead: the relay, which sees both, decides.
 * @param hold the address is {@code 0.0.0.0} or {@code ::} (RFC 3264 §8.4): send nothing
 */
public record SdpStream(int index, String media, String proto, SdpDirection direction, boolean rtcpMux,
        boolean hold, InetSocketAddress rtp, InetSocketAddress rtcp) {

    /** Port 0: the stream is rejected or disabled (RFC 3264 §6) and gets no relay ports. */
    public boolean rejected() {
        return rtp == null;
    }
}
