/**
 * The dual-stack SIP proxy of issue 22 ({@code [sip]}): a transaction-stateful proxy (RFC 3261
 * §16) and registrar on UDP and TCP listeners of both families, on the Netty socket plane.
 * Requests are routed by Route, by the registrar's bindings or by the Request-URI's address;
 * responses go back by Via. A call whose two legs are of different address families (RFC 6157) is
 * Record-Routed twice, once per family (RFC 5658), and its offers and answers are rewritten so
 * that each side sends its media to {@code alg.sip.media}'s relay in its own family.
 *
 * <p>All of one proxy's state lives on one event loop: its listeners, its connections and its
 * timers are registered there, so its tables are plain maps.
 */
package dev.isthmus.alg.sip.proxy;
