package dev.isthmus.alg.ftp.proxy;

import java.util.Locale;
import java.util.Set;

/**
 * One command line from the client (RFC 959 §4.1, §5.3): the verb, upper-cased, and the rest of
 * the line after one space. What the proxy does with it is its {@link Kind}.
 *
 * @param verb the command code, upper-case ({@code RETR}); empty for an empty line
 * @param argument what follows the verb and its space, as sent; empty when there is none
 */
record FtpCommand(String verb, String argument) {
    /** How the proxy handles a command. */
    enum Kind {
        /** Passed to the server, its reply to the client: most commands. */
        RELAY,
        /** PASV or EPSV (without ALL): the proxy listens for the client (RFC 959 §4.1.2, RFC 2428 §3). */
        PASSIVE,
        /** EPSV ALL (RFC 2428 §4): answered by the proxy; only EPSV may follow. */
        EPSV_ALL,
        /** PORT or EPRT: the proxy connects to the client (RFC 959 §4.1.2, RFC 2428 §2). */
        ACTIVE,
        /** LPRT, LPSV (RFC 1639): not supported; EPRT and EPSV replaced them. */
        LONG_ADDRESS,
        /** A command whose data flows over the data connection set up before it. */
        TRANSFER,
        /** AUTH (RFC 2228 §3): TLS refused or passed through ({@link FtpProxySettings.Tls}). */
        AUTH
    }

    /** RFC 959 §4.1.3 and RFC 3659 §7: the commands that use the data connection. */
    static final Set<String> TRANSFERS = Set.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");

    /** The command in {@code line} (without its CRLF). */
    static FtpCommand parse(String line) {
        int space = line.indexOf(' ');
        String verb = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1);
        return new FtpCommand(verb.strip().toUpperCase(Locale.ROOT), argument);
    }

    Kind kind() {
        return switch (verb) {
            case "PASV" -> Kind.PASSIVE;
            case "EPSV" -> argument.strip().equalsIgnoreCase("ALL") ? Kind.EPSV_ALL : Kind.PASSIVE;
            case "PORT", "EPRT" -> Kind.ACTIVE;
            case "LPRT", "LPSV" -> Kind.LONG_ADDRESS;
            case "AUTH" -> Kind.AUTH;
            default -> TRANSFERS.contains(verb) ? Kind.TRANSFER : Kind.RELAY;
        };
    }
}
