package dev.jetway.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The CPU time the benchmark thread was actually given, next to the calls it made: on the shared 2-core build
 * machine wall-clock times mostly measure how often the thread was scheduled, while {@code cpuNanos / calls} is the
 * cost of the work itself. JMH sums both counters over the measurement iterations, so their ratio is the CPU time
 * per call of the whole run. A benchmark method takes this state as a parameter and calls {@link #call()} once per
 * operation (an increment, no system call).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class ThreadCpuCounter {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNanos;
    public long calls;
    private long startCpu;

    @Setup(Level.Iteration)
    public void start() {
        cpuNanos = 0;
        calls = 0;
        startCpu = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
        cpuNanos = THREADS.getCurrentThreadCpuTime() - startCpu;
    }

    void call() {
        calls++;
    }

    /** Counts {@code n} units of work at once, e.g. the blocks of one event, so the ratio is CPU time per unit. */
    void calls(int n) {
        calls += n;
    }
}
