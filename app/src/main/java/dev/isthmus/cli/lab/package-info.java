/**
 * The lab: an IPv6-only client, an IPv4-only server and isthmus between them, each in its own
 * Linux network namespace, built and removed by the project itself (DESIGN.md, "The lab").
 * {@code isthmus lab} runs it as a demo and the end-to-end tests run against it.
 *
 * <p>Addresses are documentation ranges (RFC 3849, RFC 5737), so the translation prefix is the
 * network-specific {@code 2001:db8:64::/96}: RFC 6052 §3.1 forbids the well-known prefix for
 * non-global IPv4 addresses.
 *
 * <p>This package depends on nothing else of isthmus (it starts {@code isthmus run} as a separate
 * process), so that it stays below {@code cli} without a cycle.
 */
package dev.isthmus.cli.lab;
