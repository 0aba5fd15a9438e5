package dev.jetway.benchmarks;

import dev.jetway.kvcache.key.BlockKeys;
import dev.jetway.kvcache.tokenize.ByteEstimateTokenizer;
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

/**
 * Cost of tokenizing a prompt and computing its request keys (the per-request work on the routing path).
 *
 * <p>The prompt is {@code promptTokens} × 4 characters ({@code 55000} is the 220 KB prompt of issue #4's target), either
 * filler words ({@code text=filler}, all ASCII) or the same words with one word in eight replaced by non-ASCII text
 * ({@code text=mixed}: accented Latin, CJK, emoji, Unicode spaces), so the tokenizers' slow paths are measured too.
 * Each method also reports the thread's CPU time ({@link ThreadCpuCounter}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow"})
public class BlockKeysBenchmark {

    private static final String[] NON_ASCII = {" naïve", " café", " 東京タワー", " 🚀", " Straße", "\u3000", " ٣١٤", " ok\u00A0x"};

    @Param({"1000", "8000", "55000"})
    int promptTokens;

    @Param({"64"})
    int blockSize;

    @Param({"filler", "mixed"})
    String text;

    private String prompt;
    private int[] tokens;
    private long root;

    @Setup
    public void setUp() {
        int chars = promptTokens * 4;
        SplittableRandom rnd = new SplittableRandom(42);
        StringBuilder sb = new StringBuilder(chars + 16);
        while (sb.length() < chars) {
            boolean unicode = text.equals("mixed") && rnd.nextInt(8) == 0;
            sb.append(unicode ? NON_ASCII[rnd.nextInt(NON_ASCII.length)] : FillerText.word(rnd.nextInt(1 << 20)));
        }
        prompt = sb.substring(0, chars);
        tokens = SimpleWordTokenizer.instance().encode(prompt);
        root = BlockKeys.root("Qwen/Qwen3-32B", null);
    }

    /** Keys of the jetway-simple-v1 tokens (full blocks). */
    @Benchmark
    public long[] keys(ThreadCpuCounter cpu) {
        cpu.call();
        return BlockKeys.of(tokens, blockSize, root);
    }

    /** Jetway's tokenizer ({@code jetway-simple-v1}), what the gateway runs on every prompt of a sim pool. */
    @Benchmark
    public int[] tokenize(ThreadCpuCounter cpu) {
        cpu.call();
        return SimpleWordTokenizer.instance().encode(prompt);
    }

    /** llm-d's estimate: UTF-8 bytes packed four per pseudo-token (the default config's token producer). */
    @Benchmark
    public int[] estimate(ThreadCpuCounter cpu) {
        cpu.call();
        return ByteEstimateTokenizer.instance().encode(prompt);
    }

    /** Estimate plus keys: what the default config's producers compute per request before any endpoint is looked at. */
    @Benchmark
    public long[] estimateAndKeys(ThreadCpuCounter cpu) {
        cpu.call();
        int[] ids = ByteEstimateTokenizer.instance().encode(prompt);
        return BlockKeys.of(ids, ids.length, blockSize, root, true, 0);
    }
}
