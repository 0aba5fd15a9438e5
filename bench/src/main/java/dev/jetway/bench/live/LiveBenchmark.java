package dev.jetway.bench.live;

import dev.jetway.bench.load.PlannedRequest;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.load.StageClock;
import dev.jetway.bench.metrics.MetricsCollector;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.RequestTrace;
import dev.jetway.bench.traffic.TrafficHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link RequestPlan} against an OpenAI-compatible server over real HTTP and measures what a client sees.
 *
 * <p>Open loop: each request is sent at its planned time whatever the server does, and its latencies count from that
 * planned time, so a server (or this client) falling behind shows up as latency instead of silently lowering the
 * offered load (no coordinated omission). A concurrency cap, when set, holds requests back in order; the wait counts
 * as latency too. Streams are read asynchronously by the JDK HTTP client: thousands of concurrent streams need no
 * thread each. When the plan's stages drain (inference-perf's behaviour, the default for workload files), a stage's
 * first request waits until every request of the previous stage has ended, plus the transition's gap. A request of a
 * traffic class carries its class's headers (objective, fairness id, SLOs), and a failure is counted for its class by
 * HTTP status and the gateway's {@code x-llm-d-request-dropped-reason}.
 *
 * <p>Programmatic use: {@code new LiveBenchmark(options).run(plan, cap, "label", progress)}.
 */
public final class LiveBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(LiveBenchmark.class);
    private static final long START_LEAD_NANOS = 20_000_000;

    /** Told after each request ends, from the HTTP client's threads. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {
        };

        void update(int done, int total);
    }

    private final LiveOptions options;
    private final List<URI> scrapeTargets;
    private final Duration scrapeInterval;

    public LiveBenchmark(LiveOptions options) {
        this(options, List.of(), Duration.ofMillis(500));
    }

    /**
     * Also scrapes {@code /metrics} of each replica in {@code scrapeTargets} (base URLs, replica i = index i) every
     * {@code scrapeInterval} for per-replica queue, running and KV-usage statistics.
     */
    public LiveBenchmark(LiveOptions options, List<URI> scrapeTargets, Duration scrapeInterval) {
        this.options = options;
        this.scrapeTargets = List.copyOf(scrapeTargets);
        this.scrapeInterval = scrapeInterval;
    }

    /** Runs the whole plan and waits for every request to end (or time out); returns the report labelled {@code label}. */
    public PolicyReport run(RequestPlan plan, int maxConcurrency, String label, Progress progress)
            throws InterruptedException {
        MetricsCollector collector = new MetricsCollector(plan.stages(), options.slo(), plan.transition().drain(),
                plan.classes());
        StageClock stages = new StageClock(plan);
        int total = plan.requests().size();
        CountDownLatch remaining = new CountDownLatch(total);
        int[] ended = {0};
        Semaphore cap = maxConcurrency > 0 ? new Semaphore(maxConcurrency) : null;
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).executor(executor).build();
        warmUp(client, plan);
        ServedBy servedBy = new ServedBy(scrapeTargets);
        MetricsScraper scraper = scrapeTargets.isEmpty() ? null
                : new MetricsScraper(scrapeTargets, scrapeInterval, collector, client);
        long t0 = System.nanoTime() + START_LEAD_NANOS;
        LOG.info("bench: {} requests against {} ({} stages, {} s planned)", total, options.endpoint(),
                plan.stages().size(), Math.round(plan.endNanos() / 1e9));
        try {
            for (PlannedRequest planned : plan.requests()) {
                long sendAt;
                synchronized (stages) {
                    while ((sendAt = stages.sendAt(planned)) < 0) {
                        stages.wait(); // the previous stage is still draining
                    }
                }
                parkUntil(t0 + sendAt);
                if (cap != null) {
                    cap.acquire();
                }
                RequestTrace trace;
                synchronized (collector) {
                    trace = collector.start(planned.request().index(), planned.stage(), sendAt, planned.trafficClass());
                }
                Runnable onEnd = () -> {
                    if (cap != null) {
                        cap.release();
                    }
                    // One lock for the stage bookkeeping and the progress count, so the count reported never goes
                    // backwards when two requests end at once.
                    synchronized (stages) {
                        if (stages.ended(planned.stage(), System.nanoTime() - t0)) {
                            stages.notifyAll();
                        }
                        progress.update(++ended[0], total);
                    }
                    remaining.countDown();
                };
                send(client, planned, collector, trace, () -> System.nanoTime() - t0, onEnd, servedBy);
            }
            long waitNanos = options.requestTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
            if (!remaining.await(waitNanos, TimeUnit.NANOSECONDS)) {
                LOG.warn("bench: {} requests still open after the timeout; reporting without them", remaining.getCount());
            }
            long[] starts;
            long[] ends;
            synchronized (stages) {
                starts = stages.starts();
                ends = stages.ends();
            }
            synchronized (collector) {
                return collector.report(label, options.cost(), starts, ends);
            }
        } finally {
            if (scraper != null) {
                scraper.close();
            }
            client.shutdownNow();
            executor.shutdownNow();
        }
    }

    private void send(HttpClient client, PlannedRequest planned, MetricsCollector collector, RequestTrace trace,
                      java.util.function.LongSupplier clock, Runnable onEnd, ServedBy servedBy) {
        ResponseSubscriber subscriber = new ResponseSubscriber(collector, trace, clock, options.streaming(),
                planned.request().prompt().tokenCount(), onEnd);
        HttpRequest.Builder request = HttpRequest.newBuilder(options.endpoint())
                .header("Content-Type", "application/json")
                .header("Accept", options.streaming() ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(RequestBodies.of(planned.request(), options),
                        StandardCharsets.UTF_8));
        options.headers().forEach(request::setHeader);
        if (planned.trafficClass() != null) {
            // The class's headers win over --header ones of the same name: they are what the class is about.
            planned.trafficClass().headers().forEach(request::setHeader);
        }
        HttpResponse.BodyHandler<Void> handler = info -> {
            subscriber.status(info.statusCode(), info.headers().firstValue(TrafficHeaders.DROPPED_REASON).orElse(null));
            subscriber.servedBy(servedBy.replica(info.headers().firstValue(ServedBy.ENDPOINT_HEADER).orElse(null)),
                    servedBy.replica(info.headers().firstValue(ServedBy.PREFILL_ENDPOINT_HEADER).orElse(null)));
            return HttpResponse.BodySubscribers.fromLineSubscriber(subscriber, s -> null, StandardCharsets.UTF_8, null);
        };
        CompletableFuture<HttpResponse<Void>> future = client.sendAsync(request.build(), handler);
        future.orTimeout(options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS).whenComplete((response, error) -> {
            if (error != null) {
                subscriber.fail(ResponseSubscriber.describe(error));
                future.cancel(true);
            }
        });
    }

    /**
     * Loads and links the HTTP client, JSON and SSE code paths before the clock starts ({@code GET /v1/models}, one
     * body built and parsed), so the first requests do not carry the client's own start-up as server latency.
     */
    private void warmUp(HttpClient client, RequestPlan plan) {
        if (!plan.requests().isEmpty()) {
            RequestBodies.of(plan.requests().getFirst().request(), options);
        }
        ResponseParser.parse("{\"choices\":[{\"text\":\" x\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
        String models = options.endpoint().toString().replaceFirst("/(chat/)?completions$", "/models");
        try {
            client.send(HttpRequest.newBuilder(java.net.URI.create(models)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofLines()).body().forEach(line -> {
                    });
        } catch (java.io.IOException e) {
            LOG.debug("bench: warm-up GET {} failed: {}", models, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void parkUntil(long deadline) {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
