package dev.jetway.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop gracefully rather than the JVM's own exit: the JVM would run the shutdown
 * hooks and exit 143 (or 130) whatever they did, so an orchestrator could not tell a clean drain from a crash. Here
 * the signal only releases {@link #await}; the command drains, closes and returns 0. A second signal while that runs
 * stops the process at once.
 */
final class StopSignal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StopSignal.class);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final java.util.Map<Signal, sun.misc.SignalHandler> previous = new java.util.HashMap<>();
    private final boolean installed;

    private StopSignal() {
        boolean ok = true;
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, this::received));
            } catch (IllegalArgumentException e) {
                // the JVM keeps the signal (e.g. run with -Xrs): its shutdown hook then stops the server instead
                log.debug("cannot handle SIG{}: {}", name, e.getMessage());
                ok = false;
            }
        }
        this.installed = ok;
    }

    /** Takes over SIGTERM and SIGINT for this process. */
    static StopSignal install() {
        return new StopSignal();
    }

    /** Whether both signals are handled here (else the JVM's exit and a shutdown hook stop the server). */
    boolean installed() {
        return installed;
    }

    private void received(Signal signal) {
        if (requested.getCount() == 0) {
            log.warn("SIG{} again: stopping now, without waiting for requests in flight", signal.getName());
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        log.info("SIG{}: draining, then stopping (send it again to stop at once)", signal.getName());
        requested.countDown();
    }

    /** Blocks until a stop is requested. */
    void await() throws InterruptedException {
        requested.await();
    }

    /** Gives the signals back to whoever had them (the JVM), once the stop is done. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
