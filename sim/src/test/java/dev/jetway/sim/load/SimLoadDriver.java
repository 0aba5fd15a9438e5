package dev.jetway.sim.load;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimReplica;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the simulator's own delay: N replicas in this JVM, an open-loop stream of streaming completions at a
 * fixed rate, and per request (client-observed TTFT) minus (the model's TTFT: from the server's receipt of the
 * request to the end of the model step that produced the first token, reported by {@code TimingListener}). The
 * difference is everything the simulator and the client add: HTTP parsing, hand-off to the engine thread, its
 * wake-up lateness, SSE writing, and the client's own reading. Not a unit test; run by hand (docs/performance.md):
 * <pre>
 * java -cp ... dev.jetway.sim.load.SimLoadDriver [replicas=16] [rate=500] [seconds=20] [promptTokens=256]
 *      [maxTokens=16] [profile=qwen3-32b-h100-tp2]
 * </pre>
 */
public final class SimLoadDriver {

    record Sample(long clientTtftNanos, long modelTtftNanos) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new java.util.HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            opts.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        int replicas = Integer.parseInt(opts.getOrDefault("replicas", "16"));
        double rate = Double.parseDouble(opts.getOrDefault("rate", "500"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
        int warmupSeconds = Integer.parseInt(opts.getOrDefault("warmup", "5"));
        int promptTokens = Integer.parseInt(opts.getOrDefault("promptTokens", "256"));
        int maxTokens = Integer.parseInt(opts.getOrDefault("maxTokens", "16"));
        String profile = opts.getOrDefault("profile", SimOptions.DEFAULT_PROFILE);

        SimOptions options = SimOptions.defaults("load-model").withBindHost("127.0.0.1").withPort(0)
                .withProfile(profile);
        Map<String, long[]> modelTimes = new ConcurrentHashMap<>();
        try (SimCluster cluster = SimCluster.start(options, replicas)) {
            for (SimReplica replica : cluster.replicas()) {
                replica.timingListener((id, arrival, firstToken) ->
                        modelTimes.put(id, new long[] {arrival, firstToken}));
            }
            int[] ports = cluster.replicas().stream().mapToInt(SimReplica::httpPort).toArray();
            NettyLoadClient http = new NettyLoadClient(ports, 1);

            System.out.printf(Locale.ROOT, "%d replicas, %.0f req/s for %d s (+%d s warm-up), prompt %d tokens, "
                    + "max_tokens %d, profile %s, %d CPUs%n", replicas, rate, seconds, warmupSeconds, promptTokens,
                    maxTokens, profile, Runtime.getRuntime().availableProcessors());
            ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
            AtomicInteger errors = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            SplittableRandom random = new SplittableRandom(42);
            long intervalNanos = (long) (1e9 / rate);
            CpuByThreadGroup cpu = new CpuByThreadGroup();
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            int sent = 0;
            for (long next = start; next < end; next += intervalNanos) {
                for (long wait = next - System.nanoTime(); wait > 0; wait = next - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                boolean measured = next >= measureFrom;
                byte[] body = ("{\"model\":\"load-model\",\"prompt\":\"" + FillerText.random(promptTokens, random)
                        + "\",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"stream\":true}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                long sentAt = System.nanoTime();
                inFlight.incrementAndGet();
                http.post(sent++ % ports.length, "/v1/completions", body, new NettyLoadClient.Outcome() {
                    @Override
                    public void completed(int status, String responseId, long firstChunkNanos) {
                        inFlight.decrementAndGet();
                        long[] model = responseId == null ? null : modelTimes.remove(responseId);
                        if (status != 200 || model == null) {
                            errors.incrementAndGet();
                        } else if (measured) {
                            samples.add(new Sample(firstChunkNanos - sentAt, model[1] - model[0]));
                        }
                    }

                    @Override
                    public void failed(Throwable cause) {
                        inFlight.decrementAndGet();
                        errors.incrementAndGet();
                    }
                });
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            double achieved = sent / ((end - start) / 1e9);
            report(samples, errors.get(), achieved);
            cpu.report(sent);
            System.out.printf(Locale.ROOT, "engine steps started > 50 ms late (timeline restarted): %d%n",
                    cluster.replicas().stream().mapToLong(SimReplica::lateSteps).sum());
            http.close();
        }
    }

    private static void report(ConcurrentLinkedQueue<Sample> samples, int errors, double achievedRate) {
        long[] client = samples.stream().mapToLong(Sample::clientTtftNanos).sorted().toArray();
        long[] model = samples.stream().mapToLong(Sample::modelTtftNanos).sorted().toArray();
        long[] overhead = samples.stream().mapToLong(s -> s.clientTtftNanos() - s.modelTtftNanos()).sorted()
                .toArray();
        System.out.printf(Locale.ROOT, "requests measured %d, errors %d, offered %.1f req/s%n", overhead.length,
                errors, achievedRate);
        line("client TTFT", client);
        line("model TTFT", model);
        line("sim delay (client - model)", overhead);
    }

    private static void line(String name, long[] sorted) {
        if (sorted.length == 0) {
            System.out.println(name + ": no samples");
            return;
        }
        System.out.printf(Locale.ROOT, "%-28s p50 %8.2f ms  p90 %8.2f ms  p99 %8.2f ms  max %8.2f ms  mean %8.2f ms%n",
                name, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1] / 1e6,
                Arrays.stream(sorted).average().orElse(0) / 1e6);
    }

    private static double pct(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    /** CPU time and allocation of this JVM's threads by role, to tell the simulator's cost from the load client's. */
    static final class CpuByThreadGroup {
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        private final Map<Long, long[]> start = new java.util.HashMap<>();
        private final long processStart = processCpu();
        private final long[] gcStart = gc();

        CpuByThreadGroup() {
            for (long id : threads.getAllThreadIds()) {
                start.put(id, new long[] {Math.max(0, threads.getThreadCpuTime(id)),
                        Math.max(0, threads.getThreadAllocatedBytes(id))});
            }
        }

        private static long processCpu() {
            return ((com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        /** Collections and their accumulated time (ms) over all collectors. */
        private static long[] gc() {
            long count = 0;
            long millis = 0;
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            return new long[] {count, millis};
        }

        void report(int requests) {
            Map<String, long[]> byGroup = new java.util.TreeMap<>();
            for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long[] before = start.getOrDefault(info.getThreadId(), new long[2]);
                long cpu = Math.max(0, threads.getThreadCpuTime(info.getThreadId())) - before[0];
                long allocated = Math.max(0, threads.getThreadAllocatedBytes(info.getThreadId())) - before[1];
                String name = info.getThreadName();
                String group = name.startsWith("sim-http") ? "sim event loops"
                        : name.startsWith("sim-engine") ? "sim engine threads"
                        : name.startsWith("sim-kv") ? "sim KV publishers"
                        : name.startsWith("load-client") ? "load client (Netty)" : "other (driver, JIT, GC)";
                long[] sum = byGroup.computeIfAbsent(group, g -> new long[2]);
                sum[0] += cpu;
                sum[1] += allocated;
            }
            long total = processCpu() - processStart;
            long[] gcEnd = gc();
            System.out.printf(Locale.ROOT, "process CPU %.1f s = %.0f us/request; GC: %d collections, %d ms; "
                    + "by live thread group (CPU, allocated):%n", total / 1e9, total / 1e3 / requests,
                    gcEnd[0] - gcStart[0], gcEnd[1] - gcStart[1]);
            byGroup.forEach((group, sum) -> System.out.printf(Locale.ROOT,
                    "  %-34s %6.1f s  %6.0f us/request  %8.1f KB/request%n",
                    group, sum[0] / 1e9, sum[0] / 1e3 / requests, sum[1] / 1024.0 / requests));
        }
    }
}
