package dev.jetway.cli;

import dev.jetway.gateway.LiveServing;
import dev.jetway.gateway.config.ConfigWatcher;
import dev.jetway.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * How {@code jetway gateway}, {@code jetway epp} and {@code jetway up} run once started: jetway.yaml watched (when
 * there is one) and applied through {@code configure}, until SIGTERM or SIGINT ({@link StopSignal}); then the server
 * drains (requests in flight finish, up to {@code server.drainTimeout}), the watcher and the server close, and the
 * command returns, so the process exits 0. Any other way the JVM exits runs the same stop from a shutdown hook.
 */
final class UntilStopped {

    private UntilStopped() {
    }

    /**
     * Blocks until stopped (or, in tests, the calling thread is interrupted); {@code afterStart} runs once the
     * signals are taken over (the "listening on" line).
     */
    static void serve(LiveServing<?> live, Path config, UnaryOperator<GatewayConfig> configure, String threadName,
                      Runnable afterStart) {
        ConfigWatcher watcher = config == null ? null
                : new ConfigWatcher(config, Duration.ofSeconds(1), next -> live.written(configure.apply(next))).start();
        run(() -> {
            if (watcher != null) {
                watcher.close();
            }
            live.drain();
            live.close();
        }, threadName, afterStart);
    }

    /** Runs {@code stop} exactly once: after a stop signal, an interruption, or from the JVM's shutdown. */
    static void run(Runnable stop, String threadName, Runnable afterStart) {
        Once once = new Once(stop);
        StopSignal signal = StopSignal.install();
        Thread hook = new Thread(once::run, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
        afterStart.run();
        try {
            signal.await();
        } catch (InterruptedException e) {
            // stopped from inside the process (tests): leave as a signal would
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting already: the hook does the stop (once) and this waits for it
        }
        try {
            once.run();
        } finally {
            signal.close();
        }
    }

    /** A stop that runs once; a second caller waits until the first has finished. */
    private static final class Once {

        private final Runnable stop;
        private final AtomicBoolean started = new AtomicBoolean();
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        Once(Runnable stop) {
            this.stop = stop;
        }

        void run() {
            if (!started.compareAndSet(false, true)) {
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            try {
                stop.run();
            } finally {
                done.countDown();
            }
        }
    }
}
