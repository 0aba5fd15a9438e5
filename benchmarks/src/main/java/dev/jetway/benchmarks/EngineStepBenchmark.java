package dev.jetway.benchmarks;

import dev.jetway.engine.Completion;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineProfiles;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvEventSink;
import dev.jetway.engine.RequestObserver;
import dev.jetway.engine.VirtualClock;
import dev.jetway.engine.vllm.VllmEngine;
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
 * Steps per second of the engine model with a full running batch (the what-if simulator's inner loop): {@code batch}
 * requests decode at once; each finished request is replaced by one with the same 1000-token prompt (a prefix hit),
 * so the batch stays full and a short prefill chunk joins a decode step now and then, as in steady serving.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow"})
public class EngineStepBenchmark {

    @Param({"64", "256"})
    int batch;

    /** Whether KV events are produced (a sink that counts them) or switched off. */
    @Param({"false", "true"})
    boolean events;

    private VllmEngine engine;
    private VirtualClock clock;
    private long eventCount;
    private int nextId;
    private int[] prompt;

    @Setup
    public void setUp() {
        clock = new VirtualClock(0);
        EngineConfig config = EngineConfig.defaults(EngineProfiles.QWEN3_32B_H100_TP2)
                .withKvCapacityTokens(batch * 3_000L);
        KvEventSink sink = events ? (event, time) -> eventCount++ : KvEventSink.NONE;
        engine = new VllmEngine(config, clock, sink);
        prompt = new int[1000];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = i * 7 + 1;
        }
        for (int i = 0; i < batch; i++) {
            submit();
        }
        for (int i = 0; i < 200; i++) {
            step();
        }
    }

    private void submit() {
        int id = nextId++;
        // Staggered lengths so that requests finish at different steps.
        int maxTokens = 1000 + (id * 37) % 1000;
        engine.submit(EngineRequest.of("r" + id, prompt, maxTokens), new Replacer());
    }

    /** Keeps the batch full: a finished request is replaced at once. */
    private final class Replacer implements RequestObserver {
        @Override
        public void onTokens(int count, long timeNanos) {
        }

        @Override
        public void onFinished(Completion completion) {
            submit();
        }
    }

    @Benchmark
    public int step() {
        EngineStep step = engine.plan(clock.nanos());
        clock.advanceTo(clock.nanos() + step.durationNanos());
        step.complete();
        return step.batchedTokens();
    }
}
