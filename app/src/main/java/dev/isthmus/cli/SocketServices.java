package dev.isthmus.cli;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.alg.ftp.proxy.FtpProxy;
import dev.isthmus.alg.ftp.proxy.FtpProxySettings;
import dev.isthmus.alg.http.HttpGateway;
import dev.isthmus.alg.sip.proxy.CallView;
import dev.isthmus.alg.sip.proxy.SipProxy;
import dev.isthmus.alg.smtp.Delivery;
import dev.isthmus.alg.smtp.SmtpRelay;
import dev.isthmus.alg.turn.server.TurnServer;
import dev.isthmus.config.IsthmusConfig;
import dev.isthmus.config.Nat64Config;
import dev.isthmus.config.SiitConfig;
import dev.isthmus.control.SocketPlaneStats;
import dev.isthmus.dns64.Dns64Server;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.Relay;
import dev.isthmus.relay.RelaySettings;
import dev.isthmus.relay.SocketPlane;
import dev.isthmus.relay.TranslatedPrefixes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The socket-plane services of {@code isthmus run}: the {@code [dns64]} server (its own threads),
 * the {@code [[relay]]} relays, the {@code [http]} gateway, the {@code [[ftp.proxy]]} proxies
 * the {@code [smtp]} relay, the {@code [sip]} proxy and the {@code [turn]} server on shared event loops. Started all
 * or none; closed in reverse order.
 */
final class SocketServices implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.cli");

    private final Dns64Server dns64;
    private final SocketPlane plane;
    private final List<Relay> relays;
    private final HttpGateway http;
    private final List<FtpProxy> ftpProxies;
    private final SmtpRelay smtp;
    private final SipProxy sip;
    private final TurnServer turn;

    private SocketServices(Dns64Server dns64, SocketPlane plane, List<Relay> relays, HttpGateway http,
            List<FtpProxy> ftpProxies, SmtpRelay smtp, SipProxy sip, TurnServer turn) {
        this.dns64 = dns64;
        this.plane = plane;
        this.relays = relays;
        this.http = http;
        this.ftpProxies = ftpProxies;
        this.smtp = smtp;
        this.sip = sip;
        this.turn = turn;
    }

    /** Starts what {@code cfg} configures; null when it configures nothing of the socket plane. */
    static SocketServices start(IsthmusConfig cfg) throws IOException {
        if (!cfg.hasSocketServices()) {
            return null;
        }
        Dns64Server dns64 = cfg.dns64() == null ? null : Dns64Server.start(cfg.dns64().settings());
        SocketPlane plane = null;
        List<Relay> relays = new ArrayList<>();
        List<FtpProxy> ftpProxies = new ArrayList<>();
        HttpGateway http = null;
        SmtpRelay smtp = null;
        SipProxy sip = null;
        TurnServer turn = null;
        try {
            if (!cfg.relays().isEmpty() || cfg.http() != null || !cfg.ftpProxies().isEmpty() || cfg.smtp() != null
                    || cfg.sip() != null || cfg.turn() != null) {
                plane = SocketPlane.start(Math.max(1, Runtime.getRuntime().availableProcessors()), descriptors(cfg));
                for (RelaySettings r : cfg.relays()) {
                    relays.add(Relay.start(plane, r));
                }
                http = cfg.http() == null ? null : HttpGateway.start(plane, cfg.http(), translated(cfg));
                for (FtpProxySettings f : cfg.ftpProxies()) {
                    ftpProxies.add(FtpProxy.start(plane, f, translated(cfg)));
                }
                smtp = cfg.smtp() == null ? null : SmtpRelay.start(plane, cfg.smtp());
                sip = cfg.sip() == null ? null : SipProxy.start(plane, cfg.sip(), translated(cfg));
                turn = cfg.turn() == null ? null : TurnServer.start(plane, cfg.turn(), translated(cfg));
            }
            return new SocketServices(dns64, plane, relays, http, ftpProxies, smtp, sip, turn);
        } catch (IOException | RuntimeException e) {
            if (turn != null) {
                turn.close();
            }
            if (sip != null) {
                sip.close();
            }
            if (smtp != null) {
                smtp.close();
            }
            ftpProxies.reversed().forEach(FtpProxy::close);
            if (http != null) {
                http.close();
            }
            relays.reversed().forEach(Relay::close);
            if (plane != null) {
                plane.close();
            }
            if (dns64 != null) {
                dns64.close();
            }
            throw e;
        }
    }

    /**
     * The descriptors the relays' and the HTTP gateway's sockets may hold together: the soft
     * open-file limit less {@link DescriptorBudget#RESERVE} and the DNS64 server's TCP connections,
     * which take theirs outside the socket plane's count. Unlimited (each service's own limits
     * only) when the limit cannot be read.
     */
    static DescriptorBudget descriptors(IsthmusConfig cfg) {
        int reserve = DescriptorBudget.RESERVE + (cfg.dns64() == null ? 0 : cfg.dns64().settings().tcpConnections());
        OpenFileLimit.Limits limit;
        try {
            limit = OpenFileLimit.get();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the open-file limit, the socket plane's sockets are"
                    + " limited by each service's own limits only: " + e);
            return DescriptorBudget.unlimited();
        }
        DescriptorBudget b = DescriptorBudget.of(limit.soft(), reserve);
        LOG.log(System.Logger.Level.INFO, "socket plane: at most " + b.max() + " sockets at once (open-file limit "
                + limit.soft() + ", reserve " + reserve + ")");
        return b;
    }

    /**
     * What this process's data plane translates to IPv4: {@code [siit]}'s pool6 and EAM rows, or
     * {@code [nat64]}'s pool6. A gateway that connects where its clients ask judges such an IPv6
     * destination by the IPv4 address the translator sends it to.
     */
    static TranslatedPrefixes translated(IsthmusConfig cfg) {
        // [nat64]'s translator is its stateless half: pool6 is the NAT64 prefix.
        List<SiitConfig> translators = Stream.concat(Stream.ofNullable(cfg.siit()),
                Stream.ofNullable(cfg.nat64()).map(Nat64Config::translator)).toList();
        Set<Rfc6052Prefix> pool6 = new LinkedHashSet<>();
        List<EamTable.Eam> eam = new ArrayList<>();
        for (SiitConfig x : translators) {
            if (x.pool6() != null) {
                pool6.add(Rfc6052Prefix.of(x.pool6()));
            }
            x.eam().forEach(e -> eam.add(new EamTable.Eam(e.ipv6(), e.ipv4())));
        }
        return new TranslatedPrefixes(List.copyOf(pool6), eam.isEmpty() ? EamTable.empty() : new EamTable(eam));
    }

    SocketPlaneStats stats() {
        return new SocketPlaneStats(dns64 == null ? null : dns64.counters(), relays.stream().map(Relay::counters).toList(),
                http == null ? null : http.counters(), ftpProxies.stream().map(FtpProxy::counters).toList(),
                smtp == null ? null : smtp.counters(), smtp == null ? null : smtp.delivery().counters(),
                sip == null ? null : sip.counters(), sip == null || sip.media() == null ? null : sip.media().counters(),
                turn == null ? null : turn.counters());
    }

    /** The SIP proxy's calls (for {@code show calls}), or null without {@code [sip]}. */
    Supplier<List<CallView>> sipCalls() {
        return sip == null ? null : sip::calls;
    }

    /** The SMTP relay's delivery side (its queue, for the control socket), or null without {@code [smtp]}. */
    Delivery smtpDelivery() {
        return smtp == null ? null : smtp.delivery();
    }

    @Override
    public void close() {
        if (turn != null) {
            turn.close();
        }
        if (sip != null) {
            sip.close();
        }
        if (smtp != null) {
            smtp.close();
        }
        ftpProxies.reversed().forEach(FtpProxy::close);
        if (http != null) {
            http.close();
        }
        relays.reversed().forEach(Relay::close);
        if (plane != null) {
            plane.close();
        }
        if (dns64 != null) {
            dns64.close();
        }
    }

    @Override
    public String toString() {
        return "socket plane (" + (dns64 == null ? "" : "dns64 server, ") + relays.size() + " relays"
                + (http == null ? "" : ", http gateway") + ", " + ftpProxies.size() + " ftp proxies"
                + (smtp == null ? "" : ", smtp relay") + (sip == null ? "" : ", sip proxy")
                + (turn == null ? "" : ", turn server") + ")";
    }
}
