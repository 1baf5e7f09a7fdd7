package dev.isthmus.alg.ftp;

import dev.isthmus.alg.ftp.PendingCommands.Kind;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.TcpView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;

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
 * <p>How it works. Each direction is a byte stream cut into lines at LF (RFC 959 §5.3 ends
 * them with CRLF). A line the ALG does not act on is forwarded as it comes (only the sequence
 * numbers move by the delta so far). A line it acts on is needed whole: when a segment ends inside
 * such a line, the partial line is held back (cut from this segment's payload, not acknowledged)
 * and sent, rewritten, with the next in-order data; at most {@link #MAX_HELD} bytes, beyond which
 * the line is forwarded unparsed ({@code overlong}). A segment that starts beyond the data seen
 * so far is dropped ({@code outOfOrder}): the sender resends it, and the stream is parsed in order.
 *
 * <p>The ALG answers some commands itself (ALGS, EPSV ALL, refusals) without making packets of
 * its own: the command is replaced by {@code NOOP} towards the server, and the server's reply to
 * that NOOP by the ALG's reply (RFC 959 §4.1.3: NOOP only asks for an OK). Replies are paired
 * with commands through a FIFO ({@link PendingCommands}): one reply per command, multi-line
 * replies ({@code ddd-} … {@code ddd }, RFC 959 §4.2) count once, 1yz preliminary replies not at
 * all, the greeting before any command not at all.
 *
 * <p>Telnet (RFC 6384 §4, RFC 1123 §4.1.2.12): option negotiation from the client (IAC
 * WILL/WONT/DO/DONT x) is taken out of the stream, not relayed; WILL is refused with IAC DONT x
 * and DO with IAC WONT x, sent to the client in the server's stream at the next reply boundary
 * (RFC 1143: WONT and DONT need no answer). Other Telnet commands (IAC IP, IAC DM before ABOR)
 * pass through.
 *
 * <p>Limits the caller should know: a rewritten segment may be longer than it came (the ALG's
 * replies are longer than a server's "200 NOOP ok"), by up to about 100 bytes per reply it
 * replaces, so a full-sized segment may need splitting; the urgent pointer is not moved (Telnet
 * Synch before ABOR sits in lines the ALG forwards unchanged); held bytes are not acknowledged,
 * so a sender that waits for an acknowledgement before sending the rest of a line (Nagle) sends
 * it with its retransmission.
 */
public final class Ftp64Control {
    /** The longest partial line held back (RFC 959 gives no limit; real commands are short). */
    public static final int MAX_HELD = 1024;

    private static final byte IAC = (byte) 255;
    private static final byte WILL = (byte) 251;
    private static final byte WONT = (byte) 252;
    private static final byte DO = (byte) 253;
    private static final byte DONT = (byte) 254;

    private static final byte[] NOOP = ascii("NOOP\r\n");
    private static final byte[] PASV = ascii("PASV\r\n");
    private static final byte[] NONE = new byte[0];

    private static final int PASS = 0;
    private static final int NEED_LINE = 1;
    private static final int BLOCK = 2;

    private final long clientHi;
    private final long clientLo;
    private final int server;
    private final int pool4;
    private final ActiveMapper mapper;
    private final FtpAlgCounters counters;

    private final Direction c2s = new Direction(true);
    private final Direction s2c = new Direction(false);
    private final PendingCommands pending = new PendingCommands();
    private final StringBuilder explain = new StringBuilder();

    /** RFC 6384 §11: ALGS ENABLE64 / DISABLE64. */
    private boolean enabled = true;
    /** RFC 2428 §4: after EPSV ALL, data connection set-up other than EPSV is refused. */
    private boolean epsvAll;
    /** RFC 6384 §9: after AUTH is accepted the stream is opaque; nothing is parsed. */
    private boolean transparent;
    /** RFC 959 §5.4: the server's greeting comes before any command and pairs with none. */
    private boolean awaitingGreeting = true;
    private boolean inMulti;
    private int multiCode;
    private Kind replyOwner;
    /** Telnet refusals waiting for the next reply boundary in the server's stream. */
    private final byte[] toClient = new byte[48];
    private int toClientLen;
    private boolean closed;

    /**
     * @param clientHi X' (high 64 bits), clientLo X' (low 64 bits): the client
     * @param server Z, the IPv4 server
     * @param pool4 T, the control connection's pool4 address (PORT names it)
     * @param mapper makes the active-mode mapping (EPRT → PORT)
     * @param counters shared counters
     */
    public Ftp64Control(long clientHi, long clientLo, int server, int pool4, ActiveMapper mapper,
            FtpAlgCounters counters) {
        this.clientHi = clientHi;
        this.clientLo = clientLo;
        this.server = server;
        this.pool4 = pool4;
        this.mapper = mapper;
        this.counters = counters;
        counters.sessions.increment();
    }

    /**
     * A segment from the client toward the server.
     *
     * @param tcpFlags the TCP flags byte (SYN, FIN, RST matter)
     * @param payload the packet's bytes; the TCP payload is {@code [offset, offset + length)}
     */
    public synchronized void fromClient(long seq, long ack, int tcpFlags, MemorySegment payload, long offset,
            int length, SegmentRewrite out) {
        segment(c2s, s2c, seq, ack, tcpFlags, payload, offset, length, out);
    }

    /** A segment from the server toward the client, as {@link #fromClient}. */
    public synchronized void fromServer(long seq, long ack, int tcpFlags, MemorySegment payload, long offset,
            int length, SegmentRewrite out) {
        segment(s2c, c2s, seq, ack, tcpFlags, payload, offset, length, out);
    }

    /**
     * Maps a SACK block edge of a segment that travels {@code fromClient ? client → server :
     * server → client}: an edge acknowledges the other direction's stream, so it goes back
     * through that direction's rewriting, like the acknowledgement number.
     */
    public synchronized long mapAck(boolean fromClient, long edge) {
        Direction other = fromClient ? s2c : c2s;
        return other.started ? u32(other.map.mapAck((int) edge)) : edge;
    }

    /** The explain lines of the last segment (e.g. "ftp-alg: EPSV → PASV"), empty when none. */
    public synchronized String lastExplain() {
        return explain.toString();
    }

    /**
     * True once the connection went transparent: the server accepted AUTH (RFC 6384 §9). ALGS
     * DISABLE64 does not make it transparent: the ALG still answers ALGS, so that ENABLE64 can
     * turn it on again (RFC 6384 §11).
     */
    public synchronized boolean transparent() {
        return transparent;
    }

    /** True while the ALG rewrites (not turned off by ALGS DISABLE64). */
    public synchronized boolean enabled() {
        return enabled;
    }

    /** The control connection ended: takes it off {@link FtpAlgCounters#sessions} (once). */
    public synchronized void close() {
        if (!closed) {
            closed = true;
            counters.sessions.decrement();
        }
    }

    // ------------------------------------------------------------------ segments

    private void segment(Direction d, Direction other, long seq, long ack, int flags, MemorySegment payload,
            long offset, int length, SegmentRewrite out) {
        out.clear();
        explain.setLength(0);
        out.ack = other.started ? u32(other.map.mapAck((int) ack)) : ack;
        int s = (int) seq;
        boolean syn = (flags & TcpView.SYN) != 0;
        boolean fin = (flags & TcpView.FIN) != 0;
        if (!d.started) {
            d.start(syn ? s + 1 : s, !syn);
        }
        int dataSeq = syn ? s + 1 : s;
        if ((flags & TcpView.RST) != 0) {
            out.seq = syn ? seq : u32(d.map.mapSeq(dataSeq));
            return;
        }
        if (length <= 0 && !fin) {
            out.seq = syn ? seq : u32(dataSeq - d.map.emittedIn >= 0 ? d.map.nextOut : d.map.mapSeq(dataSeq));
            return;
        }
        if (dataSeq - d.nextIn > 0 && !(transparent && d.heldLen == 0)) {
            out.drop = true; // a gap before this segment: TCP sends the missing data again
            counters.outOfOrder.increment();
            return;
        }
        if (transparent && d.heldLen == 0 && dataSeq - d.map.emittedIn >= 0) {
            // RFC 6384 §9: opaque from here on, only the delta accumulated so far applies.
            out.seq = u32(dataSeq + d.map.delta() - (syn ? 1 : 0));
            int end = dataSeq + length + (fin ? 1 : 0);
            if (end - d.nextIn > 0) {
                d.map.identity(end - d.map.emittedIn);
                d.nextIn = end;
            }
            return;
        }
        byte[] in = d.input(length);
        MemorySegment.copy(payload, ValueLayout.JAVA_BYTE, offset, in, 0, length);
        int end = dataSeq + length;
        d.outLen = 0;
        boolean changed = false;
        int outSeq;
        if (dataSeq - d.map.emittedIn <= 0) {
            // Data already sent on (a retransmission), maybe empty: the same bytes at the same place.
            int s0 = dataSeq;
            int e0 = end - d.map.emittedIn < 0 ? end : d.map.emittedIn;
            if (s0 - d.map.forgetBefore() < 0) {
                s0 = d.map.forgetBefore();
                changed = true;
                if (e0 - s0 < 0) {
                    e0 = s0;
                }
            }
            outSeq = d.map.mapSeq(s0);
            changed |= d.map.regenerate(s0, e0, in, 0, dataSeq, d);
        } else {
            outSeq = d.map.nextOut;
        }
        int heldFrom = dataSeq - d.map.emittedIn > 0 ? dataSeq : d.map.emittedIn;
        int heldTo = end - d.nextIn < 0 ? end : d.nextIn;
        if (heldTo - heldFrom > 0) {
            changed = true; // bytes the ALG holds already: they go out with what completes them
        }
        if (end - d.nextIn > 0) {
            int newOff = d.nextIn - dataSeq;
            int newLen = end - d.nextIn;
            d.nextIn = end;
            byte[] w;
            int wOff;
            int n;
            if (d.heldLen == 0) {
                w = in;
                wOff = newOff;
                n = newLen;
            } else {
                w = d.work(d.heldLen + newLen);
                System.arraycopy(d.held, 0, w, 0, d.heldLen);
                System.arraycopy(in, newOff, w, d.heldLen, newLen);
                wOff = 0;
                n = d.heldLen + newLen;
                d.heldLen = 0;
                changed = true;
            }
            d.rewrote = false;
            int consumed = parse(d, w, wOff, n);
            if (consumed < wOff + n) {
                d.hold(w, consumed, wOff + n - consumed);
                changed = true;
            }
            changed |= d.rewrote;
        }
        if (fin && end == d.nextIn && !d.finSeen) {
            if (d.heldLen > 0) {
                d.emitIdentity(d.held, 0, d.heldLen); // the stream ends: a partial line goes as it is
                d.heldLen = 0;
                changed = true;
            }
            d.map.identity(1);
            d.nextIn++;
            d.finSeen = true;
        }
        out.seq = u32(outSeq - (syn ? 1 : 0));
        if (changed) {
            out.payloadChanged = true;
            System.arraycopy(d.outBuf, 0, out.ensure(d.outLen), 0, d.outLen);
            out.payloadLength = d.outLen;
        }
    }

    // ------------------------------------------------------------------ lines

    /** Parses {@code w[pos, pos + n)}; returns where the bytes to hold back start. */
    private int parse(Direction d, byte[] w, int pos, int n) {
        int end = pos + n;
        while (pos < end) {
            if (transparent) {
                d.emitIdentity(w, pos, end - pos);
                return end;
            }
            if (d.midLine) {
                int p = scanLine(d, w, pos, end);
                if (d.midLine && p < end) {
                    return p; // a Telnet command cut by the segment's end
                }
                pos = p;
                continue;
            }
            if (!d.client && toClientLen > 0) {
                d.emitChunk(0, toClient, 0, toClientLen);
                toClientLen = 0;
            }
            if (d.client && w[pos] == IAC) {
                if (pos + 1 >= end || (negotiation(w[pos + 1]) && pos + 2 >= end)) {
                    return pos;
                }
                if (negotiation(w[pos + 1])) {
                    refuseOption(w[pos + 1], w[pos + 2]);
                    d.emitChunk(3, w, pos, 0);
                    pos += 3;
                    continue;
                }
            }
            int lf = indexOf(w, pos, end, (byte) '\n');
            int avail = (lf < 0 ? end : lf + 1) - pos;
            int action = d.client ? classifyCommand(w, pos, avail, lf >= 0) : classifyReply(w, pos, avail, lf >= 0);
            if (action == BLOCK) {
                int blockEnd = replyBlockEnd(w, pos, end);
                if (blockEnd > 0) {
                    reply227Block(d, w, pos, blockEnd);
                    pos = blockEnd;
                    continue;
                }
            } else if (action == NEED_LINE && lf >= 0) {
                if (d.client) {
                    command(d, w, pos, lf + 1);
                } else {
                    reply(d, w, pos, lf + 1);
                }
                pos = lf + 1;
                continue;
            }
            if (action != PASS) {
                if (end - pos <= MAX_HELD) {
                    return pos;
                }
                counters.overlong.increment();
                explain("ftp-alg: line over " + MAX_HELD + " bytes passed through unparsed");
            }
            d.midLine = true;
            d.headLen = 0;
        }
        return end;
    }

    /** Forwards the rest of a line the ALG leaves alone; returns where it stopped. */
    private int scanLine(Direction d, byte[] w, int pos, int end) {
        int j = pos;
        while (j < end) {
            byte b = w[j];
            if (b == '\n') {
                d.emitIdentity(w, pos, j + 1 - pos);
                lineDone(d);
                return j + 1;
            }
            if (d.client && b == IAC) {
                if (j + 1 >= end || (negotiation(w[j + 1]) && j + 2 >= end)) {
                    d.emitIdentity(w, pos, j - pos);
                    return j;
                }
                if (negotiation(w[j + 1])) {
                    d.emitIdentity(w, pos, j - pos);
                    refuseOption(w[j + 1], w[j + 2]);
                    d.emitChunk(3, w, j, 0);
                    j += 3;
                    pos = j;
                    continue;
                }
                j += 2; // IAC IAC, IAC IP, IAC DM...: Telnet the server handles
                continue;
            }
            d.addHead(b);
            j++;
        }
        d.emitIdentity(w, pos, end - pos);
        return end;
    }

    /** A line forwarded unchanged ended. */
    private void lineDone(Direction d) {
        d.midLine = false;
        if (d.resyncLine) {
            d.resyncLine = false; // the tail of a line from before the ALG saw the connection
        } else if (d.client) {
            boolean auth = d.headLen >= 4 && verbIs(d.head, 0, "AUTH")
                    && (d.headLen == 4 || d.head[4] == ' ' || d.head[4] == '\r');
            pending.push(auth && pending.roomForSpecial() ? Kind.AUTH : Kind.FORWARD, null);
        } else {
            replyLine(d.head, 0, d.headLen);
        }
        d.headLen = 0;
    }

    // ------------------------------------------------------------------ commands (client → server)

    private int classifyCommand(byte[] w, int pos, int avail, boolean complete) {
        int k = 0;
        while (k < avail && k < 5 && letter(w[pos + k])) {
            k++;
        }
        if (k == 4 && (k < avail ? terminator(w[pos + 4]) : !complete)) {
            return interesting(w, pos, 4) ? NEED_LINE : PASS;
        }
        if (k < 4 && k == avail && !complete) {
            return interesting(w, pos, k) ? NEED_LINE : PASS; // could still become one
        }
        return PASS;
    }

    /** Whether {@code w[pos, pos + k)} is (a prefix of) a command the ALG acts on now. */
    private boolean interesting(byte[] w, int pos, int k) {
        if (verbPrefix(w, pos, k, "ALGS")) {
            return true;
        }
        if (!enabled) {
            return false;
        }
        return verbPrefix(w, pos, k, "EPSV") || verbPrefix(w, pos, k, "EPRT") || verbPrefix(w, pos, k, "PORT")
                || verbPrefix(w, pos, k, "LPRT") || verbPrefix(w, pos, k, "LPSV")
                || (epsvAll && verbPrefix(w, pos, k, "PASV"));
    }

    /** A whole command line the ALG acts on: {@code w[pos, lineEnd)}, LF included. */
    private void command(Direction d, byte[] w, int pos, int lineEnd) {
        String line = commandText(w, pos, lineEnd);
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(java.util.Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1);
        int len = lineEnd - pos;
        switch (verb) {
            case "ALGS" -> algs(d, w, pos, len, arg);
            case "EPSV" -> epsv(d, w, pos, len, arg);
            case "EPRT" -> eprt(d, w, pos, len, arg);
            // RFC 2577 §3: an IPv6-only client has no IPv4 address of its own, so any PORT names a
            // third party (T included: it is shared with other subscribers). EPRT is the way.
            case "PORT" -> refuse(d, w, pos, len, epsvAll ? AlgReplies.EPSV_ALL_IN_EFFECT : AlgReplies.PORT_REFUSED,
                    "ftp-alg: PORT refused (use EPRT)");
            case "PASV" -> refuse(d, w, pos, len, AlgReplies.EPSV_ALL_IN_EFFECT, "ftp-alg: PASV refused after EPSV ALL");
            case "LPRT" -> refuse(d, w, pos, len, AlgReplies.LPRT_REFUSED, "ftp-alg: LPRT refused (use EPRT)");
            case "LPSV" -> refuse(d, w, pos, len, AlgReplies.LPSV_REFUSED, "ftp-alg: LPSV refused (use EPSV)");
            default -> passLine(d, w, pos, len); // cannot happen: classifyCommand chose the verb
        }
    }

    /** RFC 6384 §11: ALGS STATUS64 / ENABLE64 / DISABLE64, answered by the ALG, never forwarded. */
    private void algs(Direction d, byte[] w, int pos, int len, String arg) {
        String a = arg.strip().toUpperCase(java.util.Locale.ROOT);
        String reply;
        switch (a) {
            case "ENABLE64" -> enabled = true;
            case "DISABLE64" -> enabled = false;
            case "STATUS64" -> { }
            default -> a = null;
        }
        reply = a == null ? AlgReplies.ALGS_SYNTAX : enabled ? AlgReplies.ALGS_ENABLED : AlgReplies.ALGS_DISABLED;
        if (answer(d, w, pos, len, reply)) {
            counters.algsAnswered.increment();
            explain("ftp-alg: ALGS " + (a == null ? arg.strip() : a) + " answered " + reply);
        }
    }

    /** RFC 6384 §5 / RFC 2428 §3: EPSV becomes PASV, its 227 reply a 229. */
    private void epsv(Direction d, byte[] w, int pos, int len, String arg) {
        int a = FtpAddresses.epsvArgument(arg);
        if (a == -1) {
            // RFC 2428 §4: EPSV ALL tells the server only EPSV follows; the IPv4 server may not know
            // EPSV at all, so the ALG accepts it and refuses the other set-up commands itself.
            if (answer(d, w, pos, len, AlgReplies.EPSV_ALL_OK)) {
                epsvAll = true;
                explain("ftp-alg: EPSV ALL answered 200");
            }
        } else if (a == 0 || a == FtpAddresses.AF_IPV6) {
            if (pending.roomForSpecial()) {
                d.emitChunk(len, PASV, 0, PASV.length);
                pending.push(Kind.EPSV, null);
                counters.rewritten.increment();
                explain("ftp-alg: EPSV -> PASV");
            } else {
                passLine(d, w, pos, len);
            }
        } else if (a == Integer.MAX_VALUE) {
            refuse(d, w, pos, len, AlgReplies.EPSV_SYNTAX, "ftp-alg: EPSV " + arg.strip() + " refused (501)");
        } else {
            // RFC 2428 §3: a family the client's side cannot use → 522 naming the one it can.
            refuse(d, w, pos, len, AlgReplies.PROTOCOL_NOT_SUPPORTED, "ftp-alg: EPSV " + a + " refused (522)");
        }
    }

    /** RFC 6384 §5: EPRT with the client's own address becomes PORT with its IPv4 mapping. */
    private void eprt(Direction d, byte[] w, int pos, int len, String arg) {
        if (epsvAll) {
            refuse(d, w, pos, len, AlgReplies.EPSV_ALL_IN_EFFECT, "ftp-alg: EPRT refused after EPSV ALL");
            return;
        }
        int af = FtpAddresses.eprtFamily(arg);
        if (af != FtpAddresses.AF_IPV6) {
            // RFC 2428 §2: 522 for a family not supported (an IPv4 address from an IPv6-only client
            // names a host the ALG cannot vouch for), 501 for no family at all.
            refuse(d, w, pos, len, af < 0 ? AlgReplies.EPRT_SYNTAX : AlgReplies.PROTOCOL_NOT_SUPPORTED,
                    "ftp-alg: EPRT " + arg.strip() + " refused (" + (af < 0 ? 501 : 522) + ")");
            return;
        }
        FtpEndpoint ep = FtpAddresses.parseEprt(arg);
        if (ep == null) {
            refuse(d, w, pos, len, AlgReplies.EPRT_SYNTAX, "ftp-alg: EPRT " + arg.strip() + " refused (501)");
            return;
        }
        byte[] a = ep.address().getAddress();
        if (!(ep.address() instanceof Inet6Address) || hi(a) != clientHi || lo(a) != clientLo) {
            // RFC 2577 §3 (bounce attack): the data connection may only go to the client itself.
            refuse(d, w, pos, len, AlgReplies.BOUNCE_REFUSED, "ftp-alg: EPRT " + arg.strip() + " refused: not the client (RFC 2577)");
            return;
        }
        if (!pending.roomForSpecial()) {
            passLine(d, w, pos, len);
            return;
        }
        long m = mapper.map(clientHi, clientLo, ep.port(), server);
        if (m == -1) {
            refuse(d, w, pos, len, AlgReplies.NO_MAPPING, "ftp-alg: EPRT " + arg.strip() + " refused: no IPv4 mapping (425)");
            return;
        }
        int t4 = (int) (m >>> 16);
        if (t4 != pool4) {
            // RFC 6384 §5 / paired pooling (RFC 4787 REQ-2): servers check that PORT names the
            // address the control connection comes from (RFC 2577 §3); another T would be refused.
            refuse(d, w, pos, len, AlgReplies.NO_MAPPING, "ftp-alg: EPRT " + arg.strip() + " refused: mapping on "
                    + Ipv4Address.format(t4) + ", not the control connection's "
                    + Ipv4Address.format(pool4) + " (425)");
            return;
        }
        String port = FtpAddresses.formatPort(t4, (int) (m & 0xffff));
        byte[] line = ascii("PORT " + port + "\r\n");
        d.emitChunk(len, line, 0, line.length);
        pending.push(Kind.FORWARD, null);
        counters.rewritten.increment();
        explain("ftp-alg: EPRT " + arg.strip() + " -> PORT " + port);
    }

    /** Answers a refused command with the ALG's reply (counted as refused). */
    private void refuse(Direction d, byte[] w, int pos, int len, String reply, String why) {
        if (answer(d, w, pos, len, reply)) {
            counters.refused.increment();
            explain(why);
        }
    }

    /**
     * Replaces the command by NOOP; the server's reply to it will be replaced by {@code reply}.
     * With the FIFO full (extreme pipelining), the command goes on unchanged instead.
     */
    private boolean answer(Direction d, byte[] w, int pos, int len, String reply) {
        if (!pending.roomForSpecial()) {
            passLine(d, w, pos, len);
            return false;
        }
        d.emitChunk(len, NOOP, 0, NOOP.length);
        pending.push(Kind.LOCAL, reply);
        return true;
    }

    /** Forwards a whole command line unchanged (the ALG could not act on it). */
    private void passLine(Direction d, byte[] w, int pos, int len) {
        d.emitIdentity(w, pos, len);
        pending.push(Kind.FORWARD, null);
    }

    /** The command's text without CRLF and without Telnet commands (negotiations refused). */
    private String commandText(byte[] w, int pos, int lineEnd) {
        StringBuilder sb = new StringBuilder(lineEnd - pos);
        for (int i = pos; i < lineEnd; i++) {
            byte b = w[i];
            if (b == IAC && i + 1 < lineEnd) {
                if (negotiation(w[i + 1]) && i + 2 < lineEnd) {
                    refuseOption(w[i + 1], w[i + 2]);
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            if (b != '\r' && b != '\n') {
                sb.append((char) (b & 0xff));
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ replies (server → client)

    private int classifyReply(byte[] w, int pos, int avail, boolean complete) {
        if (inMulti) {
            return replyOwner == Kind.LOCAL ? NEED_LINE : PASS;
        }
        if (awaitingGreeting) {
            return PASS;
        }
        Kind owner = pending.peek();
        if (owner != Kind.LOCAL && owner != Kind.EPSV) {
            return PASS;
        }
        if (avail < 4 && !complete) {
            return NEED_LINE; // the code is not known yet
        }
        int code = code(w, pos, avail);
        if (code < 200) {
            return PASS; // not a reply line, or a 1yz preliminary one
        }
        if (owner == Kind.LOCAL) {
            return NEED_LINE;
        }
        if (code != 227) {
            return PASS; // the server refused PASV: its reply reaches the client as it is
        }
        return avail >= 4 && w[pos + 3] == '-' ? BLOCK : NEED_LINE;
    }

    /** A whole reply line the ALG rewrites: {@code w[pos, lineEnd)}. */
    private void reply(Direction d, byte[] w, int pos, int lineEnd) {
        Kind owner = inMulti ? replyOwner : pending.peek();
        int len = lineEnd - pos;
        if (owner == Kind.LOCAL) {
            if (inMulti) {
                d.emitChunk(len, NONE, 0, 0); // the rest of the server's reply to the NOOP
            } else {
                byte[] r = ascii(pending.peekReply() + "\r\n");
                d.emitChunk(len, r, 0, r.length);
            }
        } else {
            byte[] r = ascii(translate227(new String(w, pos, len, StandardCharsets.ISO_8859_1)) + "\r\n");
            d.emitChunk(len, r, 0, r.length);
        }
        replyLine(w, pos, Math.min(len, 5));
    }

    /** A multi-line 227 reply to a translated EPSV, {@code w[pos, blockEnd)}, becomes one 229 line. */
    private void reply227Block(Direction d, byte[] w, int pos, int blockEnd) {
        byte[] r = ascii(translate227(new String(w, pos, blockEnd - pos, StandardCharsets.ISO_8859_1)) + "\r\n");
        d.emitChunk(blockEnd - pos, r, 0, r.length);
        replyComplete(227);
    }

    /** Where a multi-line reply starting at {@code pos} ends (after its last line), or -1 if not within {@code end}. */
    private static int replyBlockEnd(byte[] w, int pos, int end) {
        int line = indexOf(w, pos, end, (byte) '\n') + 1;
        while (line > 0 && line < end) {
            int lf = indexOf(w, line, end, (byte) '\n');
            if (lf < 0) {
                return -1;
            }
            if (lf + 1 - line >= 4 && w[line] == w[pos] && w[line + 1] == w[pos + 1] && w[line + 2] == w[pos + 2]
                    && w[line + 3] == ' ') {
                return lf + 1;
            }
            line = lf + 1;
        }
        return -1;
    }

    /**
     * RFC 6384 §5: the 227 reply to the PASV the ALG sent for EPSV becomes "229 Entering Extended
     * Passive Mode (|||port|)" (RFC 2428 §3) with the 227's port. The client connects to the
     * address of the control connection; when the 227 names another address (or none), that
     * would reach the wrong host, so the client gets 425 instead.
     */
    private String translate227(String text) {
        FtpEndpoint ep = FtpAddresses.parse227(text);
        if (ep == null || ipv4(ep.address().getAddress()) != server) {
            counters.refused.increment();
            explain("ftp-alg: 227 -> 425 (" + (ep == null ? "no address" : "address is not the server's") + ")");
            return AlgReplies.PASSIVE_ELSEWHERE;
        }
        counters.rewritten.increment();
        explain("ftp-alg: 227 -> 229 (port " + ep.port() + ")");
        return FtpAddresses.format229(ep.port());
    }

    /** Follows the reply structure with one line's first bytes (RFC 959 §4.2). */
    private void replyLine(byte[] head, int off, int n) {
        int code = code(head, off, n);
        if (!inMulti) {
            if (code < 0) {
                return; // not a reply: nothing to pair
            }
            if (n >= 4 && head[off + 3] == '-') {
                inMulti = true;
                multiCode = code;
                replyOwner = awaitingGreeting || code < 200 ? null : pending.peek();
                return;
            }
            replyComplete(code);
        } else if (code == multiCode && (n < 4 || head[off + 3] != '-')) {
            inMulti = false;
            replyOwner = null;
            replyComplete(code);
        }
    }

    private void replyComplete(int code) {
        if (awaitingGreeting) {
            awaitingGreeting = code < 200; // RFC 959 §5.4: 120 may come before the 220
            return;
        }
        if (code < 200) {
            return; // 1yz: the command's completion reply is still to come
        }
        Kind k = pending.pop();
        if (k == Kind.AUTH && (code == 234 || code == 334)) {
            // RFC 6384 §9, RFC 4217 §4: TLS (or another RFC 2228 mechanism) starts now; the ALG
            // cannot read on and keeps only the sequence deltas it has.
            transparent = true;
            counters.transparent.increment();
            explain("ftp-alg: AUTH accepted (" + code + "), transparent from here on");
        }
    }

    // ------------------------------------------------------------------ Telnet

    private static boolean negotiation(byte b) {
        return b == WILL || b == WONT || b == DO || b == DONT;
    }

    /** RFC 1123 §4.1.2.12 / RFC 6384 §4: the client's option requests are refused, not relayed. */
    private void refuseOption(byte cmd, byte option) {
        counters.refused.increment();
        explain("ftp-alg: Telnet " + telnetName(cmd) + " " + (option & 0xff) + " from the client not relayed");
        if ((cmd == WILL || cmd == DO) && toClientLen + 3 <= toClient.length) {
            toClient[toClientLen++] = IAC;
            toClient[toClientLen++] = cmd == WILL ? DONT : WONT;
            toClient[toClientLen++] = option;
        }
    }

    private static String telnetName(byte cmd) {
        return switch (cmd) {
            case WILL -> "WILL";
            case WONT -> "WONT";
            case DO -> "DO";
            default -> "DONT";
        };
    }

    // ------------------------------------------------------------------ helpers

    private void explain(String line) {
        if (!explain.isEmpty()) {
            explain.append('\n');
        }
        explain.append(line);
    }

    private static int code(byte[] w, int pos, int avail) {
        if (avail < 3) {
            return -1;
        }
        int c = 0;
        for (int i = 0; i < 3; i++) {
            byte b = w[pos + i];
            if (b < '0' || b > '9') {
                return -1;
            }
            c = c * 10 + (b - '0');
        }
        if (avail > 3 && w[pos + 3] != ' ' && w[pos + 3] != '-' && w[pos + 3] != '\r' && w[pos + 3] != '\n') {
            return -1;
        }
        return c;
    }

    private static boolean letter(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    }

    private static boolean terminator(byte b) {
        return b == ' ' || b == '\r' || b == '\n';
    }

    private static boolean verbIs(byte[] w, int pos, String verb) {
        return verbPrefix(w, pos, verb.length(), verb);
    }

    private static boolean verbPrefix(byte[] w, int pos, int k, String verb) {
        for (int i = 0; i < k; i++) {
            if ((w[pos + i] & 0xdf) != verb.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] w, int from, int end, byte b) {
        for (int i = from; i < end; i++) {
            if (w[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static long hi(byte[] a) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (a[i] & 0xff);
        }
        return v;
    }

    private static long lo(byte[] a) {
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = v << 8 | (a[i] & 0xff);
        }
        return v;
    }

    private static int ipv4(byte[] a) {
        return a.length != 4 ? 0 : (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    private static long u32(int v) {
        return v & 0xffffffffL;
    }

    /** One direction of the control connection: its parse state and sequence map. */
    private final class Direction implements SeqMap.ByteSink {
        final boolean client;
        final SeqMap map = new SeqMap();
        boolean started;
        /** The next input sequence number not seen yet. */
        int nextIn;
        boolean finSeen;
        /** Inside a line the ALG forwards unchanged. */
        boolean midLine;
        /** That line began before the ALG saw the connection (picked up without SYN). */
        boolean resyncLine;
        /** The first bytes of the current line, for what it is once it ends (AUTH, reply codes). */
        final byte[] head = new byte[5];
        int headLen;
        byte[] held;
        int heldLen;
        /** Set by a rewrite during one parse. */
        boolean rewrote;
        byte[] outBuf = new byte[2048];
        int outLen;
        private byte[] input = new byte[2048];
        private byte[] work;

        Direction(boolean client) {
            this.client = client;
        }

        void start(int isn, boolean resync) {
            started = true;
            if (resync && !client) {
                awaitingGreeting = false; // picked up after the greeting
            }
            nextIn = isn;
            map.start(isn);
            midLine = resync;
            resyncLine = resync;
        }

        byte[] input(int n) {
            if (input.length < n) {
                input = new byte[Math.max(n, input.length * 2)];
            }
            return input;
        }

        byte[] work(int n) {
            if (work == null || work.length < n) {
                work = new byte[Math.max(n, 2 * MAX_HELD)];
            }
            return work;
        }

        void hold(byte[] w, int off, int n) {
            if (held == null || held.length < n) {
                held = new byte[Math.max(n, 64)];
            }
            System.arraycopy(w, off, held, 0, n);
            heldLen = n;
        }

        void addHead(byte b) {
            if (headLen < head.length) {
                head[headLen++] = b;
            }
        }

        @Override
        public void append(byte[] b, int off, int len) {
            if (outBuf.length < outLen + len) {
                outBuf = java.util.Arrays.copyOf(outBuf, Math.max(outLen + len, outBuf.length * 2));
            }
            System.arraycopy(b, off, outBuf, outLen, len);
            outLen += len;
        }

        void emitIdentity(byte[] b, int off, int len) {
            append(b, off, len);
            map.identity(len);
        }

        void emitChunk(int inLen, byte[] b, int off, int n) {
            append(b, off, n);
            map.chunk(inLen, b, off, n);
            rewrote = true;
        }
    }
}
