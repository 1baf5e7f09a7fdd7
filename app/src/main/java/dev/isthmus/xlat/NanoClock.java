package dev.isthmus.xlat;

/**
 * Time source for rate limits: {@code System::nanoTime} live, the capture's timestamps offline
 * (so that offline output does not depend on how fast the machine is).
 */
@FunctionalInterface
public interface NanoClock {
    long nanoTime();

    NanoClock SYSTEM = System::nanoTime;
}
