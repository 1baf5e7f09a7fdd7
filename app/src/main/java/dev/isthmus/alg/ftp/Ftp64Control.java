package dev.isthmus.alg.ftp;

import java.lang.foreign.MemorySegment;

/**
 * One FTP control connection through the stateful NAT64, followed by the RFC 6384 ALG: the
 * client (IPv6, X') → server (IPv4, Z) stream and the reply stream back, each rewritten line by
 * line, with the sequence-number bookkeeping the length changes need (RFC 6384 §6).
 *
 * <p>Contract with the caller (the NAT64 data plane): for every TCP segment of the connection,
 * after the NAT64 translation, call {@link #fromClient} or {@link #fromServer} with the
 * segment's sequence and acknowledgement numbers, flags and payload as they arrived; apply the
 * {@link SegmentRewrite}. Thread-safe: the two directions may be handled by different workers.
 * Allocates only on segments whose lines are rewritten or held.
 *
 * <p>Implementation: to be written (this skeleton fixes the API the data plane codes against).
 */
public final class Ftp64Control {
    /**
     * @param clientHi X' (high 64 bits), clientLo X' (low 64 bits): the client
     * @param server Z, the IPv4 server
     * @param pool4 T, the control connection's pool4 address (PORT names it)
     * @param mapper makes the active-mode mapping (EPRT → PORT)
     * @param counters shared counters
     */
    public Ftp64Control(long clientHi, long clientLo, int server, int pool4, ActiveMapper mapper,
            FtpAlgCounters counters) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * A segment from the client toward the server.
     *
     * @param tcpFlags the TCP flags byte (SYN, FIN, RST matter)
     * @param payload the packet's bytes; the TCP payload is {@code [offset, offset + length)}
     */
    public void fromClient(long seq, long ack, int tcpFlags, MemorySegment payload, long offset, int length,
            SegmentRewrite out) {
        throw new UnsupportedOperationException("not yet");
    }

    /** A segment from the server toward the client, as {@link #fromClient}. */
    public void fromServer(long seq, long ack, int tcpFlags, MemorySegment payload, long offset, int length,
            SegmentRewrite out) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Maps a SACK block edge of a segment that travels {@code fromClient ? client → server :
     * server → client}: an edge acknowledges the other direction's stream, so it goes back
     * through that direction's rewriting, like the acknowledgement number.
     */
    public long mapAck(boolean fromClient, long edge) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The explain lines of the last segment (e.g. "ftp-alg: EPSV → PASV"), empty when none. */
    public String lastExplain() {
        throw new UnsupportedOperationException("not yet");
    }

    /** True once the connection went transparent (AUTH, or ALGS DISABLE64 with nothing pending). */
    public boolean transparent() {
        throw new UnsupportedOperationException("not yet");
    }
}
