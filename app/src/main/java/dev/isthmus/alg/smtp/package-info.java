/**
 * The dual-stack SMTP smart relay (RFC 5321): a server that accepts mail from the clients in
 * {@code allow} over either family, a durable spool ({@link dev.isthmus.alg.smtp.Spool}), and a
 * client that delivers over whichever family the destination has. Socket plane (Netty).
 */
package dev.isthmus.alg.smtp;
