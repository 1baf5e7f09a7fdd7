package dev.isthmus.cli.lab;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start isthmus and the lab's peer programs ({@link LabPeer}) as separate processes: a
 * java binary and either the isthmus jar or a class path. The processes run inside network
 * namespaces ({@code ip netns exec}), so they cannot be threads of the current JVM: a thread can
 * enter a namespace, but the JVM's other threads (and sockets they open) would not follow.
 *
 * @param java the java binary (JDK 25)
 * @param jar the isthmus jar, or null to use {@code classPath}
 * @param classPath the class path when there is no jar (running from a classes directory)
 */
public record Launcher(Path java, Path jar, String classPath) {

    private static final String MAIN = "dev.isthmus.cli.Main";

    /**
     * Flags for the short-lived peers: quick start-up and a small footprint matter more than peak
     * speed on a machine whose cores the translator under test also needs.
     */
    private static final List<String> PEER_FLAGS =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-XX:-UsePerfData");

    /** Where Linux says whether transparent huge pages are offered: {@code always [madvise] never}. */
    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    public Launcher {
        if (jar == null && classPath == null) {
            throw new IllegalArgumentException("a launcher needs a jar or a class path");
        }
    }

    /** Starts the given jar with the given java binary. */
    public static Launcher ofJar(Path java, Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new LabException("the isthmus jar " + jar + " does not exist (build it: ./mvnw -pl app package)");
        }
        return new Launcher(java, jar.toAbsolutePath(), null);
    }

    /**
     * The java binary of this process and the jar (or class path) this class was loaded from: the
     * lab runs exactly the isthmus that the operator started.
     */
    public static Launcher current() {
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        Path source;
        try {
            source = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            source = null;
        }
        if (source != null && Files.isRegularFile(source)) {
            return new Launcher(java, source, null);
        }
        return new Launcher(java, null, System.getProperty("java.class.path"));
    }

    /**
     * The command line of {@code isthmus ARGS...}, with the flags of the {@code ./isthmus}
     * launcher: transparent huge pages for the heap and the JIT's code where the host offers
     * them, so that a worker woken after an idle spell touches fewer pages.
     */
    public List<String> isthmus(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED"));
        if (hugePagesOffered()) {
            cmd.add("-XX:+UseTransparentHugePages");
        }
        if (jar != null) {
            cmd.addAll(List.of("-jar", jar.toString()));
        } else {
            cmd.addAll(List.of("-cp", classPath, MAIN));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The command line of {@code LabPeer ARGS...}. The jar's manifest class path is not needed. */
    public List<String> peer(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(PEER_FLAGS);
        cmd.addAll(List.of("-cp", jar != null ? jar.toString() : classPath, LabPeer.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static boolean hugePagesOffered() {
        try {
            return !Files.readString(THP_ENABLED).contains("[never]");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return java + " " + (jar != null ? "-jar " + jar : "-cp " + classPath);
    }
}
