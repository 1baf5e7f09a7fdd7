package dev.isthmus.alg.smtp;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Names of spooled messages: 12 hex digits of milliseconds since the epoch, 4 of a counter within
 * the millisecond, 6 random — 22 lowercase hex digits, so that sorting names sorts messages by
 * arrival (delivery order, {@code show smtp-queue}) and two processes that ever shared a spool
 * directory by mistake still do not collide. Within one process the clock is never allowed to run
 * backwards (a clock step back keeps the last millisecond), so names stay increasing.
 */
final class SpoolId {
    /** What {@link Spool} accepts as a message's name: letters and digits only, so never a path. */
    private static final Pattern VALID = Pattern.compile("[0-9A-Za-z]{1,64}");
    private static final int COUNTER_LIMIT = 0x10000;

    private long lastMillis;
    private int counter;

    /** A fresh name, greater than every earlier one from this generator. */
    synchronized String next() {
        long now = System.currentTimeMillis();
        if (now > lastMillis) {
            lastMillis = now;
            counter = 0;
        } else if (++counter == COUNTER_LIMIT) {
            lastMillis++; // 65,536 names in one millisecond: borrow the next one
            counter = 0;
        }
        return String.format("%012x%04x%06x", lastMillis, counter, ThreadLocalRandom.current().nextInt(1 << 24));
    }

    static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
