package dev.isthmus.alg.ftp;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the RFC 6384 ALG did, for {@code show stats} and the metrics: shared by every control
 * connection of one NAT64 (workers add concurrently).
 */
public final class FtpAlgCounters {
    /** Control connections the ALG follows now (up when one starts, down when it ends). */
    public final LongAdder sessions = new LongAdder();
    /** Commands rewritten (EPSV → PASV, EPRT → PORT) and replies rewritten (227 → 229). */
    public final LongAdder rewritten = new LongAdder();
    /** Commands refused by the ALG with its own reply (LPRT, LPSV, bounce, EPSV ALL violations...). */
    public final LongAdder refused = new LongAdder();
    /** ALGS commands answered (RFC 6384 §11). */
    public final LongAdder algsAnswered = new LongAdder();
    /** Control connections that went transparent after AUTH (RFC 6384 §9, RFC 4217). */
    public final LongAdder transparent = new LongAdder();
    /** Segments dropped because they came ahead of a gap in the stream (TCP sends them again). */
    public final LongAdder outOfOrder = new LongAdder();
    /** Lines longer than the bound that were passed through unparsed. */
    public final LongAdder overlong = new LongAdder();
}
