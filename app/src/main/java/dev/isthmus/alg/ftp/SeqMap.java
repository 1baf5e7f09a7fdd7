package dev.isthmus.alg.ftp;

/**
 * One direction of a rewritten TCP stream: which input sequence number became which output
 * sequence number (RFC 6384 §6: "the ALG MUST adjust the TCP sequence and acknowledgement numbers
 * of all subsequent packets"). Between rewritten chunks the mapping is a constant shift; each
 * rewritten chunk (an input range replaced by other bytes, possibly none, or bytes inserted where
 * there were none) is remembered with its output bytes, so that a retransmission of input the ALG
 * already processed is answered with the same bytes at the same output sequence numbers.
 *
 * <p>The history is bounded ({@link #HISTORY} chunks); when the oldest chunk is forgotten, input
 * before its end can no longer be regenerated ({@link #forgetBefore}): by then its segments were
 * long acknowledged. All arithmetic is modulo 2^32 (RFC 9293 §3.4): comparisons use the sign of
 * the difference.
 */
final class SeqMap {
    /** Rewritten chunks remembered; an FTP control connection rewrites a few lines a transfer. */
    static final int HISTORY = 64;

    private final int[] inStart = new int[HISTORY];
    private final int[] inLen = new int[HISTORY];
    private final int[] outStart = new int[HISTORY];
    private final byte[][] out = new byte[HISTORY][];
    private int oldest;
    private int count;
    /** output - input before the oldest remembered chunk. */
    private int baseDelta;
    /** Input before this cannot be regenerated (a chunk there was forgotten). */
    private int forgetBefore;

    /** The first input byte not yet sent on (held bytes start here). */
    int emittedIn;
    /** The output sequence number that byte (or whatever the ALG sends next) gets. */
    int nextOut;

    void start(int isn) {
        emittedIn = isn;
        nextOut = isn;
        forgetBefore = isn;
        baseDelta = 0;
        count = 0;
    }

    /** The next {@code len} input bytes went out unchanged. */
    void identity(int len) {
        emittedIn += len;
        nextOut += len;
    }

    /** The next {@code len} input bytes went out as {@code bytes[off, off + n)}. */
    void chunk(int len, byte[] bytes, int off, int n) {
        if (count == HISTORY) {
            int i = oldest;
            baseDelta = outStart[i] + out[i].length - (inStart[i] + inLen[i]);
            forgetBefore = inStart[i] + inLen[i];
            out[i] = null;
            oldest = (oldest + 1) % HISTORY;
            count--;
        }
        int i = (oldest + count) % HISTORY;
        inStart[i] = emittedIn;
        inLen[i] = len;
        outStart[i] = nextOut;
        out[i] = java.util.Arrays.copyOfRange(bytes, off, off + n);
        count++;
        emittedIn += len;
        nextOut += n;
    }

    /** output - input for bytes after the last chunk. */
    int delta() {
        return nextOut - emittedIn;
    }

    int forgetBefore() {
        return forgetBefore;
    }

    /**
     * The output sequence number of input {@code s}: the earliest one (before any bytes the ALG
     * inserted at {@code s}); inside a rewritten chunk, the chunk's start (a retransmission that
     * cuts a rewritten line is answered with the whole line). Input at or beyond what was sent on
     * (held bytes) maps to {@link #nextOut}: it goes out there later.
     */
    int mapSeq(int s) {
        if (s - emittedIn > 0) {
            return nextOut;
        }
        for (int k = count - 1; k >= 0; k--) {
            int i = (oldest + k) % HISTORY;
            int d = s - (inStart[i] + inLen[i]);
            if (d > 0) {
                return outStart[i] + out[i].length + d;
            }
            if (s - inStart[i] > 0) {
                return d == 0 ? outStart[i] + out[i].length : outStart[i];
            }
        }
        return s + baseDelta;
    }

    /**
     * The input sequence number an acknowledgement (or SACK edge) of output {@code a} stands for.
     * Inside a rewritten chunk it is the chunk's input start: the receiver has not got all of the
     * chunk, so none of its input may be acknowledged. Never beyond {@link #emittedIn}: held bytes
     * are not acknowledged (the sender keeps them until they are really delivered).
     */
    int mapAck(int a) {
        int r = a - baseDelta;
        for (int k = count - 1; k >= 0; k--) {
            int i = (oldest + k) % HISTORY;
            int end = outStart[i] + out[i].length;
            int d = a - end;
            if (d >= 0) {
                r = inStart[i] + inLen[i] + d;
                break;
            }
            if (a - outStart[i] > 0) {
                r = inStart[i];
                break;
            }
        }
        return r - emittedIn > 0 ? emittedIn : r;
    }

    /**
     * Appends to {@code sink} the output for input {@code [s, e)} that was already sent on
     * ({@code e} at most {@link #emittedIn}), the identity parts taken from {@code payload} whose
     * first byte is input {@code base}; {@code s} must not precede {@link #forgetBefore}. Bytes the
     * ALG inserted at {@code s} or at {@code e} are included. Returns true when the output differs
     * from the input bytes.
     */
    boolean regenerate(int s, int e, byte[] payload, int payloadOff, int base, ByteSink sink) {
        boolean changed = false;
        int cursor = s;
        for (int k = 0; k < count; k++) {
            int i = (oldest + k) % HISTORY;
            int start = inStart[i];
            int end = start + inLen[i];
            if (end - s <= 0 && !(start == s && inLen[i] == 0)) {
                continue; // wholly before s
            }
            if (start - e > 0 || (start == e && inLen[i] > 0)) {
                break; // wholly after e
            }
            if (start - cursor > 0) {
                sink.append(payload, payloadOff + (cursor - base), start - cursor);
            }
            sink.append(out[i], 0, out[i].length);
            changed = true;
            if (end - cursor > 0) {
                cursor = end;
            }
        }
        if (e - cursor > 0) {
            sink.append(payload, payloadOff + (cursor - base), e - cursor);
        }
        return changed;
    }

    /** Where output bytes are collected. */
    interface ByteSink {
        void append(byte[] b, int off, int len);
    }
}
