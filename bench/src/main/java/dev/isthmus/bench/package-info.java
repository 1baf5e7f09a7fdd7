/**
 * JMH microbenchmarks of the gateway's hot paths, kept apart from the tests.
 *
 * <p>Build and run (see docs/DEVELOPING.md; every figure quoted in docs/BENCHMARKS.md names the
 * command that reproduces it):
 *
 * <pre>{@code
 * ./mvnw -B -q -pl bench -am package -DskipTests
 * "$JAVA_HOME"/bin/java -jar bench/target/benchmarks.jar -prof gc
 * }</pre>
 *
 * <p>{@code -prof gc} reports the bytes allocated per operation: the hot path must show none.
 */
package dev.isthmus.bench;
