package dev.isthmus.alg.sip.proxy;

import dev.isthmus.alg.sip.RelayPorts;
import dev.isthmus.alg.sip.Sdp;
import dev.isthmus.alg.sip.SdpException;
import dev.isthmus.alg.sip.SdpStream;
import dev.isthmus.alg.sip.SipHeader;
import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.media.Leg;
import dev.isthmus.alg.sip.media.MediaUnavailable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Puts the media relay into a call's offers and answers (RFC 3264), whichever message carries
 * them: INVITE and its 18x/2xx, the ACK of a late offer, re-INVITE, UPDATE, PRACK. For each stream
 * the sender's announced address goes to the relay, and the receiver is sent the relay's address
 * of its own family with the ports it must send to.
 */
final class MediaBridge {
    private MediaBridge() {}

    static SipMessage request(Call call, SipMessage m) throws CallRefused {
        return rewrite(call, m, call.senderOfRequest(m));
    }

    static SipMessage response(Call call, SipMessage m) throws CallRefused {
        return rewrite(call, m, call.senderOfResponse(m));
    }

    private static SipMessage rewrite(Call call, SipMessage m, Leg sender) throws CallRefused {
        if (call.media == null || m.bodyLength() == 0 || !isSdp(m)) {
            return m;
        }
        Leg receiver = sender == Leg.CALLER ? Leg.CALLEE : Leg.CALLER;
        try {
            Sdp sdp = Sdp.parse(m.body());
            List<RelayPorts> ports = new ArrayList<>();
            for (SdpStream st : sdp.streams()) {
                call.media.announced(sender, st);
                ports.add(st.rejected() ? null : call.media.ports(receiver, st.index()));
            }
            Sdp out = call.sessionTo(receiver).rewrite(sdp, call.media.relayAddress(receiver), ports);
            return m.withBody(out.toBytes());
        } catch (SdpException e) {
            throw new CallRefused(SipRefusal.SDP_NOT_ACCEPTABLE, "SDP: " + e.getMessage());
        } catch (MediaUnavailable e) {
            throw new CallRefused(SipRefusal.MEDIA_UNAVAILABLE, "media relay: " + e.getMessage());
        }
    }

    /** RFC 3261 §20.15 / RFC 8866 §5: {@code application/sdp}, parameters and case aside. */
    private static boolean isSdp(SipMessage m) {
        SipHeader ct = m.first("content-type");
        if (ct == null) {
            return false;
        }
        String v = ct.value().toLowerCase(Locale.ROOT);
        int semi = v.indexOf(';');
        return (semi < 0 ? v : v.substring(0, semi)).strip().equals("application/sdp");
    }
}
