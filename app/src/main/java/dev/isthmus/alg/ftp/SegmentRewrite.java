package dev.isthmus.alg.ftp;

/**
 * The ALG's answer for one TCP segment of a control connection ({@link Ftp64Control}), filled
 * in by it and applied to the packet by the caller: reused, one per worker and direction.
 *
 * <p>The caller sets the sequence and acknowledgement numbers to {@link #seq} and {@link #ack}
 * (the ack mapped back through the other direction's rewriting, RFC 6384 §6), maps each SACK
 * block edge with {@link Ftp64Control#mapAck}, and when {@link #payloadChanged} replaces the
 * segment's payload with {@code payload[0, payloadLength)} (the packet grows or shrinks; IP
 * length and TCP checksum follow). With {@link #drop} the segment is not forwarded at all.
 */
public final class SegmentRewrite {
    public long seq;
    public long ack;
    public boolean payloadChanged;
    /** Scratch owned by this object; valid until the next call that fills it. */
    public byte[] payload = new byte[2048];
    public int payloadLength;
    public boolean drop;

    /** Makes room for {@code n} bytes of new payload, keeping none of the old. */
    public byte[] ensure(int n) {
        if (payload.length < n) {
            payload = new byte[Math.max(n, payload.length * 2)];
        }
        return payload;
    }

    public void clear() {
        seq = 0;
        ack = 0;
        payloadChanged = false;
        payloadLength = 0;
        drop = false;
    }
}
