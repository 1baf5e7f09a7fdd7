/**
 * The TURN server of issue 22: RFC 8656 relaying with RFC 6156's address families, so that an
 * IPv6-only client can relay to an IPv4 peer. This round builds its socket-free message codec:
 * STUN messages and attributes ({@link dev.isthmus.alg.turn.StunMessage}, RFC 8489), ChannelData
 * framing ({@link dev.isthmus.alg.turn.ChannelDataView}), telling the two apart on one port
 * ({@link dev.isthmus.alg.turn.TurnDemux}) and the long-term credentials' keys.
 */
package dev.isthmus.alg.turn;
