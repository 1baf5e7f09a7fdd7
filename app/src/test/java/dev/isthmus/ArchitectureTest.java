package dev.isthmus;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package layering of DESIGN.md one-way.
 *
 * <p>From the bottom up: {@code wire} (bytes), {@code addr} (address mapping), {@code xlat}
 * (stateless translation), the protocol cores without sockets ({@code alg.ftp}: FTP's rewriting,
 * which the NAT64's data-plane ALG and the FTP proxy share), {@code nat} and {@code tunnel}, then
 * {@code dataplane} (composes the packet plane) beside the socket plane ({@code dns64},
 * {@code relay}, {@code alg.http}, {@code alg.ftp.proxy}, {@code dstm}...), then {@code config},
 * {@code control}, and {@code cli} on top. A package may use those below it, never those above.
 *
 * <p>{@code config} sits above every engine because it builds their settings values (for example
 * {@code xlat.XlatSettings}); the engines never read the configuration model themselves, so they
 * stay testable with a settings value and nothing else.
 *
 * <p>Packages that hold no class yet are allowed, so the rules pass today and bite as code
 * arrives. A new top-level package fails {@link #KNOWN_PACKAGES} until it is given a place here
 * (and in DESIGN.md).
 *
 * <p>Only production classes are checked: tests may reach across layers to build fixtures.
 */
class ArchitectureTest {

    private static final String BASE = "dev.isthmus";

    /** Production classes only; matches any build directory name (target/, target-NAME/). */
    private static final ImportOption PRODUCTION_ONLY =
            (Location location) -> !location.contains("/test-classes/");

    private static final JavaClasses CLASSES =
            new ClassFileImporter().withImportOption(PRODUCTION_ONLY).importPackages(BASE);

    static final ArchRule LAYERS = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("wire").definedBy(pkg("wire"))
            .layer("addr").definedBy(pkg("addr"))
            .layer("xlat").definedBy(pkg("xlat"))
            // alg.ftp (the package itself, not alg.ftp.proxy) is the FTP rewriting core without
            // sockets: DESIGN.md lets the data-plane ALG in nat use it.
            .layer("alg cores").definedBy(BASE + ".alg.ftp")
            .layer("nat").definedBy(pkg("nat"))
            .layer("tunnel").definedBy(pkg("tunnel"))
            .layer("dataplane").definedBy(pkg("dataplane"))
            .layer("socket plane").definedBy(pkg("dns64"), pkg("relay"), pkg("alg.http"), pkg("alg.ftp.proxy"),
                    pkg("alg.smtp"), pkg("alg.sip"), pkg("alg.turn"), pkg("dstm"))
            .layer("config").definedBy(pkg("config"))
            .layer("control").definedBy(pkg("control"))
            .layer("cli").definedBy(pkg("cli"))
            .whereLayer("wire").mayNotAccessAnyLayer()
            .whereLayer("addr").mayOnlyAccessLayers("wire")
            .whereLayer("xlat").mayOnlyAccessLayers("wire", "addr")
            .whereLayer("alg cores").mayOnlyAccessLayers("wire")
            .whereLayer("nat").mayOnlyAccessLayers("wire", "addr", "xlat", "alg cores")
            .whereLayer("tunnel").mayOnlyAccessLayers("wire", "addr", "xlat")
            .whereLayer("dataplane").mayOnlyAccessLayers("wire", "addr", "xlat", "alg cores", "nat", "tunnel")
            // DESIGN.md: the socket-plane packages never reach into dataplane.
            .whereLayer("socket plane").mayOnlyAccessLayers("wire", "addr", "xlat", "alg cores", "nat", "tunnel")
            .whereLayer("config").mayOnlyAccessLayers(
                    "wire", "addr", "xlat", "alg cores", "nat", "tunnel", "dataplane", "socket plane")
            .whereLayer("control").mayOnlyAccessLayers(
                    "wire", "addr", "xlat", "alg cores", "nat", "tunnel", "dataplane", "socket plane", "config")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer();

    /** Every production class sits in one of the layers above; a new package must be placed. */
    static final ArchRule KNOWN_PACKAGES = classes()
            .should().resideInAnyPackage(
                    pkg("wire"), pkg("addr"), pkg("xlat"), pkg("nat"), pkg("tunnel"), pkg("dataplane"),
                    pkg("dns64"), pkg("relay"), pkg("alg"), pkg("dstm"),
                    pkg("config"), pkg("control"), pkg("cli"));

    /**
     * Implied by {@link #LAYERS}, stated on its own because it is the rule most tempting to break:
     * an engine that reads the configuration model or the command line cannot be reused by offline,
     * live and test callers alike.
     */
    static final ArchRule ENGINES_IGNORE_CONFIG_AND_CLI = noClasses()
            .that().resideInAnyPackage(
                    pkg("wire"), pkg("addr"), pkg("xlat"), pkg("nat"), pkg("tunnel"), pkg("dataplane"))
            .should().dependOnClassesThat().resideInAnyPackage(pkg("config"), pkg("cli"))
            .allowEmptyShould(true);

    /** Each package is a slice, sub-packages included ({@code alg.http} and {@code alg.ftp} differ). */
    static final ArchRule NO_PACKAGE_CYCLES =
            slices().matching(BASE + ".(**)").should().beFreeOfCycles().allowEmptyShould(true);

    /** The bottom layers run on the hot path and in every mode: the JDK and our own code only. */
    static final ArchRule CORE_USES_ONLY_THE_JDK = classes()
            .that().resideInAnyPackage(pkg("wire"), pkg("addr"), pkg("xlat"))
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", BASE + "..")
            .allowEmptyShould(true);

    static final ArchRule PICOCLI_ONLY_IN_CLI = noClasses()
            .that().resideOutsideOfPackage(pkg("cli"))
            .should().dependOnClassesThat().resideInAPackage("picocli..")
            .allowEmptyShould(true);

    static final ArchRule TOMLJ_ONLY_IN_CONFIG = noClasses()
            .that().resideOutsideOfPackage(pkg("config"))
            .should().dependOnClassesThat().resideInAPackage("org.tomlj..")
            .allowEmptyShould(true);

    private static String pkg(String name) {
        return BASE + "." + name + "..";
    }

    /**
     * Guards every other test here: ArchUnit skips, with only a log line, a class file it cannot
     * parse (a class file version newer than its bundled ASM knows). The rules would then pass over
     * nothing. Every compiled production class must have been imported.
     */
    @Test
    void everyCompiledClassIsImported() {
        Set<String> onDisk = compiledProductionClassNames();
        assertFalse(onDisk.isEmpty(), "found no compiled production classes under " + BASE);
        Set<String> imported = CLASSES.stream()
                .map(JavaClass::getName)
                .filter(name -> name.startsWith(BASE + "."))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(onDisk);
        missing.removeAll(imported);
        assertEquals(Collections.emptySet(), missing, "class files ArchUnit did not import");
    }

    @Test
    void layersDependOnlyDownwards() {
        LAYERS.check(CLASSES);
    }

    @Test
    void everyClassIsInAKnownLayer() {
        KNOWN_PACKAGES.check(CLASSES);
    }

    @Test
    void enginesNeverReadConfigOrCli() {
        ENGINES_IGNORE_CONFIG_AND_CLI.check(CLASSES);
    }

    @Test
    void packagesAreFreeOfCycles() {
        NO_PACKAGE_CYCLES.check(CLASSES);
    }

    @Test
    void coreUsesOnlyTheJdk() {
        CORE_USES_ONLY_THE_JDK.check(CLASSES);
    }

    @Test
    void picocliOnlyInCli() {
        PICOCLI_ONLY_IN_CLI.check(CLASSES);
    }

    @Test
    void tomljOnlyInConfig() {
        TOMLJ_ONLY_IN_CONFIG.check(CLASSES);
    }

    /** Binary names of the production .class files under dev/isthmus on the class path. */
    private static Set<String> compiledProductionClassNames() {
        Set<String> names = new TreeSet<>();
        String dir = BASE.replace('.', '/');
        try {
            for (URL url : Collections.list(ArchitectureTest.class.getClassLoader().getResources(dir))) {
                if (!"file".equals(url.getProtocol()) || url.getPath().contains("/test-classes/")) {
                    continue;
                }
                Path root = Path.of(url.toURI());
                Path classesRoot = root;
                for (int i = 0; i < BASE.split("\\.").length; i++) {
                    classesRoot = classesRoot.getParent();
                }
                Path top = classesRoot;
                try (Stream<Path> files = Files.walk(root)) {
                    files.filter(p -> p.toString().endsWith(".class"))
                            .map(p -> top.relativize(p).toString())
                            .map(rel -> rel.substring(0, rel.length() - ".class".length()).replace('/', '.'))
                            .forEach(names::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }
}
