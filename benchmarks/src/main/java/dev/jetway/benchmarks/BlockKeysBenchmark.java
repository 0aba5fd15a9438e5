package dev.jetway.benchmarks;

import dev.jetway.kvcache.key.BlockKeys;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
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

/** Cost of tokenizing a prompt and computing its request keys (the per-request hashing on the routing path). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow"})
public class BlockKeysBenchmark {

    @Param({"1000", "8000", "55000"})
    int promptTokens;

    @Param({"16", "64"})
    int blockSize;

    private String prompt;
    private int[] tokens;
    private long root;

    @Setup
    public void setUp() {
        prompt = FillerText.random(promptTokens, new SplittableRandom(42));
        tokens = SimpleWordTokenizer.instance().encode(prompt);
        root = BlockKeys.root("Qwen/Qwen3-32B", null);
    }

    @Benchmark
    public long[] keys() {
        return BlockKeys.of(tokens, blockSize, root);
    }

    @Benchmark
    public int[] tokenize() {
        return SimpleWordTokenizer.instance().encode(prompt);
    }
}
