package dev.isthmus;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one {@code @FuzzTest} method, {@code Class#method}, through the JUnit platform, as
 * surefire would, for .ci/fuzz-smoke: one JVM per target (Jazzer fuzzes one target per process)
 * without Maven's start-up in front of each. With {@code JAZZER_FUZZ=1} Jazzer fuzzes it, else it
 * replays its inputs. Exit 0 when it passed, 1 when it failed (a finding), 2 when nothing ran.
 */
public final class FuzzTarget {
    private FuzzTarget() {}

    public static void main(String[] args) throws ClassNotFoundException {
        if (args.length != 1 || !args[0].contains("#")) {
            System.err.println("usage: FuzzTarget CLASS#METHOD");
            System.exit(2);
        }
        Class<?> type = Class.forName(args[0].substring(0, args[0].indexOf('#')));
        String name = args[0].substring(args[0].indexOf('#') + 1);
        // By name, whatever its parameter (FuzzedDataProvider, byte[]...), as surefire's -Dtest=CLASS#METHOD.
        Method method = Arrays.stream(type.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst()
                .orElse(null);
        if (method == null) {
            System.err.println("FuzzTarget: no method " + args[0]);
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(type, method)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        summary.printFailuresTo(new java.io.PrintWriter(System.err, true), 40);
        if (summary.getTestsFoundCount() == 0) {
            System.err.println("FuzzTarget: no test " + args[0]);
            System.exit(2);
        }
        System.exit(summary.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
