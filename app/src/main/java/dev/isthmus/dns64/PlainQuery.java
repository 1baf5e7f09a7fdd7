package dev.isthmus.dns64;

/**
 * What the cache's fast path needs from a query of the plainest form, read from its bytes
 * without a parse: a header, one uncompressed question and at most an EDNS0 OPT record without
 * options (RFC 1035 §4.1, RFC 6891 §6.1.2). {@link #read} returns null for anything else — then
 * {@link QueryHandler} parses the query with dnsjava and decides as it always does — so this is
 * not a DNS decoder: it accepts only queries that dnsjava's parse and {@link QueryHandler}'s
 * checks would let through unchanged, and the answer it leads to is the one the parse would.
 *
 * <pre>
 *  0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * |QR|  Opcode   |AA|TC|RD|RA|Z |AD|CD|   RCODE   |   QR 0, opcode QUERY
 * |                QDCOUNT = 1                    |
 * |                ANCOUNT = 0                    |
 * |                NSCOUNT = 0                    |
 * |                ARCOUNT = 0 or 1               |
 * |   QNAME: labels of 1..63 bytes, then 0; at most 255 bytes (RFC 1035 §3.1)
 * |                    QTYPE                      |   not OPT, not 128..254 (RFC 6895 §3.1)
 * |                    QCLASS                     |
 * with ARCOUNT 1 (RFC 6891 §6.1.2), and then the end of the message:
 * |  0 (root)  |  TYPE = 41 (OPT)  |  CLASS = UDP payload size  |
 * |  extended RCODE  |  VERSION = 0  |DO|        Z              |
 * |                RDLENGTH = 0                   |
 * </pre>
 *
 * @param questionEnd the offset just past QCLASS
 * @param type QTYPE
 * @param dclass QCLASS
 * @param checkingDisabled the CD bit
 * @param edns whether there is an OPT record
 * @param dnssecOk the DO bit of the OPT record
 * @param payloadSize the OPT record's UDP payload size (0 without one)
 */
record PlainQuery(int questionEnd, int type, int dclass, boolean checkingDisabled, boolean edns, boolean dnssecOk,
        int payloadSize) {
    static final int HEADER = 12;
    private static final int MAX_NAME = 255;
    private static final int MAX_LABEL = 63;
    private static final int TYPE_OPT = 41;
    private static final int TYPE_ANY = 255;
    private static final int OPT_LENGTH = 11; // root name, type, class, TTL, RDLENGTH
    /** QR and the four opcode bits: all zero in a standard query. */
    private static final int QR_OPCODE = 0xf800;
    private static final int CD = 0x0010;
    private static final int DO = 0x8000;

    /** The query's fields, or null when it is not of the plain form above. */
    static PlainQuery read(byte[] m) {
        if (m.length < HEADER + 5) {
            return null;
        }
        int flags = u16(m, 2);
        if ((flags & QR_OPCODE) != 0 || u16(m, 4) != 1 || u16(m, 6) != 0 || u16(m, 8) != 0) {
            return null;
        }
        int additional = u16(m, 10);
        if (additional > 1) {
            return null;
        }
        int off = HEADER;
        while (true) {
            if (off >= m.length) {
                return null;
            }
            int len = m[off] & 0xff;
            if (len == 0) {
                off++;
                break;
            }
            if (len > MAX_LABEL) {
                return null; // a compression pointer or a reserved label type
            }
            off += 1 + len;
        }
        if (off - HEADER > MAX_NAME || off + 4 > m.length) {
            return null;
        }
        int type = u16(m, off);
        int dclass = u16(m, off + 2);
        int end = off + 4;
        if (type == TYPE_OPT || type >= 128 && type < TYPE_ANY) {
            return null; // NOTIMP, which the slow path answers
        }
        boolean cd = (flags & CD) != 0;
        if (additional == 0) {
            return end == m.length ? new PlainQuery(end, type, dclass, cd, false, false, 0) : null;
        }
        if (end + OPT_LENGTH != m.length || m[end] != 0 || u16(m, end + 1) != TYPE_OPT
                || m[end + 6] != 0 || u16(m, end + 9) != 0) {
            return null; // not an OPT record of version 0 without options, or bytes after it
        }
        return new PlainQuery(end, type, dclass, cd, true, (u16(m, end + 7) & DO) != 0, u16(m, end + 3));
    }

    /** The cache key of this query's question and bits, equal to the one made from its parse. */
    AnswerCache.Key key(byte[] m) {
        return AnswerCache.Key.ofWire(m, HEADER, questionEnd, checkingDisabled, dnssecOk, edns);
    }

    private static int u16(byte[] m, int off) {
        return ((m[off] & 0xff) << 8) | (m[off + 1] & 0xff);
    }
}
