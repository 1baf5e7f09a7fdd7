/**
 * The dual-stack FTP proxy ({@code [[ftp.proxy]]}) on the socket plane: it terminates the client's
 * control connection and its own to the server (of the other family), relays commands and replies
 * line by line, and answers the data-connection commands (PASV, EPSV, PORT, EPRT; RFC 959 §4.1.2,
 * RFC 2428) on each side itself, so that either side may be passive or active. The data
 * connections are spliced ({@link dev.isthmus.relay.Splice}). The addresses in the commands and
 * replies are read and written by {@link dev.isthmus.alg.ftp.FtpAddresses}.
 */
package dev.isthmus.alg.ftp.proxy;
