package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The end-to-end fixture: a lab ({@link Lab}) of its own per test class, with unique namespace,
 * device and socket names ({@code e2e-XXXX-…}) so that several builds can run side by side, and
 * {@code isthmus run} started from the packaged jar that Maven passes in {@code isthmus.jar}.
 *
 * <p>A missing precondition (not root, no {@code ip}, no jar) fails the test with a message that
 * says what to do: end-to-end tests are never skipped (STYLE.md).
 */
final class E2eLab {
    private E2eLab() {}

    /** Starts a lab; the caller closes it in {@code @AfterAll}. */
    static Lab start(boolean offload) {
        checkPreconditions();
        Path jar = Path.of(System.getProperty("isthmus.jar"));
        Topology.Names names = Topology.uniqueNames("e2e-");
        String tag = names.mid().substring(0, names.mid().length() - "-mid".length());
        Path work = jar.toAbsolutePath().getParent().resolve("e2e").resolve(tag);
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        Lab.Settings s = new Lab.Settings(names, Launcher.ofJar(java, jar), work, tag,
                Path.of("/run/isthmus/" + tag + ".sock"), offload, 0);
        return Lab.start(s);
    }

    /**
     * Stops the lab and removes what {@code isthmus run} leaves behind on purpose: the lock file of
     * its device ({@code /run/isthmus/DEVICE.netINODE.lock}, kept because deleting a lock file
     * races with the next locker). Each fixture's device name is unique and nobody else uses it, so
     * here the files would only pile up, one set per test run.
     */
    static void stop(Lab lab) {
        if (lab == null) {
            return;
        }
        lab.close();
        removeLocks(lab.settings().device());
    }

    /** Removes the lock files of {@code device} that {@code isthmus run} left in /run/isthmus (see {@link #stop}). */
    static void removeLocks(String device) {
        String prefix = device + ".";
        try (Stream<Path> files = Files.list(Path.of("/run/isthmus"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(".lock")).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // nothing to tidy
        }
    }

    /** Fails (never skips) when the tests cannot run here, saying why. */
    static void checkPreconditions() {
        assertTrue(isRoot(), "end-to-end tests need root (network namespaces, TUN devices): run `mvn verify` as root");
        for (String[] tool : new String[][] {{"ip", "-V"}, {"ping", "-V"}, {"curl", "--version"}, {"setsid", "--version"}}) {
            Shell.Result r = Shell.run(Duration.ofSeconds(5), tool);
            assertTrue(r.ok(), "end-to-end tests need `" + tool[0] + "` (iproute2, iputils-ping, curl, util-linux): "
                    + r.describe());
        }
        String jar = System.getProperty("isthmus.jar");
        assertNotNull(jar, "system property isthmus.jar is not set: run the end-to-end tests through maven-failsafe"
                + " (`./mvnw verify`), which passes the packaged jar");
        assertTrue(Files.isRegularFile(Path.of(jar)), "isthmus.jar=" + jar + " does not exist: package first (`./mvnw verify`)");
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
