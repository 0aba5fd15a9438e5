package dev.jetway.bench.sim;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import java.util.List;

/** What an {@link Admission} may use of the simulation it runs in. */
public interface AdmissionContext {

    /** Virtual now, in nanoseconds. */
    long nanos();

    /** Runs {@code task} at virtual time {@code nanos} (not before now), on the simulation's thread. */
    void at(long nanos, Runnable task);

    /** The pool: the endpoints with the metrics snapshots the scheduler sees (as stale as the scrape interval). */
    List<Endpoint> endpoints();

    /** The policy's scheduler, built from its EndpointPickerConfig (its flow-control settings among them). */
    Scheduler scheduler();

    /**
     * False once every request of the plan has ended and none is still to come: a periodic timer must stop then, or
     * the run never ends.
     */
    boolean workLeft();
}
