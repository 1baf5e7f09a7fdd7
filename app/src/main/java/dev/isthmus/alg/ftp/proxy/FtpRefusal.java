package dev.isthmus.alg.ftp.proxy;

/**
 * Why the FTP proxy refused a client, a command or a data connection; each has a counter
 * ({@link FtpProxyCounters#refused}) and a key for {@code show stats} and the metrics.
 */
public enum FtpRefusal {
    /** The client's address is not in {@code allow}: closed at accept. */
    CLIENT_NOT_ALLOWED("client-not-allowed"),
    /** {@code max-connections} control connections are open. */
    TOTAL_LIMIT("total-limit"),
    /** This client has {@code max-per-client} control connections open. */
    CLIENT_LIMIT("client-limit"),
    /** The socket plane is out of descriptors (the open-file limit less the reserve). */
    DESCRIPTOR_LIMIT("descriptor-limit"),
    /** Transparent mode: the address the client reached embeds a server the proxy must not reach. */
    DESTINATION_REFUSED("destination-refused"),
    /** Transparent mode: the port the client reached is not in {@code connect-ports}. */
    CONNECT_PORT("connect-port"),
    /** The server's control connection could not be opened. */
    CONNECT_FAILED("connect-failed"),
    /** No whole command within {@code first-command-timeout} of accept: 421 and closed. */
    FIRST_COMMAND_TIMEOUT("first-command-timeout"),
    /** A line longer than the proxy reads (either side): the session is closed. */
    LINE_TOO_LONG("line-too-long"),
    /**
     * PORT or EPRT naming another host than the client, or a privileged port (RFC 2577 §3, the
     * bounce attack): 504.
     */
    BOUNCE("bounce"),
    /** PORT, EPRT, PASV, EPSV or LPRT that the proxy cannot honour (syntax, family, EPSV ALL). */
    DATA_COMMAND("data-command"),
    /** AUTH with {@code tls = "refuse"}: 534. */
    TLS_REFUSED("tls-refused"),
    /** A data connection could not be set up (server refused EPSV and PASV, connect failed, no port free). */
    DATA_SETUP_FAILED("data-setup-failed"),
    /** A connection to a data port from another address than the expected peer's: closed. */
    DATA_PEER("data-peer");

    private final String key;

    FtpRefusal(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
