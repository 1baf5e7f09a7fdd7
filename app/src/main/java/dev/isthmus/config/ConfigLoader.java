package dev.isthmus.config;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.ftp.proxy.FtpProxySettings;
import dev.isthmus.alg.sip.proxy.SipSettings;
import dev.isthmus.alg.smtp.SmtpSettings;
import dev.isthmus.alg.turn.server.TurnSettings;
import dev.isthmus.alg.http.HttpSettings;
import dev.isthmus.relay.RelaySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseOptions;
import org.tomlj.TomlParseResult;

/**
 * Reads an isthmus TOML config file into a validated {@link IsthmusConfig}. Every problem in the
 * file (syntax, unknown keys, types, ranges, address rules) is collected and reported together in
 * one {@link ConfigException}, each with the file, line and full key path. docs/CONFIG.md lists
 * every key.
 */
public final class ConfigLoader {

    /**
     * The top-level sections this version knows. A section for another mechanism (nat64,
     * dns64, …) is added here together with its reader; until then its table is an error, so that
     * a misspelt section name is never silently ignored.
     */
    static final List<String> SECTIONS = List.of("siit", "nat64", "dataplane", "control", "dns64", "relay", "http", "ftp", "smtp", "sip", "turn");

    private ConfigLoader() {}

    /** Reads and validates the file; its name in error messages is {@code path} as given. */
    public static IsthmusConfig load(Path path) throws ConfigException {
        String source = path.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw fileError(source, "no such file");
        } catch (IOException e) {
            throw fileError(source, "cannot read: " + e.getMessage());
        }
        return parse(utf8(bytes, source), source);
    }

    /**
     * The file's text; a byte sequence that is not UTF-8 (TOML 1.0.0: "A TOML file must be a valid
     * UTF-8 encoded Unicode document") is an error at its line and column, so that an operator can
     * find the stray byte of a file saved in another encoding.
     */
    private static String utf8(byte[] bytes, String source) throws ConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never decodes to more chars than it has bytes.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int bad = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < bad; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            // The column counts characters, as a text editor does, up to the bad byte.
            String before = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8);
            int column = before.codePointCount(0, before.length()) + 1;
            String what = bad < bytes.length ? String.format(" (byte 0x%02X)", bytes[bad]) : "";
            throw new ConfigException(List.of(new ConfigError(source, line, column, "",
                    "is not valid UTF-8 text at column " + column + what + "; TOML files must be UTF-8")));
        }
        return out.flip().toString();
    }

    /**
     * Validates config text.
     *
     * @param sourceName what error messages call the text, usually its file name
     */
    public static IsthmusConfig parse(String text, String sourceName) throws ConfigException {
        // tomlj is slow on runs of blank and comment lines; it gets the text without them.
        BlankAndCommentLines.Stripped stripped = BlankAndCommentLines.strip(text);
        Problems problems = new Problems(sourceName, stripped::fileLine);
        TomlParseResult toml;
        try {
            // Sourceless: positions are all we need, and tomlj's source-preserving mode trips an
            // internal assertion on some malformed input (found by ConfigLoaderFuzzTest).
            toml = Toml.parse(stripped.text(), TomlParseOptions.sourceless());
        } catch (RuntimeException | AssertionError e) {
            // A parser bug must still come out as a config error, not a stack trace.
            throw fileError(sourceName, "TOML parser failed on this file: " + e);
        }
        if (!toml.errors().isEmpty()) {
            // A tree that failed to parse would only produce confusing follow-on errors.
            for (TomlParseError e : toml.errors()) {
                problems.add(e.position(), "", "TOML syntax error" + (e.position() == null ? "" : " at column "
                        + e.position().column()) + ": " + stripped.fileLines(e.getMessage()));
            }
            throw problems.exception();
        }
        problems.shortenValuesOf(toml);
        TableReader root = TableReader.root(toml, problems);
        Map<String, String> belongsIn = new HashMap<>();
        SiitSection.KEYS.forEach(k -> belongsIn.put(k, "siit"));
        Nat64Section.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "nat64"));
        DataplaneSection.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "dataplane"));
        ControlSection.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "control"));
        Dns64Section.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "dns64"));
        HttpSection.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "http"));
        FtpSection.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "ftp"));
        SmtpSection.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "smtp"));
        SipSection.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "sip"));
        TurnSection.KEYS.forEach(k -> belongsIn.putIfAbsent(k, "turn"));
        root.rejectUnknown(SECTIONS, belongsIn);

        SiitConfig siit = null;
        TableReader siitTable = root.table("siit");
        if (siitTable != null) {
            siit = SiitSection.read(siitTable);
        }

        Nat64Config nat64 = null;
        TableReader nat64Table = root.table("nat64");
        if (nat64Table != null) {
            if (siitTable != null) {
                // One translator owns the device: stateless or stateful, not both.
                nat64Table.errorHere("[nat64] and [siit] cannot both be set: the data plane runs one translator");
            } else {
                nat64 = Nat64Section.read(nat64Table);
            }
        }

        DataplaneConfig dataplane = null;
        TableReader dataplaneTable = root.table("dataplane");
        if (dataplaneTable != null) {
            dataplane = DataplaneSection.read(dataplaneTable);
        }
        Listeners listeners = new Listeners();
        ControlConfig control = null;
        TableReader controlTable = root.table("control");
        if (controlTable != null) {
            control = ControlSection.read(controlTable);
            if (control != null && control.metrics() != null) {
                listeners.add("control", EnumSet.of(Listeners.Transport.TCP), control.metrics(),
                        controlTable.positionOf("metrics"), controlTable.keyPath("metrics"));
            }
        }

        Dns64Config dns64 = null;
        TableReader dns64Table = root.table("dns64");
        if (dns64Table != null) {
            // RFC 6147 §5.2: by default the DNS64 synthesizes with the translator's own prefix.
            // A [siit] with errors has no pool6 to offer; its errors are reported already.
            Ipv6Prefix prefix = siit != null ? siit.pool6() : nat64 != null ? nat64.pool6() : null;
            boolean failed = siitTable != null && siit == null || nat64Table != null && nat64 == null;
            dns64 = Dns64Section.read(dns64Table, prefix, failed);
            if (dns64 != null) {
                dns64Listeners(dns64Table, dns64.settings().listen(), listeners);
            }
        }

        if (siit != null && siit.dynamicPool() != null && dataplane != null) {
            DynamicPoolSection.checkRoutes(siitTable.table("dynamic-pool"), siit.dynamicPool(), dataplane.routes4());
        }

        List<RelaySettings> relays = RelaySection.read(root, listeners);
        HttpSettings http = null;
        TableReader httpTable = root.table("http");
        if (httpTable != null) {
            http = HttpSection.read(httpTable, listeners);
        }
        List<FtpProxySettings> ftpProxies = List.of();
        TableReader ftpTable = root.table("ftp");
        if (ftpTable != null) {
            ftpProxies = FtpSection.read(ftpTable, listeners);
        }
        SmtpSettings smtp = null;
        TableReader smtpTable = root.table("smtp");
        if (smtpTable != null) {
            smtp = SmtpSection.read(smtpTable, listeners);
        }
        SipSettings sip = null;
        TableReader sipTable = root.table("sip");
        if (sipTable != null) {
            sip = SipSection.read(sipTable, listeners);
        }
        TurnSettings turn = null;
        TableReader turnTable = root.table("turn");
        if (turnTable != null) {
            turn = TurnSection.read(turnTable, listeners);
        }
        listeners.report(problems);

        if (!problems.isEmpty()) {
            throw problems.exception();
        }
        return new IsthmusConfig(siit, dataplane, control, dns64, relays, http, nat64, ftpProxies, smtp, sip, turn);
    }

    /**
     * Each DNS64 listen address (UDP and TCP, a socket each) with its place: an element of the
     * array, the string, or the section's header for the default. {@code listen} is that of a valid
     * section, so it holds one address for each element, in order.
     */
    private static void dns64Listeners(TableReader t, List<InetSocketAddress> listen, Listeners listeners) {
        Set<Listeners.Transport> both = EnumSet.allOf(Listeners.Transport.class);
        for (int i = 0; i < listen.size(); i++) {
            if (t.raw("listen") instanceof TomlArray a) {
                String key = t.keyPath("listen") + "[" + i + "]";
                listeners.add(key, both, listen.get(i), a.inputPositionOf(i), key);
            } else if (t.has("listen")) {
                listeners.add(t.keyPath("listen"), both, listen.get(i), t.positionOf("listen"), t.keyPath("listen"));
            } else {
                String key = t.keyPath("listen") + "[" + i + "]";
                listeners.addDefault(key, both, listen.get(i), t.position(), t.keyPath("listen"));
            }
        }
    }

    private static ConfigException fileError(String source, String message) {
        return new ConfigException(List.of(new ConfigError(source, 0, 0, "", message)));
    }
}
