package dev.isthmus.config;

import dev.isthmus.alg.ftp.proxy.FtpProxySettings;
import dev.isthmus.alg.http.HttpSettings;
import dev.isthmus.alg.sip.proxy.SipSettings;
import dev.isthmus.alg.smtp.SmtpSettings;
import dev.isthmus.alg.turn.server.TurnSettings;
import dev.isthmus.relay.RelaySettings;
import java.util.List;

/**
 * A whole validated config file. One component per top-level section; a section that is absent
 * from the file is null. Sections for the other mechanisms are added here as they are built, each
 * with its own reader beside {@link SiitSection}.
 *
 * @param siit the {@code [siit]} section, or null when the file has none
 * @param dataplane the {@code [dataplane]} section, its defaults when the file has none (never null)
 * @param control the {@code [control]} section, its defaults when the file has none (never null)
 * @param dns64 the {@code [dns64]} section, or null when the file has none
 * @param relays the {@code [[relay]]} tables, empty when the file has none (never null)
 * @param http the {@code [http]} section, or null when the file has none
 * @param nat64 the {@code [nat64]} section, or null when the file has none (never with {@code siit})
 * @param ftpProxies the {@code [[ftp.proxy]]} tables, empty when the file has none (never null)
 * @param smtp the {@code [smtp]} section, or null when the file has none
 * @param sip the {@code [sip]} section, or null when the file has none
 * @param turn the {@code [turn]} section, or null when the file has none
 */
public record IsthmusConfig(SiitConfig siit, DataplaneConfig dataplane, ControlConfig control, Dns64Config dns64,
        List<RelaySettings> relays, HttpSettings http, Nat64Config nat64, List<FtpProxySettings> ftpProxies,
        SmtpSettings smtp, SipSettings sip, TurnSettings turn) {

    public IsthmusConfig {
        if (dataplane == null) {
            dataplane = DataplaneConfig.DEFAULT;
        }
        if (control == null) {
            control = ControlConfig.DEFAULT;
        }
        relays = relays == null ? List.of() : List.copyOf(relays);
        ftpProxies = ftpProxies == null ? List.of() : List.copyOf(ftpProxies);
    }

    /** A config without the TURN server. */
    public IsthmusConfig(SiitConfig siit, DataplaneConfig dataplane, ControlConfig control, Dns64Config dns64,
            List<RelaySettings> relays, HttpSettings http, Nat64Config nat64, List<FtpProxySettings> ftpProxies,
            SmtpSettings smtp, SipSettings sip) {
        this(siit, dataplane, control, dns64, relays, http, nat64, ftpProxies, smtp, sip, null);
    }

    /** A config without the SIP proxy. */
    public IsthmusConfig(SiitConfig siit, DataplaneConfig dataplane, ControlConfig control, Dns64Config dns64,
            List<RelaySettings> relays, HttpSettings http, Nat64Config nat64, List<FtpProxySettings> ftpProxies,
            SmtpSettings smtp) {
        this(siit, dataplane, control, dns64, relays, http, nat64, ftpProxies, smtp, null);
    }

    /** A config without the SMTP relay. */
    public IsthmusConfig(SiitConfig siit, DataplaneConfig dataplane, ControlConfig control, Dns64Config dns64,
            List<RelaySettings> relays, HttpSettings http, Nat64Config nat64, List<FtpProxySettings> ftpProxies) {
        this(siit, dataplane, control, dns64, relays, http, nat64, ftpProxies, (SmtpSettings) null);
    }

    /** A config without FTP proxies. */
    public IsthmusConfig(SiitConfig siit, DataplaneConfig dataplane, ControlConfig control, Dns64Config dns64,
            List<RelaySettings> relays, HttpSettings http, Nat64Config nat64) {
        this(siit, dataplane, control, dns64, relays, http, nat64, List.of());
    }

    /** A config without NAT64. */
    public IsthmusConfig(SiitConfig siit, DataplaneConfig dataplane, ControlConfig control, Dns64Config dns64,
            List<RelaySettings> relays, HttpSettings http) {
        this(siit, dataplane, control, dns64, relays, http, null);
    }

    /** A config without socket-plane services. */
    public IsthmusConfig(SiitConfig siit, DataplaneConfig dataplane, ControlConfig control) {
        this(siit, dataplane, control, null, List.of(), null);
    }

    /** A config with only {@code siit} (the other sections at their defaults). */
    public IsthmusConfig(SiitConfig siit) {
        this(siit, null, null);
    }

    /** Whether any socket-plane service (DNS64 server, relay, HTTP gateway, FTP proxy, SMTP relay, SIP proxy, TURN server) is configured. */
    public boolean hasSocketServices() {
        return dns64 != null || !relays.isEmpty() || http != null || !ftpProxies.isEmpty() || smtp != null || sip != null
                || turn != null;
    }

    /** The effective configuration as TOML, defaults filled in (for {@code show config}). */
    public String render() {
        StringBuilder sb = new StringBuilder("# effective configuration, defaults filled in\n");
        if (siit != null) {
            sb.append('\n').append(siit.render());
        }
        if (nat64 != null) {
            sb.append('\n').append(nat64.render());
        }
        sb.append('\n').append(dataplane.render());
        sb.append('\n').append(control.render());
        if (dns64 != null) {
            sb.append('\n').append(dns64.render());
        }
        if (!relays.isEmpty()) {
            sb.append('\n').append(RelaySection.render(relays));
        }
        if (http != null) {
            sb.append('\n').append(HttpSection.render(http));
        }
        if (!ftpProxies.isEmpty()) {
            sb.append('\n').append(FtpSection.render(ftpProxies));
        }
        if (smtp != null) {
            sb.append('\n').append(SmtpSection.render(smtp));
        }
        if (sip != null) {
            sb.append('\n').append(SipSection.render(sip));
        }
        if (turn != null) {
            sb.append('\n').append(TurnSection.render(turn));
        }
        return sb.toString();
    }
}
