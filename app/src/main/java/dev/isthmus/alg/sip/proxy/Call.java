package dev.isthmus.alg.sip.proxy;

import dev.isthmus.alg.sip.SdpSession;
import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.media.Leg;
import dev.isthmus.alg.sip.media.MediaCall;
import java.net.Inet6Address;

/**
 * A dialog the proxy Record-Routed (one per Call-ID: the proxy does not fork), from its initial
 * INVITE to the final response of its BYE, or of a failed INVITE. The caller is the INVITE's
 * sender, recognised in later requests by its From tag (RFC 3261 §12: the caller's tag is From in
 * its requests and To in the callee's).
 */
final class Call {
    final String callId;
    final String callerTag;
    final Target caller;
    final Target callee;
    final long startedMillis;
    /** The media relay's half of the call; null when the media flows directly. */
    final MediaCall media;
    /** The {@code o=} versions of what each side is sent (RFC 3264 §8). */
    final SdpSession toCaller = new SdpSession();
    final SdpSession toCallee = new SdpSession();
    boolean confirmed;
    long lastActivityMillis;

    Call(String callId, String callerTag, Target caller, Target callee, MediaCall media, long now) {
        this.callId = callId;
        this.callerTag = callerTag;
        this.caller = caller;
        this.callee = callee;
        this.media = media;
        this.startedMillis = now;
        this.lastActivityMillis = now;
    }

    /** Which leg sent request {@code m} of this call. */
    Leg senderOfRequest(SipMessage m) {
        String tag = m.fromTag();
        return tag != null && tag.equals(callerTag) ? Leg.CALLER : Leg.CALLEE;
    }

    /** Which leg sent response {@code m}: the other side of its request's sender. */
    Leg senderOfResponse(SipMessage m) {
        return senderOfRequest(m) == Leg.CALLER ? Leg.CALLEE : Leg.CALLER;
    }

    SdpSession sessionTo(Leg receiver) {
        return receiver == Leg.CALLER ? toCaller : toCallee;
    }

    static String family(Target t) {
        return t.address().getAddress() instanceof Inet6Address ? "ipv6" : "ipv4";
    }
}
