package dev.isthmus.nat;

import java.time.Duration;

/**
 * Everything the stateful NAT64 tables need, as the config fills it (the tables never read the
 * configuration model). Timers default to RFC 6146 §4 and may only be set within the bounds the
 * RFCs make mandatory; build with {@link #builder(Pool4)}.
 *
 * @param pool4 the addresses and per-protocol port ranges to allocate from
 * @param filtering endpoint-independent (default) or address-dependent (RFC 6146 §1.2.3)
 * @param udpTimeout UDP session lifetime: ≥ UDP_MIN 2 min (RFC 4787 REQ-5), default UDP_DEFAULT 5 min
 * @param icmpTimeout ICMP query session lifetime: ≥ 60 s (RFC 5508 REQ-2), default ICMP_DEFAULT 60 s
 * @param tcpEstablished TCP_EST: ≥ 2 h, default 2 h; with TCP_TRANS after it, the 2 h 4 min of RFC 5382 REQ-5
 * @param tcpTransitory TCP_TRANS: ≥ 4 min (RFC 5382 REQ-5, RFC 7857 §2.2), default 4 min
 * @param tcpIncomingSyn TCP_INCOMING_SYN: ≥ 6 s (RFC 5382 REQ-4), default 6 s
 * @param ipv4Refreshes whether IPv4-side UDP and ICMP packets extend a session's lifetime
 *     (RFC 4787 REQ-6a, MAY; default true). IPv6-side packets always do (REQ-6, MUST). TCP follows
 *     the state machine in both directions.
 * @param dropExternalTcp drop every IPv4-initiated SYN (RFC 6146 §3.5.2.2 "security policy"), default false
 * @param probeEstablished when an ESTABLISHED session expires, ask the listener to probe it
 *     (RFC 6146 §3.5.2.2, SHOULD); either way the session moves to TRANS for TCP_TRANS
 * @param storedSynIcmp when a stored IPv4 SYN times out, ask for ICMPv4 3/3 (RFC 5382 REQ-4,
 *     SHOULD) rather than dropping it silently (REQ-4a, MUST when policy forbids the answer)
 * @param maxSessions all sessions of every protocol
 * @param maxSessionsPerSubscriber sessions of one subscriber (IPv6 prefix of
 *     {@code subscriberLength} bits)
 * @param maxPortsPerSubscriber (T,t) one subscriber may hold per protocol, i.e. its BIB entries
 *     of that protocol (RFC 6888 REQ-4: a CGN MUST support limiting the external ports or ICMP
 *     identifiers assigned per subscriber); default {@link #DEFAULT_MAX_PORTS_PER_SUBSCRIBER}, or
 *     {@link #MAX_PORTS_PER_SUBSCRIBER} (no limit but the block) with port blocks
 * @param maxBibTcp BIB entries of TCP
 * @param maxBibUdp BIB entries of UDP
 * @param maxBibIcmp BIB entries of ICMP
 * @param maxStoredSyns IPv4 SYNs held for TCP_INCOMING_SYN at once
 * @param subscriberLength prefix length that makes one subscriber (limits, paired pooling), default 128
 * @param shards lock stripes, a power of two (default 64)
 * @param portBlocks deterministic port blocks (RFC 7422), or null for dynamic allocation
 * @param ftpAlgPorts the IPv4 server ports whose TCP sessions the FTP ALG of RFC 6384 follows
 *     (default {@link #DEFAULT_FTP_ALG_PORTS}: RFC 6384 §4 asks for the ALG on the FTP control
 *     port; RFC 6888 leaves which ALGs run to the operator), empty for none
 */
public record Nat64Settings(
        Pool4 pool4,
        Filtering filtering,
        Duration udpTimeout,
        Duration icmpTimeout,
        Duration tcpEstablished,
        Duration tcpTransitory,
        Duration tcpIncomingSyn,
        boolean ipv4Refreshes,
        boolean dropExternalTcp,
        boolean probeEstablished,
        boolean storedSynIcmp,
        int maxSessions,
        int maxSessionsPerSubscriber,
        int maxPortsPerSubscriber,
        int maxBibTcp,
        int maxBibUdp,
        int maxBibIcmp,
        int maxStoredSyns,
        int subscriberLength,
        int shards,
        PortBlocks portBlocks,
        PortSet ftpAlgPorts) {

    public static final Duration UDP_MIN = Duration.ofMinutes(2);
    public static final Duration UDP_DEFAULT = Duration.ofMinutes(5);
    public static final Duration ICMP_DEFAULT = Duration.ofSeconds(60);
    public static final Duration TCP_EST = Duration.ofHours(2);
    public static final Duration TCP_TRANS = Duration.ofMinutes(4);
    public static final Duration TCP_INCOMING_SYN = Duration.ofSeconds(6);
    /** Upper bound on every timer: far below the 2^31 ticks the tables can compare. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(30);
    /**
     * RFC 6888 leaves the value to the operator. 1024 is one shard's slice of an address at the
     * default 64 shards (65536 / 64): 64 subscribers at their limit fill one address's ports of a
     * protocol, so one greedy subscriber takes at most 1/64 of an address from the others.
     */
    public static final int DEFAULT_MAX_PORTS_PER_SUBSCRIBER = 1024;
    /**
     * The largest port limit, also the default with port blocks: a block bounds its subscriber's
     * ports already, and a full block stays {@link NatVerdict#POOL_EXHAUSTED} as before.
     */
    public static final int MAX_PORTS_PER_SUBSCRIBER = 1 << 26;
    /** The FTP control port (RFC 959 §5.4 names 21 the control connection's default port). */
    public static final PortSet DEFAULT_FTP_ALG_PORTS = PortSet.of(21);

    /** @throws IllegalArgumentException naming the setting and its bound */
    public Nat64Settings {
        if (pool4 == null) {
            throw new IllegalArgumentException("nat64 needs a pool4");
        }
        if (filtering == null) {
            throw new IllegalArgumentException("filtering is not set");
        }
        bound("udp timeout", udpTimeout, UDP_MIN, "RFC 4787 REQ-5");
        bound("icmp timeout", icmpTimeout, ICMP_DEFAULT, "RFC 5508 REQ-2");
        bound("tcp established timeout", tcpEstablished, TCP_EST, "RFC 5382 REQ-5");
        bound("tcp transitory timeout", tcpTransitory, TCP_TRANS, "RFC 5382 REQ-5");
        bound("tcp incoming syn timeout", tcpIncomingSyn, TCP_INCOMING_SYN, "RFC 5382 REQ-4");
        positive("max sessions", maxSessions);
        positive("max sessions per subscriber", maxSessionsPerSubscriber);
        positive("max ports per subscriber", maxPortsPerSubscriber);
        positive("max tcp bib", maxBibTcp);
        positive("max udp bib", maxBibUdp);
        positive("max icmp bib", maxBibIcmp);
        if (maxStoredSyns < 0) {
            throw new IllegalArgumentException("max stored syns must be ≥ 0");
        }
        if (maxSessions > 1 << 28 || maxSessionsPerSubscriber > 1 << 26 || maxPortsPerSubscriber > MAX_PORTS_PER_SUBSCRIBER) {
            throw new IllegalArgumentException("max sessions at most 2^28, sessions and ports per subscriber at most 2^26");
        }
        if (subscriberLength < 1 || subscriberLength > 128) {
            throw new IllegalArgumentException("subscriber length /" + subscriberLength + " is not in 1-128");
        }
        if (shards < 1 || shards > 1024 || Integer.bitCount(shards) != 1) {
            throw new IllegalArgumentException("shards " + shards + " is not a power of two in 1-1024");
        }
        if (ftpAlgPorts == null) {
            throw new IllegalArgumentException("ftp alg ports are not set");
        }
        if (portBlocks != null) {
            portBlocks.check(pool4);
            if (portBlocks.subscriberLength() != subscriberLength) {
                throw new IllegalArgumentException("with port blocks the subscriber length is the block's /"
                        + portBlocks.subscriberLength());
            }
        }
    }

    private static void bound(String name, Duration d, Duration min, String rfc) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " " + d + " is not within " + min + " (" + rfc + ") and "
                    + MAX_TIMEOUT);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + v);
        }
    }

    public int maxBib(NatProtocol p) {
        return switch (p) {
            case TCP -> maxBibTcp;
            case UDP -> maxBibUdp;
            case ICMP -> maxBibIcmp;
        };
    }

    public static Builder builder(Pool4 pool4) {
        return new Builder(pool4);
    }

    /** A copy to change: {@code settings.toBuilder().filtering(...).build()}. */
    public Builder toBuilder() {
        Builder b = new Builder(pool4);
        b.filtering = filtering;
        b.udpTimeout = udpTimeout;
        b.icmpTimeout = icmpTimeout;
        b.tcpEstablished = tcpEstablished;
        b.tcpTransitory = tcpTransitory;
        b.tcpIncomingSyn = tcpIncomingSyn;
        b.ipv4Refreshes = ipv4Refreshes;
        b.dropExternalTcp = dropExternalTcp;
        b.probeEstablished = probeEstablished;
        b.storedSynIcmp = storedSynIcmp;
        b.maxSessions = maxSessions;
        b.maxSessionsPerSubscriber = maxSessionsPerSubscriber;
        b.maxPortsPerSubscriber = maxPortsPerSubscriber;
        b.maxBibTcp = maxBibTcp;
        b.maxBibUdp = maxBibUdp;
        b.maxBibIcmp = maxBibIcmp;
        b.maxStoredSyns = maxStoredSyns;
        b.subscriberLength = subscriberLength;
        b.shards = shards;
        b.portBlocks = portBlocks;
        b.ftpAlgPorts = ftpAlgPorts;
        return b;
    }

    /** Defaults: RFC 6146 §4 timers, endpoint-independent filtering, 1M sessions. */
    public static final class Builder {
        private final Pool4 pool4;
        private Filtering filtering = Filtering.ENDPOINT_INDEPENDENT;
        private Duration udpTimeout = UDP_DEFAULT;
        private Duration icmpTimeout = ICMP_DEFAULT;
        private Duration tcpEstablished = TCP_EST;
        private Duration tcpTransitory = TCP_TRANS;
        private Duration tcpIncomingSyn = TCP_INCOMING_SYN;
        private boolean ipv4Refreshes = true;
        private boolean dropExternalTcp;
        private boolean probeEstablished = true;
        private boolean storedSynIcmp = true;
        private int maxSessions = 1 << 20;
        private int maxSessionsPerSubscriber = 4096;
        private int maxPortsPerSubscriber = DEFAULT_MAX_PORTS_PER_SUBSCRIBER;
        private int maxBibTcp = 1 << 20;
        private int maxBibUdp = 1 << 20;
        private int maxBibIcmp = 1 << 18;
        private int maxStoredSyns = 1024;
        private int subscriberLength = 128;
        private int shards = 64;
        private PortBlocks portBlocks;
        private PortSet ftpAlgPorts = DEFAULT_FTP_ALG_PORTS;

        private Builder(Pool4 pool4) {
            this.pool4 = pool4;
        }

        public Builder filtering(Filtering v) { filtering = v; return this; }
        public Builder udpTimeout(Duration v) { udpTimeout = v; return this; }
        public Builder icmpTimeout(Duration v) { icmpTimeout = v; return this; }
        public Builder tcpEstablished(Duration v) { tcpEstablished = v; return this; }
        public Builder tcpTransitory(Duration v) { tcpTransitory = v; return this; }
        public Builder tcpIncomingSyn(Duration v) { tcpIncomingSyn = v; return this; }
        public Builder ipv4Refreshes(boolean v) { ipv4Refreshes = v; return this; }
        public Builder dropExternalTcp(boolean v) { dropExternalTcp = v; return this; }
        public Builder probeEstablished(boolean v) { probeEstablished = v; return this; }
        public Builder storedSynIcmp(boolean v) { storedSynIcmp = v; return this; }
        public Builder maxSessions(int v) { maxSessions = v; return this; }
        public Builder maxSessionsPerSubscriber(int v) { maxSessionsPerSubscriber = v; return this; }
        public Builder maxPortsPerSubscriber(int v) { maxPortsPerSubscriber = v; return this; }
        public Builder maxBib(NatProtocol p, int v) {
            switch (p) {
                case TCP -> maxBibTcp = v;
                case UDP -> maxBibUdp = v;
                case ICMP -> maxBibIcmp = v;
            }
            return this;
        }
        public Builder maxStoredSyns(int v) { maxStoredSyns = v; return this; }
        public Builder subscriberLength(int v) { subscriberLength = v; return this; }
        public Builder shards(int v) { shards = v; return this; }
        public Builder ftpAlgPorts(PortSet v) { ftpAlgPorts = v; return this; }
        /**
         * Also sets the subscriber length to the blocks', and lifts the port limit to
         * {@link #MAX_PORTS_PER_SUBSCRIBER} (a block bounds a subscriber's ports already; set a
         * lower limit after this call).
         */
        public Builder portBlocks(PortBlocks v) {
            portBlocks = v;
            if (v != null) {
                subscriberLength = v.subscriberLength();
                maxPortsPerSubscriber = MAX_PORTS_PER_SUBSCRIBER;
            }
            return this;
        }

        public Nat64Settings build() {
            return new Nat64Settings(pool4, filtering, udpTimeout, icmpTimeout, tcpEstablished, tcpTransitory,
                    tcpIncomingSyn, ipv4Refreshes, dropExternalTcp, probeEstablished, storedSynIcmp, maxSessions,
                    maxSessionsPerSubscriber, maxPortsPerSubscriber, maxBibTcp, maxBibUdp, maxBibIcmp, maxStoredSyns,
                    subscriberLength, shards, portBlocks, ftpAlgPorts);
        }
    }
}
