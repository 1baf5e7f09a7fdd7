package dev.isthmus.e2e;

import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code dig} as the DNS client of the end-to-end tests, its answer read back from its text. */
final class Dig {
    private Dig() {}

    /**
     * @param status the rcode's name (NOERROR, NXDOMAIN, …), or null when no answer came
     * @param flags the header flags ("qr rd ra", …)
     * @param records the answer section as "owner TYPE rdata" (no TTL), sorted
     * @param ttls the answer section's TTLs
     */
    record Answer(String status, String flags, List<String> records, List<Long> ttls, String text) {
        boolean flag(String f) {
            return flags != null && List.of(flags.split(" ")).contains(f);
        }
    }

    /** Asks {@code name type} with {@code options} (such as "+tcp", "+dnssec"): one try, 2 s. */
    static Answer ask(Topology t, String ns, String server, int port, String name, String type, String... options) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@" + server, "-p", Integer.toString(port), "+tries=1",
                "+time=2", "+noall", "+comments", "+answer"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(name, type));
        Shell.Result r = t.exec(ns, Duration.ofSeconds(10), cmd);
        return parse(r.out());
    }

    static Answer parse(String out) {
        String status = null;
        String flags = null;
        List<String> records = new ArrayList<>();
        List<Long> ttls = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.startsWith(";; ->>HEADER<<-")) {
                int i = line.indexOf("status: ");
                status = line.substring(i + 8, line.indexOf(',', i));
            } else if (line.startsWith(";; flags: ")) {
                flags = line.substring(10, line.indexOf(';', 10)).trim();
            } else if (!line.isBlank() && !line.startsWith(";")) {
                String[] f = line.trim().split("\\s+", 5);
                records.add(f[0].toLowerCase(java.util.Locale.ROOT) + " " + f[3] + " " + f[4]);
                ttls.add(Long.parseLong(f[1]));
            }
        }
        records.sort(null);
        return new Answer(status, flags, records, ttls, out);
    }
}
