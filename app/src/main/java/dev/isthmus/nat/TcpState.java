package dev.isthmus.nat;

/**
 * The TCP session states of RFC 6146 §3.5.2.2 and the transitions between them.
 *
 * <p>{@link #CLOSED} is never stored: it is "no session", and the table handles it (creation on a
 * SYN, translation without state for other packets when a BIB entry exists). Every other
 * transition is the pure function {@link #next}, tested one transition at a time.
 */
public enum TcpState {
    CLOSED,
    V4_INIT,
    V6_INIT,
    ESTABLISHED,
    V4_FIN_RCV,
    V6_FIN_RCV,
    V6_V4_FIN_RCV,
    TRANS;

    private static final TcpState[] VALUES = values();

    static TcpState of(int ordinal) {
        return VALUES[ordinal];
    }

    /** Keep the session's expiry time as it is. */
    static final int KEEP = 0;
    /** Set the lifetime to TCP_TRANS (RFC 6146 §4: 4 min). */
    static final int T_TRANS = 1;
    /** Set the lifetime to TCP_EST (RFC 6146 §4: 2 h). */
    static final int T_EST = 2;
    /** Set the lifetime to TCP_INCOMING_SYN (RFC 6146 §4: 6 s). */
    static final int T_INCOMING_SYN = 3;

    /** TCP flag bits, as in the TCP header (RFC 9293 §3.1). */
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;

    /**
     * The transition for a packet of an existing session: {@code (newState ordinal) << 8 | timer},
     * timer one of {@link #KEEP}, {@link #T_TRANS}, {@link #T_EST}. Packed in an int so the hot
     * path allocates nothing.
     *
     * @param from the session's state (not CLOSED)
     * @param fromIpv6 true for a packet from the IPv6 side (6→4), false from the IPv4 side
     * @param flags the TCP flags byte
     */
    static int next(TcpState from, boolean fromIpv6, int flags) {
        boolean syn = (flags & SYN) != 0;
        boolean fin = (flags & FIN) != 0;
        boolean rst = (flags & RST) != 0;
        return switch (from) {
            // "V4 INIT: an IPv6 SYN moves to ESTABLISHED, lifetime TCP_EST"; anything else
            // is translated without a change (RFC 6146 §3.5.2.2).
            case V4_INIT -> fromIpv6 && syn ? pack(ESTABLISHED, T_EST) : pack(V4_INIT, KEEP);
            // "V6 INIT: an IPv4 SYN moves to ESTABLISHED (simultaneous open or the answer);
            // an IPv6 SYN (retransmission) refreshes TCP_TRANS" (RFC 6146 §3.5.2.2,
            // RFC 5382 REQ-2).
            case V6_INIT -> {
                if (syn) {
                    yield fromIpv6 ? pack(V6_INIT, T_TRANS) : pack(ESTABLISHED, T_EST);
                }
                yield pack(V6_INIT, KEEP);
            }
            // "ESTABLISHED: a FIN from one side moves to V4/V6 FIN RCV, an RST to TRANS with
            // TCP_TRANS, anything else refreshes TCP_EST."
            case ESTABLISHED -> {
                if (rst) {
                    yield pack(TRANS, T_TRANS);
                }
                if (fin) {
                    yield pack(fromIpv6 ? V6_FIN_RCV : V4_FIN_RCV, T_EST);
                }
                yield pack(ESTABLISHED, T_EST);
            }
            // "V4 FIN RCV: a FIN from IPv6 moves to V6+V4 FIN RCV with TCP_TRANS; anything else
            // refreshes TCP_EST." An RST moves to TRANS: RFC 6146 names RST only in ESTABLISHED,
            // RFC 7857 §2.3 asks that any RST keep the state only TCP_TRANS long.
            case V4_FIN_RCV -> {
                if (rst) {
                    yield pack(TRANS, T_TRANS);
                }
                yield fromIpv6 && fin ? pack(V6_V4_FIN_RCV, T_TRANS) : pack(V4_FIN_RCV, T_EST);
            }
            case V6_FIN_RCV -> {
                if (rst) {
                    yield pack(TRANS, T_TRANS);
                }
                yield !fromIpv6 && fin ? pack(V6_V4_FIN_RCV, T_TRANS) : pack(V6_FIN_RCV, T_EST);
            }
            // "V6+V4 FIN RCV: packets are translated, the lifetime is not refreshed; delete on expiry."
            case V6_V4_FIN_RCV -> pack(V6_V4_FIN_RCV, KEEP);
            // "TRANS: any packet other than an RST moves back to ESTABLISHED (TCP_EST)."
            case TRANS -> rst ? pack(TRANS, KEEP) : pack(ESTABLISHED, T_EST);
            case CLOSED -> throw new IllegalArgumentException("CLOSED is not a stored state");
        };
    }

    static int pack(TcpState s, int timer) {
        return s.ordinal() << 8 | timer;
    }

    /**
     * What happens when a session in this state reaches its expiry time (RFC 6146 §3.5.2.2):
     * true when it moves to TRANS for TCP_TRANS more (ESTABLISHED and the FIN RCV states, where
     * the RFC probes the endpoints), false when it is deleted.
     */
    static boolean expiresToTrans(TcpState s) {
        return s == ESTABLISHED || s == V4_FIN_RCV || s == V6_FIN_RCV;
    }

    /** As {@code show sessions} prints it: {@code V6+V4 FIN RCV} style. */
    public String label() {
        return switch (this) {
            case V4_INIT -> "V4 INIT";
            case V6_INIT -> "V6 INIT";
            case V4_FIN_RCV -> "V4 FIN RCV";
            case V6_FIN_RCV -> "V6 FIN RCV";
            case V6_V4_FIN_RCV -> "V6+V4 FIN RCV";
            default -> name();
        };
    }
}
