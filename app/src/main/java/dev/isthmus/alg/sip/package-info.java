/**
 * SIP across the protocol boundary (issue 22): the dual-stack stateful SIP proxy and its RTP media
 * relay. This round holds its message core without sockets: {@link dev.isthmus.alg.sip.SipMessage}
 * reads and writes RFC 3261 requests and responses from a datagram or a stream frame
 * ({@link dev.isthmus.alg.sip.SipFraming}), keeping every header the proxy does not touch
 * byte-for-byte; {@link dev.isthmus.alg.sip.SipUri} and {@link dev.isthmus.alg.sip.Via} read the
 * two values the proxy routes by, IPv6 references included (RFC 5118); {@link dev.isthmus.alg.sip.Sdp}
 * reads session descriptions and {@link dev.isthmus.alg.sip.SdpRewrite} puts the media relay into
 * them (c=, m=, o=, a=rtcp; candidates of the other family removed). Malformed input is refused
 * with a {@link dev.isthmus.alg.sip.SipParseException} (or {@link dev.isthmus.alg.sip.SdpException}) naming its reason, so the proxy can count it
 * and answer 400 (or 505 for a version it does not speak).
 */
package dev.isthmus.alg.sip;
