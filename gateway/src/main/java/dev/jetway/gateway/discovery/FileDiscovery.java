package dev.jetway.gateway.discovery;

import dev.jetway.gateway.config.ConfigLoader.ConfigException;
import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.PoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of pools with {@code endpointsFile} (llm-d's {@code file-discovery}, for fleets without Kubernetes):
 * each file is read at start, then re-read when its content changes. Polls the content, like the jetway.yaml
 * watcher, because editors replace files and Kubernetes swaps ConfigMap symlinks, which file-system events miss. A
 * file that does not load at start stops the gateway; later, a file that does not load is reported and its pool keeps
 * the last list that did.
 */
public final class FileDiscovery implements Discovery {

    private static final Logger log = LoggerFactory.getLogger(FileDiscovery.class);

    private final Duration interval;
    private final ProblemLog problems = new ProblemLog(log);
    private final Map<String, WatchedFile> files = new HashMap<>();
    private Thread poller;
    private Runnable onChange = () -> { };
    private boolean started;

    public FileDiscovery(Duration interval) {
        this.interval = interval;
    }

    /** What one pool's file held when it last loaded. */
    private record WatchedFile(Path path, byte[] content, List<EndpointConfig> endpoints) {
    }

    @Override
    public synchronized void watch(GatewayConfig config, Runnable changed) {
        this.onChange = changed;
        Map<String, WatchedFile> next = new HashMap<>();
        for (PoolConfig p : config.pools()) {
            if (p.endpointsFile() == null) {
                continue;
            }
            Path path = config.baseDir().resolve(p.endpointsFile()).normalize();
            WatchedFile known = files.get(p.name());
            if (known != null && known.path().equals(path)) {
                next.put(p.name(), known);
                continue;
            }
            try {
                byte[] content = read(path);
                next.put(p.name(), new WatchedFile(path, content, EndpointsFile.parse(content, path.toString())));
                problems.report(subject(p.name()), null);
            } catch (ConfigException e) {
                if (!started) {
                    throw new ConfigException("pool " + p.name() + ": " + e.getMessage());
                }
                problems.report(subject(p.name()), e.getMessage());
                next.put(p.name(), new WatchedFile(path, null, List.of()));
            }
        }
        files.clear();
        files.putAll(next);
        if (!started) {
            started = true;
            poller = Thread.ofVirtual().name("endpoints-files").start(this::loop);
        }
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (checkOnce()) {
                onChangeCallback().run();
            }
        }
    }

    private synchronized Runnable onChangeCallback() {
        return onChange;
    }

    /** Re-reads every file whose content changed; true when some pool's endpoints changed. */
    public synchronized boolean checkOnce() {
        boolean changed = false;
        for (var entry : new ArrayList<>(files.entrySet())) {
            WatchedFile f = entry.getValue();
            byte[] content;
            try {
                content = read(f.path());
            } catch (ConfigException e) {
                problems.report(subject(entry.getKey()), e.getMessage() + "; keeping the last list that loaded ("
                        + f.endpoints().size() + " endpoint(s))");
                // forget the content, so that the file is parsed again when it comes back
                files.put(entry.getKey(), new WatchedFile(f.path(), null, f.endpoints()));
                continue;
            }
            if (Arrays.equals(content, f.content())) {
                continue;
            }
            try {
                List<EndpointConfig> endpoints = EndpointsFile.parse(content, f.path().toString());
                files.put(entry.getKey(), new WatchedFile(f.path(), content, endpoints));
                problems.report(subject(entry.getKey()), null);
                if (!endpoints.equals(f.endpoints())) {
                    changed = true;
                }
            } catch (ConfigException e) {
                // remember the bad content so that it is reported once, not at every poll
                files.put(entry.getKey(), new WatchedFile(f.path(), content, f.endpoints()));
                problems.report(subject(entry.getKey()), e.getMessage() + "; keeping the last list that loaded ("
                        + f.endpoints().size() + " endpoint(s))");
            }
        }
        return changed;
    }

    private static String subject(String pool) {
        return "pool " + pool + " endpointsFile";
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException(path + ": endpoints file not found");
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read: " + e.getMessage());
        }
    }

    @Override
    public synchronized GatewayConfig applyTo(GatewayConfig config) {
        if (files.isEmpty()) {
            return config;
        }
        List<PoolConfig> pools = new ArrayList<>(config.pools().size());
        for (PoolConfig p : config.pools()) {
            WatchedFile f = p.endpointsFile() == null ? null : files.get(p.name());
            pools.add(f == null ? p : p.withEndpoints(f.endpoints()));
        }
        return config.withPools(pools);
    }

    @Override
    public String waitingFor() {
        return null; // every file loaded at start, or the gateway did not start
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.interrupt();
        }
    }
}
