package dev.isthmus.alg.ftp.proxy;

import dev.isthmus.alg.ftp.FtpAddresses;
import dev.isthmus.alg.ftp.FtpEndpoint;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The data-connection commands, translated per side and pure: what the proxy answers the client's
 * PASV, EPSV, PORT and EPRT, and what it sends the server and reads from its replies. The proxy
 * sets up each side on its own, so the two sides need not use the same mode or family.
 */
final class DataCommands {
    /**
     * The client's PORT or EPRT, judged.
     *
     * @param target where the proxy connects when the transfer starts; null when refused
     * @param refusal why not; null when accepted
     * @param reply the reply refusing it (without CRLF); null when accepted
     */
    record Active(FtpEndpoint target, FtpRefusal refusal, String reply) {
        static Active refused(FtpRefusal r, String reply) {
            return new Active(null, r, reply);
        }
    }

    /** RFC 2577 §3: servers should refuse data ports below 1024 (the well-known services'). */
    static final int LOWEST_DATA_PORT = 1024;

    private DataCommands() {}

    /** RFC 2428 §2's 522 reply: the family the client must use, the one of its own control connection. */
    static String unsupportedFamily(InetAddress client) {
        int af = client instanceof Inet6Address ? FtpAddresses.AF_IPV6 : FtpAddresses.AF_IPV4;
        return "522 Network protocol not supported, use (" + af + ")";
    }

    /**
     * The client's PORT or EPRT: accepted only when it names the client's own address
     * ({@code client}, unmapped) and a port from 1024 up. Anything else would let the client make
     * the proxy connect to a third host (RFC 2577 §3, the bounce attack).
     */
    static Active active(FtpCommand c, InetAddress client) {
        FtpEndpoint e;
        if (c.verb().equals("PORT")) {
            if (!(client instanceof Inet4Address)) {
                return Active.refused(FtpRefusal.DATA_COMMAND,
                        "501 PORT names IPv4 addresses only (RFC 959 §4.1.2); over IPv6 use EPRT (RFC 2428 §2)");
            }
            e = FtpAddresses.parsePort(c.argument());
            if (e == null) {
                return Active.refused(FtpRefusal.DATA_COMMAND, "501 Syntax error in PORT: h1,h2,h3,h4,p1,p2 expected");
            }
        } else {
            int af = FtpAddresses.eprtFamily(c.argument());
            int own = client instanceof Inet6Address ? FtpAddresses.AF_IPV6 : FtpAddresses.AF_IPV4;
            if (af >= 0 && af != own) {
                return Active.refused(FtpRefusal.DATA_COMMAND, unsupportedFamily(client));
            }
            e = FtpAddresses.parseEprt(c.argument());
            if (e == null) {
                return Active.refused(FtpRefusal.DATA_COMMAND,
                        "501 Syntax error in EPRT: |af|address|port| expected (RFC 2428 §2)");
            }
        }
        if (!e.address().equals(client)) {
            return Active.refused(FtpRefusal.BOUNCE, "504 " + c.verb() + " names " + text(e.address())
                    + ", not this client's own address: refused (RFC 2577 §3, FTP bounce)");
        }
        if (e.port() < LOWEST_DATA_PORT) {
            return Active.refused(FtpRefusal.BOUNCE, "504 " + c.verb() + " names port " + e.port()
                    + ": ports below " + LOWEST_DATA_PORT + " are refused (RFC 2577 §3)");
        }
        return new Active(e, null, null);
    }

    /**
     * Null when the proxy can answer the client's PASV or EPSV on {@code local} (the address the
     * client reached), else the reply refusing it.
     */
    static String passiveRefusal(FtpCommand c, InetAddress local) {
        if (c.verb().equals("PASV")) {
            // 227 carries an IPv4 address (RFC 959 §4.1.2); RFC 2428 §3's EPSV is IPv6's.
            return local instanceof Inet4Address ? null
                    : "425 PASV answers with an IPv4 address, this connection is IPv6: use EPSV (RFC 2428 §3)";
        }
        int af = FtpAddresses.epsvArgument(c.argument());
        if (af == 0) {
            return null;
        }
        int own = local instanceof Inet6Address ? FtpAddresses.AF_IPV6 : FtpAddresses.AF_IPV4;
        return af == own ? null : unsupportedFamily(local);
    }

    /** The reply to the client's PASV or EPSV, the proxy listening on {@code local}, {@code port}. */
    static String passiveReply(FtpCommand c, InetAddress local, int port) {
        return c.verb().equals("PASV") ? FtpAddresses.format227((Inet4Address) local, port)
                : FtpAddresses.format229(port);
    }

    /** An address as operators write it ({@code 2001:db8::1}, not Java's uncompressed form). */
    static String text(InetAddress a) {
        return a instanceof Inet6Address ? Ipv6Address.ofBytes(a.getAddress()).toString() : a.getHostAddress();
    }

    /** What the proxy sends the server to make it listen. */
    static String serverPassive(boolean epsv) {
        return epsv ? "EPSV" : "PASV";
    }

    /**
     * The port the server's reply to EPSV (229) or PASV (227) names, or -1. The address of a 227
     * is not used: the proxy connects to the address of its control connection, as RFC 2428 §3
     * has EPSV do, so that a server cannot send the proxy to a third host (RFC 2577 §3) and a
     * server that writes its private address behind a NAT still works.
     */
    static int serverPassivePort(boolean epsv, FtpReply r) {
        for (String line : r.lines()) {
            if (epsv && r.code() == 229) {
                int p = FtpAddresses.parse229(line);
                if (p > 0) {
                    return p;
                }
            } else if (!epsv && r.code() == 227) {
                FtpEndpoint e = FtpAddresses.parse227(line);
                if (e != null && e.port() > 0) {
                    return e.port();
                }
            }
        }
        return -1;
    }

    /** What the proxy sends the server to have it connect to {@code own}, {@code port}. */
    static String serverActive(boolean eprt, InetAddress own, int port) {
        return eprt ? "EPRT " + FtpAddresses.formatEprt(own, port) : "PORT " + FtpAddresses.formatPort((Inet4Address) own, port);
    }

    /**
     * Whether the server's negative reply to EPSV (EPRT) calls for PASV (PORT): only an IPv4
     * server has the old commands, and only a permanent negative reply (5yz: 500 or 502, not
     * understood; 522, not this family; RFC 2428 §2-3) says the extended one will not work.
     */
    static boolean fallBack(FtpReply r, InetAddress server) {
        return r.code() >= 500 && r.code() < 600 && server instanceof Inet4Address;
    }
}
