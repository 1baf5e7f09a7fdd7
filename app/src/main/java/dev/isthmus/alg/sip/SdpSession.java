package dev.isthmus.alg.sip;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;

/**
 * The version in {@code o=} of what the relay sends one endpoint over a session (RFC 3264 §8):
 * the first rewrite keeps the endpoint's version; a later one is one higher when its content
 * differs from the previous rewrite, and the same when it does not (a re-offer that changes
 * nothing, a session refresh). The relay's own content counts, not the endpoint's version:
 * new relay ports change the content although the endpoint's did not change.
 *
 * <p>One per direction of a call; not thread-safe (a call's signalling runs on one thread).
 */
public final class SdpSession {
    /** The previous rewrite with its version blanked, or null before the first. */
    private String previous;
    private BigInteger version;

    /** {@link SdpRewrite#rewrite} with this session's version in {@code o=}. */
    public Sdp rewrite(Sdp sdp, InetAddress relay, List<RelayPorts> ports) throws SdpException {
        Sdp rewritten = SdpRewrite.rewrite(sdp, relay, ports);
        String content = rewritten.withOriginVersion("0").toString();
        if (version == null) {
            version = new BigInteger(rewritten.origin().version());
        } else if (!content.equals(previous)) {
            version = version.add(BigInteger.ONE);
        }
        previous = content;
        return rewritten.withOriginVersion(version.toString());
    }
}
