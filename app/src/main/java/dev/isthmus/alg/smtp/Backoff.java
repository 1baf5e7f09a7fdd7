package dev.isthmus.alg.smtp;

import java.time.Duration;

/**
 * When to try again after a temporary failure (RFC 5321 §4.5.4.1: at least 30 minutes apart is
 * the RFC's advice for a retry interval; the issue asks for the first within 5 minutes): the first
 * retry after {@code first}, then doubling, never more than {@code max} apart.
 */
final class Backoff {
    private Backoff() {}

    /** The wait after the {@code attempts}-th failed attempt (1: the first). */
    static Duration after(int attempts, Duration first, Duration max) {
        Duration d = first;
        for (int i = 1; i < attempts && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
