/**
 * The management interface of a running isthmus: what an operator asks while it runs.
 *
 * <ul>
 *   <li>{@link dev.isthmus.control.ControlServer}: the root-only Unix domain control socket, one
 *       request line per connection ({@code show stats}, {@code show stats json},
 *       {@code show config}, {@code help}); {@link dev.isthmus.control.ControlClient} is the other
 *       end, used by {@code isthmus show};
 *   <li>{@link dev.isthmus.control.MetricsServer}: the Prometheus HTTP endpoint, counters read
 *       from the data plane at scrape time (no cost per packet);
 *   <li>{@link dev.isthmus.control.ControlServices}: both, started from the {@code [control]}
 *       section, as {@code isthmus run} uses them;
 *   <li>{@link dev.isthmus.control.Logging}: the one-line log format of the whole process.
 * </ul>
 *
 * <p>Everything here runs beside the packet path, never on it: the counters it reports are the
 * workers' own plain {@code long}s, read without locks (docs/OPERATIONS.md).
 *
 * <p>May use {@code config}, {@code dataplane} and the layers below; only {@code cli} uses it.
 */
package dev.isthmus.control;
