package dev.jetway.benchmarks;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventEncoder;
import dev.jetway.kvcache.index.precise.IndexStats;
import dev.jetway.kvcache.index.precise.IntakeResult;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.index.precise.PrefixMatches;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The precise prefix index: KV-event ingestion rate, lookup latency of a long chain across many endpoints, and
 * memory per (block, endpoint) entry at 10 million entries. Single-threaded (the intake of one endpoint is one thread).
 */
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Xmx4g"})
public class PreciseIndexBenchmark {

    static final String MODEL = "Qwen/Qwen3-32B";
    static final int BLOCK_SIZE = 16;
    static final int ENDPOINTS = 64;
    static final int BLOCKS_PER_EVENT = 32;

    /**
     * Steady-state churn: 16,384 pre-encoded messages, each removing one 32-block chain of an endpoint and storing it
     * again (as an engine that evicts and re-computes it), over 64 endpoints; ~524k live entries.
     */
    @State(Scope.Thread)
    public static class Intake {
        static final int MESSAGES = 16_384;

        PrecisePrefixIndex index;
        int[] endpointIds = new int[ENDPOINTS];
        long[] seq = new long[ENDPOINTS];
        byte[][] payloads = new byte[MESSAGES][];
        KvEventBatch[] batches = new KvEventBatch[MESSAGES];
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BLOCK_SIZE));
            for (int e = 0; e < ENDPOINTS; e++) {
                endpointIds[e] = index.addEndpoint("10.0.0." + e + ":8000", MODEL);
            }
            SplittableRandom random = new SplittableRandom(42);
            for (int m = 0; m < MESSAGES; m++) {
                long[] hashes = new long[BLOCKS_PER_EVENT];
                for (int b = 0; b < hashes.length; b++) {
                    hashes[b] = random.nextLong();
                }
                int[] tokens = random.ints(BLOCKS_PER_EVENT * BLOCK_SIZE, 0, 150_000).toArray();
                KvEventBatch batch = new KvEventBatch(1.0, List.of(
                        new KvEvent.BlockRemoved(hashes, null),
                        new KvEvent.BlockStored(hashes, null, tokens, BLOCK_SIZE, null, null, null)), null);
                batches[m] = batch;
                payloads[m] = KvEventEncoder.encode(batch);
            }
        }
    }

    /** Blocks stored per second from decoded batches (each op also removes the same number of blocks). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BLOCKS_PER_EVENT)
    public void ingestDecoded(Intake s, ThreadCpuCounter cpu) {
        int m = s.next++ & (Intake.MESSAGES - 1);
        s.index.apply(s.endpointIds[m & (ENDPOINTS - 1)], s.batches[m]);
        cpu.calls(BLOCKS_PER_EVENT);
    }

    /** Blocks stored per second from msgpack payloads through onMessage (decode, sequence check, apply). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BLOCKS_PER_EVENT)
    public Object ingestMessage(Intake s, ThreadCpuCounter cpu) {
        int m = s.next++ & (Intake.MESSAGES - 1);
        int e = m & (ENDPOINTS - 1);
        IntakeResult result = s.index.onMessage(s.endpointIds[e], s.seq[e]++, s.payloads[m]);
        cpu.calls(BLOCKS_PER_EVENT);
        return result;
    }

    /**
     * A 512-block (8,192-token) request against an index of {@code endpoints} endpoints (64 unless set) that each hold
     * 200 other 64-block chains (~820k entries at 64). {@code whole}: {@code holders} endpoints hold the whole request,
     * 8 more its first half (two run lengths). {@code staggered}: holder i of n holds its first 512·(i+1)/n blocks,
     * 8 more its first 100 (n + 1 run lengths: the costliest case for bisection). Holders are every
     * {@code endpoints / 64}-th endpoint (wrapping around), so over 64 endpoints they spread over the groups of 64 ids.
     */
    @State(Scope.Benchmark)
    public static class Lookup {
        @Param({"4", "64"})
        int holders;

        @Param({"whole", "staggered"})
        String runs;

        @Param({"64"})
        int endpoints;

        PrecisePrefixIndex index;
        int[] prompt;
        long[] keys;

        @Setup(Level.Trial)
        public void setUp() {
            index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BLOCK_SIZE));
            SplittableRandom random = new SplittableRandom(7);
            long engineHash = 1;
            for (int e = 0; e < endpoints; e++) {
                int id = index.addEndpoint("10.0." + (e >>> 8) + "." + (e & 255) + ":8000", MODEL);
                for (int c = 0; c < 200; c++) {
                    long[] hashes = new long[64];
                    for (int b = 0; b < hashes.length; b++) {
                        hashes[b] = engineHash++;
                    }
                    int[] tokens = random.ints(64 * BLOCK_SIZE, 0, 150_000).toArray();
                    index.apply(id, new KvEventBatch(1, List.of(
                            new KvEvent.BlockStored(hashes, null, tokens, BLOCK_SIZE, null, null, null)), null));
                }
            }
            prompt = random.ints(512 * BLOCK_SIZE, 0, 150_000).toArray();
            boolean staggered = runs.equals("staggered");
            int[] part = java.util.Arrays.copyOf(prompt, (staggered ? 100 : 256) * BLOCK_SIZE);
            int stride = Math.max(1, endpoints / 64);
            for (int h = 0; h < Math.min(endpoints, holders + 8); h++) {
                int e = h * stride % endpoints + h * stride / endpoints; // wraps onto ids not taken yet
                int[] held = h >= holders ? part
                        : staggered ? java.util.Arrays.copyOf(prompt, 512 * (h + 1) / holders * BLOCK_SIZE) : prompt;
                long[] hashes = new long[held.length / BLOCK_SIZE];
                for (int b = 0; b < hashes.length; b++) {
                    hashes[b] = engineHash++;
                }
                index.apply(e, new KvEventBatch(1, List.of(
                        new KvEvent.BlockStored(hashes, null, held, BLOCK_SIZE, null, null, null)), null));
            }
            keys = index.requestKeys(MODEL, null, null, prompt);
            PrefixMatches check = index.match(keys);
            if (check.matches().isEmpty() || check.matches().getFirst().blocks() != 512) {
                throw new IllegalStateException("benchmark index not built as intended: " + check.matches());
            }
        }
    }

    /** Lookup only: the request keys are already computed (the scheduler computes them once per request). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public PrefixMatches lookup512Blocks(Lookup s) {
        return s.index.match(s.keys);
    }

    /** The same lookup in AverageTime mode, with the CPU time per lookup alongside ({@link ThreadCpuCounter}). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public PrefixMatches lookup512BlocksAverage(Lookup s, ThreadCpuCounter cpu) {
        PrefixMatches m = s.index.match(s.keys);
        cpu.call();
        return m;
    }

    /** Request keys from 8,192 token ids plus the lookup. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public PrefixMatches keysAndLookup512Blocks(Lookup s) {
        return s.index.match(MODEL, null, null, s.prompt);
    }

    /** Heap and array bytes per entry after building a 10-million-entry index (reported as auxiliary counters). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Memory {
        public double heapBytesPerEntry;
        public double arrayBytesPerEntry;
        public double millionEntries;
    }

    /**
     * Builds 10 million (block, endpoint) entries: 64 endpoints, 32-block chains, each block held by one endpoint
     * (the costliest case for the mask table), fed as BlockStored events so the engine-key maps are included.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    // Parallel GC: G1 would count each array in whole 1-32 MB regions and blur the measurement (docs/precise-routing.md).
    @Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "-Xmx4g", "-XX:+UseParallelGC"})
    public Object memory10MillionEntries(Memory out) {
        MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
        long before = usedHeapAfterGc(heap);
        PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BLOCK_SIZE));
        int[] ids = new int[ENDPOINTS];
        for (int e = 0; e < ENDPOINTS; e++) {
            ids[e] = index.addEndpoint("10.0.0." + e + ":8000", MODEL);
        }
        SplittableRandom random = new SplittableRandom(1);
        long[] hashes = new long[BLOCKS_PER_EVENT];
        int[] tokens = new int[BLOCKS_PER_EVENT * BLOCK_SIZE];
        int target = 10_000_000;
        long engineHash = 1;
        for (long stored = 0; stored < target; stored += BLOCKS_PER_EVENT) {
            for (int b = 0; b < hashes.length; b++) {
                hashes[b] = engineHash++;
            }
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = random.nextInt(150_000);
            }
            int e = (int) (stored / BLOCKS_PER_EVENT) & (ENDPOINTS - 1);
            index.apply(ids[e], new KvEventBatch(1, List.of(
                    new KvEvent.BlockStored(hashes, null, tokens, BLOCK_SIZE, null, null, null)), null));
        }
        long after = usedHeapAfterGc(heap);
        IndexStats stats = index.stats();
        out.heapBytesPerEntry = (double) (after - before) / stats.entries();
        out.arrayBytesPerEntry = stats.bytesPerEntry();
        out.millionEntries = stats.entries() / 1e6;
        return index;
    }

    private static long usedHeapAfterGc(MemoryMXBean heap) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return heap.getHeapMemoryUsage().getUsed();
    }
}
