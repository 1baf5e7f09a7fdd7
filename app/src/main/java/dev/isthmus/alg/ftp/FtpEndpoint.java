package dev.isthmus.alg.ftp;

import java.net.InetAddress;

/**
 * An address and port as an FTP control connection names them: the argument of PORT and EPRT,
 * the text of a 227 or 229 reply. {@code address} is null where the form carries none (RFC 2428
 * §3: a 229 reply names only the port; the address is the control connection's).
 */
public record FtpEndpoint(InetAddress address, int port) {
    public FtpEndpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
    }
}
