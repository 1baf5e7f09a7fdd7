package dev.isthmus.alg.sip.proxy;

/**
 * Why the proxy cannot go on with a request: a table is full, the media relay has no room, an SDP
 * it cannot rewrite. The proxy answers the request with the refusal's status.
 */
final class CallRefused extends Exception {
    final SipRefusal refusal;

    CallRefused(SipRefusal refusal, String message) {
        super(message, null, false, false);
        this.refusal = refusal;
    }
}
