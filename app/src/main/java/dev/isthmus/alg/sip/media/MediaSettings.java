package dev.isthmus.alg.sip.media;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;

/**
 * The media relay's settings ({@code [sip.media]}).
 *
 * @param ipv4 the relay's IPv4 address, which IPv4 legs send their media to; null: IPv4 legs get none
 * @param ipv6 the relay's IPv6 address, likewise for IPv6 legs
 * @param firstPort the first port of the range, per family (each family has its own pool)
 * @param lastPort the last port of the range, included
 * @param timeout a call with neither a datagram nor a signalling event for this long ends itself
 * @param maxCalls calls open at once
 * @param maxStreamsPerCall {@code m=} lines of one call that get relay ports
 */
public record MediaSettings(InetAddress ipv4, InetAddress ipv6, int firstPort, int lastPort, Duration timeout,
        int maxCalls, int maxStreamsPerCall) {
    /** rtpengine's default {@code timeout}, which operators of SIP media relays are used to. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** 10 000 calls of two G.711 streams are some 1 000 000 packets a second: more than two cores relay. */
    public static final int DEFAULT_MAX_CALLS = 10_000;
    /** Audio, video, a second video (slides) and data with room to spare; a call with more is unusual. */
    public static final int DEFAULT_MAX_STREAMS = 8;

    public MediaSettings {
        if (ipv4 != null && !(ipv4 instanceof Inet4Address)) {
            throw new IllegalArgumentException("ipv4 is not an IPv4 address: " + ipv4.getHostAddress());
        }
        if (ipv6 != null && !(ipv6 instanceof Inet6Address)) {
            throw new IllegalArgumentException("ipv6 is not an IPv6 address: " + ipv6.getHostAddress());
        }
        if (ipv4 == null && ipv6 == null) {
            throw new IllegalArgumentException("the media relay needs an ipv4 or an ipv6 address");
        }
        if (firstPort < 1 || lastPort > 65535 || lastPort - firstPort < 1) {
            throw new IllegalArgumentException("ports " + firstPort + "-" + lastPort
                    + " hold no RTP/RTCP pair");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a media timeout of " + timeout);
        }
        if (maxCalls < 1 || maxStreamsPerCall < 1) {
            throw new IllegalArgumentException("max calls " + maxCalls + ", max streams per call "
                    + maxStreamsPerCall + ": each must be at least 1");
        }
    }

    /** The defaults but for the addresses and the port range. */
    public static MediaSettings of(InetAddress ipv4, InetAddress ipv6, int firstPort, int lastPort) {
        return new MediaSettings(ipv4, ipv6, firstPort, lastPort, DEFAULT_TIMEOUT, DEFAULT_MAX_CALLS,
                DEFAULT_MAX_STREAMS);
    }
}
