package dev.isthmus.alg.sip.media;

import dev.isthmus.alg.sip.RelayPorts;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.time.Duration;
import java.util.List;

/**
 * One call as {@code isthmus show calls} prints it.
 *
 * @param callerFamily the caller's family ({@code INET} or {@code INET6})
 * @param age since the call was opened
 * @param idle since its last datagram or signalling event
 */
public record MediaCallStats(String callId, ProtocolFamily callerFamily, ProtocolFamily calleeFamily,
        List<Stream> streams, Duration age, Duration idle) {

    /**
     * One {@code m=} stream of the call.
     *
     * @param callerPorts the relay's ports the caller sends to; null until allocated
     * @param calleePorts the relay's ports the callee sends to; null until allocated
     * @param callerAnnounced where the caller's SDP said it receives RTP; null before its SDP
     * @param callerLatched where the caller's RTP really comes from; null before its first datagram
     * @param dropped datagrams of this stream dropped either way, for any {@link MediaDrop}
     */
    public record Stream(int index, RelayPorts callerPorts, RelayPorts calleePorts,
            InetSocketAddress callerAnnounced, InetSocketAddress callerLatched,
            InetSocketAddress calleeAnnounced, InetSocketAddress calleeLatched,
            long packetsToCallee, long bytesToCallee, long packetsToCaller, long bytesToCaller, long dropped) {}
}
