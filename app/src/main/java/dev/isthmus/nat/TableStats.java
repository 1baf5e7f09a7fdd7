package dev.isthmus.nat;

/**
 * Table-wide figures (sizes and the events no single worker sees), summed over the shards.
 *
 * @param sessions live sessions
 * @param bibTcp live TCP BIB entries (also udp, icmp)
 * @param subscribers subscribers holding at least one BIB entry
 * @param storedSyns IPv4 SYNs held now
 * @param sessionsCreated sessions ever created
 * @param sessionsExpired sessions ended by the expiry sweep
 * @param probes ESTABLISHED expiries that moved to TRANS (and asked for a probe when enabled)
 * @param storedSynsExpired stored SYNs whose TCP_INCOMING_SYN ran out
 * @param storedSynsSuperseded stored SYNs dropped silently because the IPv6 SYN came (RFC 5382 REQ-4)
 * @param heapBytes heap held by the tables' arrays (an estimate from their lengths)
 */
public record TableStats(long sessions, long bibTcp, long bibUdp, long bibIcmp, long subscribers, long storedSyns,
        long sessionsCreated, long sessionsExpired, long probes, long storedSynsExpired, long storedSynsSuperseded,
        long heapBytes) {}
