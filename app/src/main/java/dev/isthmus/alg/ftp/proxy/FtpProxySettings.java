package dev.isthmus.alg.ftp.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.addr.PortSet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One FTP proxy ({@code [[ftp.proxy]]}).
 *
 * @param name for counters and logs
 * @param listen where clients connect (their family is the client side)
 * @param connect the FTP server; null in transparent mode
 * @param pool6 transparent mode: the server is the IPv4 address embedded (RFC 6052) in the
 *     address each client connected to, at the port it connected to; null with {@code connect}
 * @param allow the clients that may use it (required: no open proxy)
 * @param allowDestinations transparent mode: servers allowed although the destination policy
 *     would refuse them
 * @param connectPorts transparent mode: the ports the proxy may connect to
 * @param maxConnections control connections at once, all clients together
 * @param maxPerClient control connections at once from one client address
 * @param idleTimeout a control connection with nothing said either way and no transfer running,
 *     or a data connection with no byte either way, is closed after this long
 * @param connectTimeout how long a connection to the server (control or data) may take, and how
 *     long the data connections of a transfer may take to be set up
 * @param firstCommandTimeout a client that has not sent a whole command this long after its
 *     connection was accepted is told 421 and closed
 * @param tls what AUTH (RFC 2228, RFC 4217) gets
 * @param serverMode how the proxy sets up data connections with the server
 * @param dataPorts the ports the proxy listens on for data connections (passive towards the
 *     client, active towards the server)
 */
public record FtpProxySettings(
        String name,
        InetSocketAddress listen,
        InetSocketAddress connect,
        Rfc6052Prefix pool6,
        AddressSet allow,
        AddressSet allowDestinations,
        PortSet connectPorts,
        int maxConnections,
        int maxPerClient,
        Duration idleTimeout,
        Duration connectTimeout,
        Duration firstCommandTimeout,
        Tls tls,
        ServerMode serverMode,
        DataPorts dataPorts) {

    /** What the proxy does with AUTH TLS. */
    public enum Tls {
        /**
         * Answered 534 by the proxy itself: TLS would hide the addresses it must translate. A
         * client that allows plain FTP (lftp's default) goes on without TLS.
         */
        REFUSE("refuse"),
        /**
         * Passed to the server; once the server says 234 the control connection is relayed
         * opaquely, so the proxy can no longer set up data connections (the 234 says so).
         */
        PASSTHROUGH("passthrough");

        private final String key;

        Tls(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** How the data connections with the server are set up. */
    public enum ServerMode {
        /** EPSV (RFC 2428 §3), PASV when the server refuses it: the proxy connects. */
        PASSIVE("passive"),
        /** EPRT (RFC 2428 §2), PORT when the server refuses it: the server connects to the proxy. */
        ACTIVE("active");

        private final String key;

        ServerMode(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** As a relay's: lftp's mirror and parallel gets open a control connection each. */
    public static final int DEFAULT_MAX_PER_CLIENT = 64;
    /** vsftpd's idle session timeout is 300 s; the proxy should not be the one that ends a session first. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(900);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The greeting comes first, so this covers the connection to the server and the client's reply to it. */
    public static final Duration DEFAULT_FIRST_COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** RFC 959 §5.2: the server's control port. */
    public static final PortSet DEFAULT_CONNECT_PORTS = PortSet.NONE.with(21, 21);

    public FtpProxySettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(allow, "allow");
        Objects.requireNonNull(allowDestinations, "allowDestinations");
        Objects.requireNonNull(connectPorts, "connectPorts");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(firstCommandTimeout, "firstCommandTimeout");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(serverMode, "serverMode");
        Objects.requireNonNull(dataPorts, "dataPorts");
        if ((connect == null) == (pool6 == null)) {
            throw new IllegalArgumentException("an FTP proxy has either connect or pool6 (transparent)");
        }
        if (maxConnections < 1 || maxPerClient < 1) {
            throw new IllegalArgumentException("max connections " + maxConnections + ", per client " + maxPerClient);
        }
    }

    public boolean transparent() {
        return pool6 != null;
    }
}
