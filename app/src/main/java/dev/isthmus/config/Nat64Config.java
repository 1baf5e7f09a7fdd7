package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.Nat64Settings;
import dev.isthmus.nat.PortBlocks;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.Pool4;
import dev.isthmus.nat.StaticBib;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.xlat.XlatSettings;
import java.util.List;
import java.util.Locale;

/**
 * The validated {@code [nat64]} section (docs/CONFIG.md): stateful NAT64, RFC 6146.
 *
 * @param pool6 the NAT64 prefix (RFC 6052)
 * @param translator the stateless settings the translation runs with: pool6, the own addresses
 *     and the translator keys shared with [siit] ({@link TranslatorKeys}); no EAM
 * @param table the table's settings: pool4, filtering, timers, limits
 * @param statics the {@code [[nat64.bib]]} entries, in file order
 * @param log the {@code [nat64.log]} session log, or null for none
 */
public record Nat64Config(Ipv6Prefix pool6, SiitConfig translator, Nat64Settings table, List<StaticBib> statics,
        Nat64Service.LogTarget log) {
    public Nat64Config {
        statics = List.copyOf(statics);
    }

    public XlatSettings toXlatSettings() {
        return translator.toXlatSettings();
    }

    /** The IPv4 prefixes the kernel must route into the device: pool4. */
    public List<Ipv4Prefix> routes4() {
        return table.pool4().entries().stream().map(Pool4.Entry::prefix).toList();
    }

    /** The effective section as TOML, every default written out. */
    public String render() {
        StringBuilder sb = new StringBuilder("[nat64]\n");
        sb.append("pool6 = \"").append(pool6).append("\"\n");
        sb.append("ipv4-address = \"").append(Ipv4Address.format(translator.ipv4Address())).append("\"\n");
        sb.append("ipv6-address = \"").append(translator.ipv6Address()).append("\"\n");
        TranslatorKeys.render(sb, translator);
        sb.append("filtering = \"").append(table.filtering().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append("\"\n");
        sb.append("udp-timeout = ").append(table.udpTimeout().toSeconds()).append('\n');
        sb.append("icmp-timeout = ").append(table.icmpTimeout().toSeconds()).append('\n');
        sb.append("tcp-established-timeout = ").append(table.tcpEstablished().toSeconds()).append('\n');
        sb.append("tcp-transitory-timeout = ").append(table.tcpTransitory().toSeconds()).append('\n');
        sb.append("max-sessions = ").append(table.maxSessions()).append('\n');
        sb.append("max-sessions-per-subscriber = ").append(table.maxSessionsPerSubscriber()).append('\n');
        sb.append("max-ports-per-subscriber = ").append(table.maxPortsPerSubscriber()).append('\n');
        sb.append("subscriber-length = ").append(table.subscriberLength()).append('\n');
        sb.append("alg-ftp-ports = ").append(table.ftpAlgPorts()).append('\n');
        PortBlocks blocks = table.portBlocks();
        if (blocks != null) {
            sb.append("\n[nat64.port-blocks]\nsubscribers = \"").append(blocks.subscribers())
                    .append("\"\nsubscriber-length = ").append(blocks.subscriberLength()).append("\nsize = ")
                    .append(blocks.blockSize()).append("\nfirst-port = ").append(blocks.firstPort()).append('\n');
        }
        if (log != null) {
            sb.append("\n[nat64.log]\nmode = \"").append(log.mode().name().toLowerCase(Locale.ROOT))
                    .append("\"\nfile = \"").append(log.file()).append("\"\nflush-interval-ms = ")
                    .append(log.flushIntervalMillis()).append('\n');
        }
        for (Pool4.Entry e : table.pool4().entries()) {
            sb.append("\n[[nat64.pool4]]\nprefix = \"").append(e.prefix()).append("\"\n");
            for (NatProtocol p : NatProtocol.values()) {
                sb.append(p.key()).append(" = \"").append(e.range(p)).append("\"\n");
            }
        }
        for (StaticBib b : statics) {
            sb.append("\n[[nat64.bib]]\nprotocol = \"").append(b.protocol().key()).append("\"\nipv6 = \"[")
                    .append(b.ipv6()).append("]:").append(b.ipv6Port()).append("\"\nipv4 = \"")
                    .append(Ipv4Address.format(b.ipv4())).append(':').append(b.ipv4Port()).append("\"\n");
        }
        return sb.toString();
    }
}
