/**
 * The RTP media relay of the SIP proxy (issue 22), on the Netty socket plane: the proxy asks
 * {@link dev.isthmus.alg.sip.media.MediaRelay} for a call's {@link dev.isthmus.alg.sip.media.MediaCall},
 * gets per stream and leg the relay ports to write into that leg's SDP, and tells it what each
 * endpoint's SDP announced; the relay forwards RTP and RTCP between the two legs, each in its own
 * address family, latching onto the real sources (symmetric RTP). It depends on the SIP cores of
 * {@code alg.sip} ({@code SdpStream}, {@code RelayPorts}) and on {@code relay}, never on the proxy.
 */
package dev.isthmus.alg.sip.media;
