/**
 * FTP across the protocol boundary, the core without sockets: the addresses FTP carries in its
 * control connection ({@link dev.isthmus.alg.ftp.FtpAddresses}) and the rewriting of RFC 6384
 * that the stateful NAT64's data-plane ALG ({@code nat}) and the socket-plane FTP proxy
 * ({@code alg.ftp.proxy}) share. Depends on {@code wire} at most, so that the packet plane may
 * use it.
 */
package dev.isthmus.alg.ftp;
