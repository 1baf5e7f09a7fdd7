package dev.isthmus.alg.ftp;

/**
 * What the ALG needs from the stateful NAT64 for active mode (RFC 6384 §5.3: EPRT → PORT): the
 * IPv4 transport address (T,t) on which the IPv4 server's data connection reaches the client's
 * (X',p), with the BIB entry (and what filtering needs) created before the PORT leaves, from
 * the same pool4 address as the control connection (paired pooling).
 */
public interface ActiveMapper {
    /**
     * @param clientHi the client X' (high 64 bits)
     * @param clientLo the client X' (low 64 bits)
     * @param clientPort p, the port the client's EPRT names
     * @param server Z, the server's IPv4 address (the data connection comes from it)
     * @return {@code T << 16 | t} as a long, or -1 when no mapping could be made (the ALG then
     *     answers the EPRT with 425 itself)
     */
    long map(long clientHi, long clientLo, int clientPort, int server);
}
