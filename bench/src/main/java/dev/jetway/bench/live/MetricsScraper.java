package dev.jetway.bench.live;

import dev.jetway.bench.metrics.MetricsCollector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls replicas' Prometheus {@code /metrics} during a live benchmark and records vLLM's queue, running and
 * KV-usage gauges per replica, so a live report has the same per-replica statistics as a simulated one. Works against
 * vLLM and {@code jetway sim}; a replica that cannot be scraped is skipped (logged once).
 */
final class MetricsScraper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsScraper.class);

    /** The gauges read, summed over label sets (one per served model). */
    record Gauges(double waiting, double running, double kvUsage) {
    }

    private final List<URI> targets;
    private final Duration interval;
    private final MetricsCollector collector;
    private final HttpClient client;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final boolean[] warned;
    private final Thread thread;

    MetricsScraper(List<URI> replicaBaseUrls, Duration interval, MetricsCollector collector, HttpClient client) {
        this.targets = replicaBaseUrls.stream().map(MetricsScraper::metricsUri).toList();
        this.interval = interval;
        this.collector = collector;
        this.client = client;
        this.warned = new boolean[targets.size()];
        this.thread = Thread.ofVirtual().name("bench-scraper").start(this::loop);
    }

    static URI metricsUri(URI base) {
        String s = base.toString().replaceFirst("/+$", "").replaceFirst("/v1$", "");
        return URI.create(s + "/metrics");
    }

    private void loop() {
        long next = System.nanoTime();
        while (running.get()) {
            for (int i = 0; i < targets.size() && running.get(); i++) {
                scrape(i);
            }
            next += interval.toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    private void scrape(int i) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(targets.get(i)).timeout(interval.multipliedBy(4))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new java.io.IOException("HTTP " + r.statusCode());
            }
            Gauges g = parse(r.body());
            synchronized (collector) {
                collector.sampleReplica(i, (int) Math.round(g.waiting()), (int) Math.round(g.running()), g.kvUsage());
            }
        } catch (java.io.IOException e) {
            if (!warned[i]) {
                warned[i] = true;
                LOG.warn("bench: cannot scrape {}: {}", targets.get(i), e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** Reads vLLM's gauges from Prometheus text (older vLLM's {@code gpu_cache_usage_perc} too). */
    static Gauges parse(String text) {
        double waiting = 0;
        double running = 0;
        double kv = 0;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, brace >= 0 && brace < space ? brace : line.indexOf(' '));
            double value;
            try {
                value = Double.parseDouble(line.substring(space + 1).strip());
            } catch (NumberFormatException e) {
                continue;
            }
            switch (name) {
                case "vllm:num_requests_waiting" -> waiting += value;
                case "vllm:num_requests_running" -> running += value;
                case "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc" -> kv = Math.max(kv, value);
                default -> {
                }
            }
        }
        return new Gauges(waiting, running, kv);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.interrupt();
        thread.join(5_000);
    }
}
