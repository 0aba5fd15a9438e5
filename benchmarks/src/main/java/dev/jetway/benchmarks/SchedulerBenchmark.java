package dev.jetway.benchmarks;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code Scheduler.schedule()} call, the prompt given as text: the cost includes the estimate token producer (the
 * prompt's UTF-8 bytes, 4 per pseudo-token), block hashing, the prefix-index lookup on every endpoint, the latency
 * model's predictions for every endpoint, the scorers, the picker and the decision record. {@code policy}:
 * {@code jetway-approximate} (the default config: fixed-weight scorers, latency model for SLO tiers) or
 * {@code latency-cost} (jetway-precise's pipeline, the latency cost as the score, on the approximate index so that no
 * KV-event index is needed). The index is warm: 32 shared system prompts were routed before, and the measured
 * request shares one of them (its tail differs), as on a shared-prefix workload. The thread's CPU time per call is
 * reported next to the wall-clock time ({@link ThreadCpuCounter}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow"})
public class SchedulerBenchmark {

    @Param({"8", "64", "256", "1024"})
    int endpoints;

    @Param({"1000", "8000", "55000"})
    int promptTokens;

    @Param({"latency-cost", "jetway-approximate"})
    String policy;

    /** jetway-precise's pipeline on the approximate prefix index. */
    private static final String LATENCY_COST = """
            apiVersion: llm-d.ai/v1
            kind: EndpointPickerConfig
            plugins:
            - type: approx-prefix-cache-producer
              parameters: {maxPrefixTokensToMatch: 131072, lruCapacityPerServer: 31250, autoTune: true}
            - type: predicted-latency-producer
            - type: slo-headroom-tier-filter
              parameters: {epsilonExploreNeg: 0}
            - type: latency-cost-scorer
            - type: max-score-picker
              parameters: {maxNumOfEndpoints: 3}
            """;

    private Scheduler scheduler;
    private List<Endpoint> pool;
    private InferenceRequest request;

    @Setup
    public void setUp() {
        EndpointPickerConfig config = policy.equals("latency-cost")
                ? EndpointPickerConfig.parse(LATENCY_COST, "latency-cost") : EndpointPickerConfig.builtIn(policy);
        scheduler = Scheduler.fromConfig(config, SchedulerEnvironment.deterministic(System::nanoTime, 1));
        SplittableRandom rnd = new SplittableRandom(42);
        pool = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            Endpoint e = Endpoint.of("10.0." + (i / 250) + "." + (i % 250) + ":8000");
            e.updateMetrics(EndpointMetrics.of(rnd.nextInt(8), rnd.nextInt(32), rnd.nextDouble(), System.nanoTime())
                    .withCache(16, 40_000));
            pool.add(e);
        }
        // ~4 bytes per token, so 55,000 tokens is the 220 KB prompt of the target
        int systemChars = promptTokens * 4 * 9 / 10;
        int tailChars = promptTokens * 4 - systemChars;
        String target = null;
        for (int g = 0; g < 32; g++) {
            String system = text(systemChars, new SplittableRandom(g));
            InferenceRequest warm = InferenceRequest.builder("warm-" + g).model("Qwen/Qwen3-32B")
                    .prompt(system + text(tailChars, rnd)).build();
            SchedulingResult r = scheduler.schedule(warm, pool);
            scheduler.preRequest(r);
            scheduler.onComplete(r, r.primaryEndpoint(), true);
            if (g == 7) {
                target = system;
            }
        }
        request = InferenceRequest.builder("measured").model("Qwen/Qwen3-32B")
                .prompt(target + text(tailChars, new SplittableRandom(99))).build();
    }

    private static String text(int chars, SplittableRandom rnd) {
        return FillerText.random(chars / 3, rnd).substring(0, chars);
    }

    /** The decision alone (no hooks), so the index stays as set up. */
    @Benchmark
    public SchedulingResult schedule(ThreadCpuCounter cpu) {
        cpu.call();
        return scheduler.schedule(request, pool);
    }
}
