package dev.isthmus.alg.sip.proxy;

import dev.isthmus.alg.sip.media.MediaCallStats;

/**
 * One call as {@code isthmus show calls} lists it.
 *
 * @param media the relay's streams and packet counts, or null when the media flows directly
 */
public record CallView(String callId, String caller, String callee, String callerFamily, String calleeFamily,
        boolean confirmed, long ageSeconds, MediaCallStats media) {}
