package dev.jetway.gateway.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A file of secret material (API keys, a token, a certificate or key) read now and re-read when its content changes.
 * Polls the content, like the jetway.yaml watcher, because editors replace files and Kubernetes swaps the symlinks of a
 * mounted Secret, which file-system events miss. A file that goes missing for a moment (a swap) keeps its last content.
 */
public final class WatchedFile implements AutoCloseable {

    /** How often the file is looked at: rotation takes effect within this. */
    public static final Duration INTERVAL = Duration.ofMillis(500);

    private final Path path;
    private final Consumer<byte[]> onChange;
    private final Thread poller;
    private byte[] content;

    /**
     * Reads {@code path} now ({@link #content}); {@code onChange} hears every later change, on the poller's thread.
     *
     * @throws IllegalArgumentException when the file cannot be read now
     */
    public WatchedFile(Path path, Consumer<byte[]> onChange) {
        this.path = path;
        this.onChange = onChange;
        this.content = read(path);
        this.poller = Thread.ofVirtual().name("watch-" + path.getFileName()).start(this::loop);
    }

    /** The file's content when it was last read. */
    public synchronized byte[] content() {
        return content;
    }

    public Path path() {
        return path;
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            checkOnce();
        }
    }

    /** Reads the file; hands changed content on. */
    void checkOnce() {
        byte[] now;
        try {
            now = Files.readAllBytes(path);
        } catch (IOException e) {
            return;
        }
        synchronized (this) {
            if (Arrays.equals(now, content)) {
                return;
            }
            content = now;
        }
        onChange.accept(now);
    }

    /** The file's bytes; a missing or unreadable file is an {@link IllegalArgumentException} naming it. */
    public static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(path + ": file not found");
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        poller.interrupt();
    }
}
