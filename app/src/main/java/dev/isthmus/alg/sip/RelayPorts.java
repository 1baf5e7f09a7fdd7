package dev.isthmus.alg.sip;

/**
 * The relay's port pair for one stream on one side: RTP on an even port, RTCP on the next
 * (RFC 3550 §11), or both on the RTP port when {@code rtcp-mux} is negotiated (RFC 5761).
 */
public record RelayPorts(int rtp) {
    public RelayPorts {
        if (rtp <= 0 || rtp > 65534 || (rtp & 1) != 0) {
            throw new IllegalArgumentException("an RTP port is even and 2-65534, not " + rtp);
        }
    }

    public int rtcp() {
        return rtp + 1;
    }
}
