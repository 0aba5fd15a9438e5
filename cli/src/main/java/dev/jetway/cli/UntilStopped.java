package dev.jetway.cli;

import dev.jetway.gateway.LiveServing;
import dev.jetway.gateway.config.ConfigWatcher;
import dev.jetway.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * How {@code jetway gateway} and {@code jetway epp} run once started: jetway.yaml watched (when there is one) and
 * applied through {@code configure}, until the process is stopped; then the watcher and the server close.
 */
final class UntilStopped {

    private UntilStopped() {
    }

    /**
     * Blocks until the JVM shuts down (or, in tests, the calling thread is interrupted); {@code afterStart} runs once
     * the shutdown hook is in place (the "listening on" line).
     */
    static void serve(LiveServing<?> live, Path config, UnaryOperator<GatewayConfig> configure, String threadName,
                      Runnable afterStart) {
        ConfigWatcher watcher = config == null ? null
                : new ConfigWatcher(config, Duration.ofSeconds(1), next -> live.written(configure.apply(next))).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop(watcher, live);
            stopped.countDown();
        }, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
        afterStart.run();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // stopped from inside the process (tests): leave as the shutdown hook would
            Runtime.getRuntime().removeShutdownHook(hook);
            stop(watcher, live);
        }
    }

    private static void stop(ConfigWatcher watcher, LiveServing<?> live) {
        if (watcher != null) {
            watcher.close();
        }
        live.close();
    }
}
