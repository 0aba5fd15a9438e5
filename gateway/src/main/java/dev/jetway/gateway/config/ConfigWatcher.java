package dev.jetway.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads {@code jetway.yaml} when its content changes and hands the new configuration over. Polls the content
 * (not file-system events) because editors replace files and Kubernetes swaps ConfigMap symlinks, both of which
 * watch services miss. A file that does not load is reported and ignored: the running configuration stays.
 */
public final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final Duration interval;
    private final Consumer<GatewayConfig> onChange;
    private final Thread thread;
    private volatile boolean running = true;
    private byte[] lastContent;

    public ConfigWatcher(Path file, Duration interval, Consumer<GatewayConfig> onChange) {
        this.file = file;
        this.interval = interval;
        this.onChange = onChange;
        this.lastContent = read();
        this.thread = Thread.ofVirtual().name("config-watch").unstarted(this::loop);
    }

    public ConfigWatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            checkOnce();
        }
    }

    /** Applies the file if its content changed since the last look; returns true when it applied a new config. */
    public boolean checkOnce() {
        byte[] content = read();
        if (content == null || Arrays.equals(content, lastContent)) {
            return false;
        }
        lastContent = content;
        try {
            GatewayConfig next = ConfigLoader.load(file);
            onChange.accept(next);
            log.info("applied changed configuration from {}", file);
            return true;
        } catch (RuntimeException e) {
            log.error("ignoring changed configuration {}: {}", file, e.getMessage());
            return false;
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
