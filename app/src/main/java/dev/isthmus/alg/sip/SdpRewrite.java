package dev.isthmus.alg.sip;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the relay in the media path of a session description bound for the other address
 * family (RFC 6157 §4): every address the receiver would send media to becomes the relay's.
 *
 * <ul>
 *   <li>{@code c=} at session and media level: the relay's address and addrtype, except a hold
 *       ({@code 0.0.0.0} of RFC 2543, or {@code ::}), which stays a hold, written in the
 *       relay's family so that a single-stack receiver can read it (RFC 3264 §8.4). The
 *       direction attributes are not touched.
 *   <li>{@code m=} port: the relay's RTP port, except port 0, which stays 0 (a rejected
 *       stream, RFC 3264 §6).
 *   <li>{@code o=}: the relay's address and addrtype (RFC 8866 §5.2 asks for the address of
 *       the machine the session came from, which for the receiver is the relay).
 *   <li>{@code a=rtcp}: the relay's RTCP port, or its RTP port where the endpoint had named
 *       its RTP port (the rtcp-mux offer of RFC 5761 §5.1.3); the relay's address where it
 *       had one.
 *   <li>{@code a=candidate}: those of the other family are removed, and those naming a host
 *       (FQDN or mDNS) too, since the relay cannot tell their family. The others are kept,
 *       and no candidate of the relay is added: the default destination ({@code c=}/{@code m=})
 *       then matches no candidate, the receiving ICE agent sees an ICE mismatch (RFC 8839
 *       §5.4) and sends to the default destination, the relay. Adding a host candidate of the
 *       relay would need the relay to answer connectivity checks, which it does not do.
 *       {@code a=remote-candidates} is left alone: it only matters once ICE runs, which the
 *       mismatch stops.
 * </ul>
 *
 * A rejected stream keeps port 0 and its {@code a=rtcp} port; its addresses are rewritten all the
 * same, so that the receiver sees only its own family. Everything else is left byte for byte.
 */
public final class SdpRewrite {
    private SdpRewrite() {}

    /**
     * The description {@code sdp} rewritten for the receiver the relay reaches at {@code relay};
     * {@code ports} has one entry per {@code m=} line, null allowed for a rejected stream. The
     * version in {@code o=} is left alone: {@link SdpSession} decides it.
     *
     * @throws SdpException when a stream cannot be relayed (a port count, RFC 8866 §5.14), or
     *     the rewritten body is over the limits
     */
    public static Sdp rewrite(Sdp sdp, InetAddress relay, List<RelayPorts> ports) throws SdpException {
        if (relay.isAnyLocalAddress() || relay.isMulticastAddress() || ports.size() != sdp.media().size()) {
            throw new IllegalArgumentException("relay " + relay + " with " + ports.size() + " port pairs for "
                    + sdp.media().size() + " streams");
        }
        List<String> out = new ArrayList<>();
        for (String line : sdp.sessionLines()) {
            if (line.startsWith("o=")) {
                out.add("o=" + sdp.origin().withAddress(relay).format());
            } else if (line.startsWith("c=")) {
                out.add("c=" + toRelay(sdp.connection(), relay).format());
            } else {
                out.add(line);
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            rewriteMedia(sdp.media().get(i), relay, ports.get(i), out);
        }
        return Sdp.ofLines(out);
    }

    private static void rewriteMedia(SdpMedia m, InetAddress relay, RelayPorts ports, List<String> out)
            throws SdpException {
        SdpMediaLine ml = m.mediaLine();
        boolean rejected = ml.port() == 0;
        if (!rejected && ml.count() > 1) {
            throw new SdpException(SdpException.Reason.PORT_COUNT, "m=" + ml.format());
        }
        if (!rejected && ports == null) {
            throw new IllegalArgumentException("no relay ports for stream m=" + ml.format());
        }
        out.add(rejected ? m.lines().getFirst() : "m=" + ml.withPort(ports.rtp()).format());
        for (String line : m.lines().subList(1, m.lines().size())) {
            if (line.startsWith("c=")) {
                out.add("c=" + toRelay(m.connection(), relay).format());
            } else if (line.startsWith(SdpRtcp.PREFIX)) {
                SdpRtcp r = m.rtcp();
                int port = rejected ? r.port() : r.port() == ml.port() ? ports.rtp() : ports.rtcp();
                SdpConnection c = r.connection() == null ? null : toRelay(r.connection(), relay);
                out.add(SdpRtcp.PREFIX + new SdpRtcp(port, c).format());
            } else if (!line.startsWith(SdpCandidate.PREFIX) || sameFamily(candidate(line), relay)) {
                out.add(line);
            }
        }
    }

    /** The relay's address, or the relay family's unspecified address for a hold. */
    private static SdpConnection toRelay(SdpConnection c, InetAddress relay) {
        return new SdpConnection(c.hold() ? SdpFields.unspecified(relay) : relay);
    }

    private static SdpCandidate candidate(String line) throws SdpException {
        return SdpCandidate.parse(line.substring(SdpCandidate.PREFIX.length()));
    }

    private static boolean sameFamily(SdpCandidate c, InetAddress relay) {
        return c.address() != null && (c.address() instanceof Inet4Address) == (relay instanceof Inet4Address);
    }
}
