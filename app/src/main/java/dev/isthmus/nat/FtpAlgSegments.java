package dev.isthmus.nat;

import dev.isthmus.alg.ftp.Ftp64Control;
import dev.isthmus.alg.ftp.SegmentRewrite;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Offload;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The FTP ALG's hand in one worker's translation, one per direction: hands a translated TCP
 * segment of a followed control connection to its {@link Ftp64Control} and applies the answer
 * to the packet in place (RFC 6384 §6): sequence and acknowledgement numbers, the SACK block
 * edges (RFC 2018 §3, they acknowledge like the ack field), a payload that grows or shrinks,
 * the IP length fields and the checksums.
 *
 * <p>Offload: with a partial checksum the TCP checksum field stays the pseudo-header sum, for
 * the new length; the device sums the segment. A super-packet ({@link Offload#segmentSize}) is
 * rewritten whole, like any segment: the ALG reads its payload as the stream bytes it is, and
 * the receiver cuts the rewritten payload into segments of {@code segmentSize} bytes with
 * consecutive sequence numbers from the rewritten one, each carrying the rewritten
 * acknowledgement and options. A length change only moves where the last cut falls (a shorter
 * last segment, or one more), which TCP allows anywhere (RFC 9293 §3.7.1); no line is split
 * differently from what the ALG wrote, since cutting never reorders bytes. Nothing here needs the
 * super-packet split first.
 */
final class FtpAlgSegments {
    private static final int V6 = 40;
    private static final int TCP_HEADER = 20;
    private static final int ACK = 0x10;
    private static final int SACK = 5;

    /** Maps a SACK block edge the way the segment's acknowledgement number is mapped. */
    interface EdgeMap {
        long map(long edge);
    }

    private final boolean fromClient;
    private final SegmentRewrite rewrite = new SegmentRewrite();
    private Ftp64Control control;
    /** SACK edges go back through the other direction's rewriting (made once, not per packet). */
    private final EdgeMap edges;
    /** Why the last {@link #run} refused the segment. */
    DropReason reason = DropReason.NONE;

    /** @param fromClient client → server (a 6→4 output, IPv4), else server → client (a 4→6 output, IPv6) */
    FtpAlgSegments(boolean fromClient) {
        this.fromClient = fromClient;
        this.edges = edge -> control.mapAck(fromClient, edge);
    }

    /**
     * Runs the ALG on the translated packet {@code [o, o + len)} of {@code s}.
     *
     * @return the packet's length now, or -1 when it must not leave ({@link #reason} says why)
     */
    int run(MemorySegment s, int o, int len, Offload offload, Ftp64Control c) {
        control = null; // nothing to explain until the ALG has seen the segment
        int end = o + len;
        int tcp;
        if (fromClient) {
            int ihl = (BigEndian.u8(s, o) & 0xf) * 4;
            if ((BigEndian.u16(s, o + 6) & 0x3fff) != 0) {
                return refuse(DropReason.FTP_ALG_FRAGMENT);
            }
            tcp = o + ihl;
        } else {
            if (BigEndian.u8(s, o + 6) == IpProtocol.FRAGMENT) {
                return refuse(DropReason.FTP_ALG_FRAGMENT);
            }
            tcp = o + V6;
        }
        int doff = tcp + TCP_HEADER <= end ? (BigEndian.u8(s, tcp + 12) >>> 4) * 4 : 0;
        if (doff < TCP_HEADER || tcp + doff > end) {
            return refuse(DropReason.BAD_L4_HEADER);
        }
        // Only an intact segment feeds the ALG's view of the stream; after the rewrite the
        // checksum is computed anew, so a damaged one would otherwise leave here repaired.
        if (!offload.partialChecksum && !Checksum.verifies(Checksum.add(s, tcp, end - tcp, pseudo(s, o, end - tcp)))) {
            return refuse(DropReason.FTP_ALG_BAD_CHECKSUM);
        }
        long seq = BigEndian.u32(s, tcp + 4) & 0xffff_ffffL;
        long ack = BigEndian.u32(s, tcp + 8) & 0xffff_ffffL;
        int flags = BigEndian.u8(s, tcp + 13);
        rewrite.clear();
        control = c;
        if (fromClient) {
            c.fromClient(seq, ack, flags, s, tcp + doff, end - tcp - doff, rewrite);
        } else {
            c.fromServer(seq, ack, flags, s, tcp + doff, end - tcp - doff, rewrite);
        }
        if (rewrite.drop) {
            return refuse(DropReason.FTP_ALG_GAP);
        }
        int n = apply(s, o, len, tcp, !fromClient, rewrite, edges, offload.partialChecksum);
        return n < 0 ? refuse(DropReason.FTP_ALG_NO_ROOM) : n;
    }

    /** The explain line of the last segment, empty when none or when the ALG did not see it. */
    String explain() {
        return control == null ? "" : control.lastExplain();
    }

    private int refuse(DropReason r) {
        reason = r;
        return -1;
    }

    /**
     * Applies {@code rw} to the TCP segment at {@code tcp} of the IP packet {@code [o, o + len)}:
     * sequence number, acknowledgement number (when ACK is set), each SACK edge through
     * {@code edges}, the payload when {@link SegmentRewrite#payloadChanged}, then the IPv4 Total
     * Length and header checksum or the IPv6 Payload Length, and the TCP checksum (computed, or
     * with {@code partial} the pseudo-header sum for the new length).
     *
     * @return the packet's new length, or -1, the packet untouched, when the new payload does not
     *     fit the buffer after the packet or the IP length field
     */
    static int apply(MemorySegment s, int o, int len, int tcp, boolean v6, SegmentRewrite rw, EdgeMap edges,
            boolean partial) {
        int end = o + len;
        int doff = (BigEndian.u8(s, tcp + 12) >>> 4) * 4;
        int payload = tcp + doff;
        int newLen = len;
        if (rw.payloadChanged) {
            newLen = len - (end - payload) + rw.payloadLength;
            int ipLimit = v6 ? V6 + 65535 : 65535;
            if (o + (long) newLen > s.byteSize() || newLen > ipLimit) {
                return -1;
            }
        }
        BigEndian.set32(s, tcp + 4, (int) rw.seq);
        if ((BigEndian.u8(s, tcp + 13) & ACK) != 0) {
            BigEndian.set32(s, tcp + 8, (int) rw.ack);
        }
        mapSackEdges(s, tcp + TCP_HEADER, payload, edges);
        if (rw.payloadChanged) {
            MemorySegment.copy(rw.payload, 0, s, ValueLayout.JAVA_BYTE, payload, rw.payloadLength);
            if (v6) {
                BigEndian.set16(s, o + 4, newLen - V6);
            } else {
                int ihl = (BigEndian.u8(s, o) & 0xf) * 4;
                BigEndian.set16(s, o + 2, newLen);
                BigEndian.set16(s, o + 10, 0);
                BigEndian.set16(s, o + 10, Checksum.finish(Checksum.add(s, o, ihl, 0)));
            }
        }
        int l4 = o + newLen - tcp;
        long pseudo = pseudo(s, o, l4);
        if (partial) {
            BigEndian.set16(s, tcp + 16, Checksum.fold(pseudo));
        } else {
            BigEndian.set16(s, tcp + 16, 0);
            BigEndian.set16(s, tcp + 16, Checksum.finish(Checksum.add(s, tcp, l4, pseudo)));
        }
        return newLen;
    }

    /** RFC 2018 §3: every left and right edge of every SACK block in the options {@code [at, end)}. */
    private static void mapSackEdges(MemorySegment s, int at, int end, EdgeMap edges) {
        while (at < end) {
            int kind = BigEndian.u8(s, at);
            if (kind == 0) {
                return; // End of Option List
            }
            if (kind == 1) {
                at++; // No-Operation
                continue;
            }
            int olen = at + 1 < end ? BigEndian.u8(s, at + 1) : 0;
            if (olen < 2 || at + olen > end) {
                return; // malformed: the rest is not read as options
            }
            if (kind == SACK && (olen - 2) % 8 == 0) {
                for (int e = at + 2; e < at + olen; e += 4) {
                    BigEndian.set32(s, e, (int) edges.map(BigEndian.u32(s, e) & 0xffff_ffffL));
                }
            }
            at += olen;
        }
    }

    /** The TCP pseudo-header sum of the IPv4 or IPv6 packet at {@code o} for {@code l4} bytes. */
    private static long pseudo(MemorySegment s, int o, int l4) {
        if (BigEndian.u8(s, o) >>> 4 == 4) {
            return Checksum.ipv4Pseudo(BigEndian.u32(s, o + 12), BigEndian.u32(s, o + 16), IpProtocol.TCP, l4);
        }
        return Checksum.ipv6Pseudo(BigEndian.u64(s, o + 8), BigEndian.u64(s, o + 16), BigEndian.u64(s, o + 24),
                BigEndian.u64(s, o + 32), IpProtocol.TCP, l4);
    }
}
