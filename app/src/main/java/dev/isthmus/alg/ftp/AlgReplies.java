package dev.isthmus.alg.ftp;

/**
 * The replies the ALG gives itself (RFC 959 §4.2 reply codes), in one place so that the texts
 * are reviewed together.
 */
final class AlgReplies {
    /**
     * RFC 6384 §11: the reply to ALGS STATUS64 (and to ENABLE64 / DISABLE64, which report the
     * new state) is 216 followed by the commands the ALG translates, EPSV and EPRT, or NONE.
     */
    static final String ALGS_ENABLED = "216 EPSVEPRT FTP64 ALG enabled: EPSV and EPRT are translated";
    static final String ALGS_DISABLED = "216 NONE FTP64 ALG disabled";
    static final String ALGS_SYNTAX = "501 ALGS takes STATUS64, ENABLE64 or DISABLE64";

    /** RFC 2428 §4: the ALG accepts EPSV ALL for the server (which may not know EPSV). */
    static final String EPSV_ALL_OK = "200 EPSV ALL command successful";
    /** RFC 2428 §4: after EPSV ALL, any data connection set-up other than EPSV is refused. */
    static final String EPSV_ALL_IN_EFFECT = "503 EPSV ALL in effect: only EPSV may set up data connections";
    /** RFC 2428 §2, §3: the network protocol the client may use through the ALG is 2 (IPv6). */
    static final String PROTOCOL_NOT_SUPPORTED = "522 Network protocol not supported, use (2)";
    static final String EPSV_SYNTAX = "501 Syntax error in EPSV argument";
    static final String EPRT_SYNTAX = "501 Syntax error in EPRT argument";
    /** RFC 2577 §3: a data connection to anyone but the client itself (bounce attack) is refused. */
    static final String BOUNCE_REFUSED = "504 EPRT refused: the address is not the client's own (RFC 2577)";
    static final String PORT_REFUSED = "504 PORT refused by the FTP64 ALG: an IPv6 client uses EPRT (RFC 2428)";
    static final String LPRT_REFUSED = "502 LPRT not supported by the FTP64 ALG, use EPRT (RFC 2428)";
    static final String LPSV_REFUSED = "502 LPSV not supported by the FTP64 ALG, use EPSV (RFC 2428)";
    /** RFC 959 §4.2: 425, the data connection cannot be opened (no IPv4 mapping for EPRT). */
    static final String NO_MAPPING = "425 Can't open data connection: no IPv4 mapping for the client's port";
    /** RFC 6384 §5: the server's 227 names an address other than the server's control address. */
    static final String PASSIVE_ELSEWHERE = "425 Can't open data connection: the server's passive address is not its own";

    private AlgReplies() {}
}
