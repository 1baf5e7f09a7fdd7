/**
 * The TURN server of {@code [turn]} (RFC 8656 with RFC 6156's address families, issue 22) on the
 * Netty socket plane, built on the codec of {@code alg.turn}: {@link dev.isthmus.alg.turn.server.TurnServer}
 * (listeners, relayed sockets, the data path), {@code Requests} (the STUN methods, rule by rule),
 * {@code Allocation} (one 5-tuple's relayed addresses, permissions and channels).
 */
package dev.isthmus.alg.turn.server;
