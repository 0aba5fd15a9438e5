package dev.jetway.gateway.bench;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.kvcache.tokenize.FillerText;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Load driver for the gateway numbers in docs/performance.md. Everything runs in this JVM on loopback: a
 * near-free backend ({@link BenchBackend}), the gateway, and the clients. The gateway's own CPU is read per thread
 * (its event loops are named {@code jetway-io-*}), so client and backend work do not count against it.
 *
 * <pre>
 * latency    [rate=1000] [seconds=20] [flow-control|api-keys]  small non-streaming requests, direct vs through the
 *            gateway (api-keys: with security.apiKeys on, 1,000 keys in the file, every request carrying one)
 * streams    [streams=200] [tokens=1000] [intervalMicros=10000] [migrationLimit=3]  concurrent SSE streams relayed
 *            (migrationLimit 0: the relay without request migration's reading of each event)
 * bigprompts [rate=500] [seconds=20] [kb=220] [tokenizer=jetway-simple-v1|estimate]  large prompts, non-streaming
 * audit      [rate=1000] [seconds=15] [rounds=3] [text]  the same small requests through a gateway without and one
 *            with the audit log (rounds alternate), then a check of the audit file: one valid record per request
 * tracing    [rate=1000] [seconds=15] [rounds=3]  the same small requests through gateways with tracing off, sampling
 *            0.1 and sampling 1.0 (rounds alternate), exporting over OTLP/HTTP to a collector stand-in in this JVM
 * </pre>
 * Open loop: each request has an intended start time, and latency counts from it (no coordinated omission).
 */
public final class GatewayLoadDriver {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "latency";
        switch (mode) {
            case "latency" -> latency(intArg(args, 1, 1000), intArg(args, 2, 20),
                    args.length > 3 && args[3].equals("flow-control"), args.length > 3 && args[3].equals("api-keys"));
            case "blackout" -> blackout(intArg(args, 1, 200), intArg(args, 2, 5));
            case "streams" -> streams(intArg(args, 1, 200), intArg(args, 2, 1000), intArg(args, 3, 10_000),
                    intArg(args, 4, 3));
            case "audit" -> audit(intArg(args, 1, 1000), intArg(args, 2, 15), intArg(args, 3, 3),
                    args.length > 4 && args[4].equals("text"));
            case "tracing" -> tracing(intArg(args, 1, 1000), intArg(args, 2, 15), intArg(args, 3, 3));
            case "bigprompts" -> bigPrompts(intArg(args, 1, 500), intArg(args, 2, 20), intArg(args, 3, 220),
                    args.length > 4 ? args[4] : "jetway-simple-v1");
            default -> throw new IllegalArgumentException("mode: latency | streams | bigprompts");
        }
        System.exit(0);
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    private static GatewayServer gateway(int backendPort) throws InterruptedException {
        return gateway(backendPort, "jetway-simple-v1");
    }

    private static GatewayServer gateway(int backendPort, String tokenizer) throws InterruptedException {
        return gateway(backendPort, tokenizer, false);
    }

    /**
     * {@code flowControl}: the default policy (jetway-approximate here: no KV events) with llm-d's flow control on,
     * defaults as llm-d ships them; the backend never queues, so every request takes the fast path.
     */
    private static GatewayServer gateway(int backendPort, String tokenizer, boolean flowControl)
            throws InterruptedException {
        return gateway(List.of(backendPort), tokenizer, flowControl);
    }

    private static GatewayServer gateway(List<Integer> backendPorts, String tokenizer, boolean flowControl)
            throws InterruptedException {
        return gateway(backendPorts, tokenizer, flowControl, "");
    }

    /** {@code extra}: more top-level jetway.yaml (e.g. {@code security}). */
    private static GatewayServer gateway(List<Integer> backendPorts, String tokenizer, boolean flowControl,
                                         String extra) throws InterruptedException {
        String picker = "";
        if (flowControl) {
            try (var in = GatewayLoadDriver.class.getResourceAsStream(
                    "/jetway-default-epp.yaml")) {
                String yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        + "featureGates: [flowControl]\nflowControl: {defaultRequestTTL: 60s}\n";
                picker = "    endpointPicker: |\n" + yaml.lines().map(l -> "      " + l)
                        .collect(java.util.stream.Collectors.joining("\n")) + "\n";
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        String endpoints = backendPorts.stream().map(p -> "      - {address: \"127.0.0.1:" + p + "\"}\n")
                .collect(java.util.stream.Collectors.joining());
        return GatewayServer.start(ConfigLoader.parse("server: {host: 127.0.0.1, port: 0, adminPort: 0}\n"
                + "pools:\n  - name: bench\n    models: [m]\n    tokenizer: " + tokenizer + "\n" + picker
                + "    endpoints:\n" + endpoints + extra, "bench"));
    }

    /**
     * Added latency of the audit log: two gateways on one backend, one without and one with {@code audit} (a JSONL
     * file in a temporary directory; {@code text}: prompt and completion text too), loaded in alternating rounds so
     * the machine's background drifts over both alike; then every record of the file is parsed and counted against
     * the requests the audited gateway answered.
     */
    static void audit(int rate, int seconds, int rounds, boolean text) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jetway-audit-bench");
        java.nio.file.Path file = dir.resolve("audit.jsonl");
        String auditYaml = "audit: {file: " + file + (text ? ", includePrompt: true, includeCompletion: true" : "")
                + "}\n";
        try (BenchBackend backend = new BenchBackend(1, 0, 0);
             GatewayServer plain = gateway(backend.port());
             GatewayServer audited = GatewayServer.start(ConfigLoader.parse(
                     "server: {host: 127.0.0.1, port: 0, adminPort: 0}\n" + auditYaml
                             + "pools:\n  - name: bench\n    models: [m]\n    endpoints:\n"
                             + "      - {address: \"127.0.0.1:" + backend.port() + "\"}\n", "bench"))) {
            byte[] req = RawHttpConnection.post("/v1/completions",
                    "{\"model\":\"m\",\"prompt\":\"hello world, how are you today\",\"max_tokens\":1}");
            System.out.printf("transport %s, rate %d/s, %d rounds of %d s per gateway, audit file %s%s%n",
                    plain.transportName(), rate, rounds, seconds, file, text ? " (with text)" : "");
            long sentToAudited = 0;
            run("warmup-off", plain.port(), rate, 5, i -> req, false);
            sentToAudited += run("warmup-on", audited.port(), rate, 5, i -> req, false).count();
            Histogram off = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            Histogram on = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long cpuOff = 0;
            long cpuOn = 0;
            long writerCpu = 0;
            long errors = 0;
            for (int r = 0; r < rounds; r++) {
                long c0 = cpuNanos("jetway-io");
                Result a = run("off-" + r, plain.port(), rate, seconds, i -> req, true);
                cpuOff += cpuNanos("jetway-io") - c0;
                off.add(a.h());
                long c1 = cpuNanos("jetway-io");
                long w1 = cpuNanos("jetway-audit");
                Result b = run("on-" + r, audited.port(), rate, seconds, i -> req, true);
                cpuOn += cpuNanos("jetway-io") - c1;
                writerCpu += cpuNanos("jetway-audit") - w1;
                on.add(b.h());
                sentToAudited += b.count();
                errors += a.errors() + b.errors();
            }
            System.out.printf("audit off: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d requests)%n",
                    ms(off.getValueAtPercentile(50)), ms(off.getValueAtPercentile(90)),
                    ms(off.getValueAtPercentile(99)), ms(off.getValueAtPercentile(99.9)), off.getTotalCount());
            System.out.printf("audit on:  p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d requests)%n",
                    ms(on.getValueAtPercentile(50)), ms(on.getValueAtPercentile(90)),
                    ms(on.getValueAtPercentile(99)), ms(on.getValueAtPercentile(99.9)), on.getTotalCount());
            System.out.printf("added by the audit log: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms; errors %d%n",
                    ms(on.getValueAtPercentile(50) - off.getValueAtPercentile(50)),
                    ms(on.getValueAtPercentile(90) - off.getValueAtPercentile(90)),
                    ms(on.getValueAtPercentile(99) - off.getValueAtPercentile(99)), errors);
            System.out.printf("event-loop CPU per request: %.1f µs off, %.1f µs on; audit writer thread %.1f µs per "
                            + "record%n", cpuOff / 1e3 / off.getTotalCount(), cpuOn / 1e3 / on.getTotalCount(),
                    writerCpu / 1e3 / on.getTotalCount());
            String written = "jetway_audit_records_written_total{sink=\"file\"} " + (double) sentToAudited;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!audited.metrics().scrape().contains(written) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            java.util.Set<String> ids = new java.util.HashSet<>();
            long lines = 0;
            long invalid = 0;
            try (var reader = java.nio.file.Files.newBufferedReader(file)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines++;
                    try {
                        ids.add(json.readTree(line).get("requestId").asText());
                    } catch (java.io.IOException | RuntimeException e) {
                        invalid++;
                    }
                }
            }
            String page = audited.metrics().scrape();
            System.out.printf("audit file: %d lines for %d requests answered, %d not valid JSON, %d distinct request "
                            + "ids; %s%n", lines, sentToAudited, invalid, ids.size(),
                    page.lines().filter(l -> l.startsWith("jetway_audit_records_dropped_total")).findFirst()
                            .orElse("no drop counter"));
            System.out.println(lines == sentToAudited && invalid == 0 && ids.size() == lines
                    ? "one valid record per request: yes" : "one valid record per request: NO");
        }
    }

    /**
     * Added latency and CPU of tracing: three gateways on one backend, tracing off, on at sampling 0.1 and on at 1.0,
     * exporting over OTLP/HTTP (the SDK's batch processor, the JDK's HTTP client) to a collector stand-in on loopback
     * that reads each export and answers 200; loaded in alternating rounds. Reports the latency percentiles, the
     * event-loop CPU per request, the CPU of the export threads, and the spans the collector received.
     */
    static void tracing(int rate, int seconds, int rounds) throws Exception {
        String[] names = {"off", "0.1", "1.0"};
        AtomicLong exportedBytes = new AtomicLong();
        AtomicLong[] scheduleSpans = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        // a span's name is protobuf field 5 (tag 0x2A), length-prefixed: one "schedule" span per sampled request
        byte[] scheduleName = {0x2A, 8, 's', 'c', 'h', 'e', 'd', 'u', 'l', 'e'};
        for (int g = 1; g < names.length; g++) {
            AtomicLong count = scheduleSpans[g];
            collector.createContext("/" + names[g] + "/v1/traces", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                exportedBytes.addAndGet(body.length);
                count.addAndGet(occurrences(body, scheduleName));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
        }
        collector.start();
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
        try (BenchBackend backend = new BenchBackend(1, 0, 0);
             GatewayServer off = gateway(List.of(backend.port()), "jetway-simple-v1", false, "");
             GatewayServer tenth = gateway(List.of(backend.port()), "jetway-simple-v1", false,
                     "tracing: {endpoint: \"" + endpoint + "/0.1/v1/traces\", samplingRatio: 0.1}\n");
             GatewayServer all = gateway(List.of(backend.port()), "jetway-simple-v1", false,
                     "tracing: {endpoint: \"" + endpoint + "/1.0/v1/traces\", samplingRatio: 1.0}\n")) {
            GatewayServer[] gateways = {off, tenth, all};
            byte[] req = RawHttpConnection.post("/v1/completions",
                    "{\"model\":\"m\",\"prompt\":\"hello world, how are you today\",\"max_tokens\":1}");
            System.out.printf("transport %s, rate %d/s, %d rounds of %d s per gateway, OTLP/HTTP to %s%n",
                    off.transportName(), rate, rounds, seconds, endpoint);
            for (int g = 0; g < gateways.length; g++) {
                run("warmup-" + names[g], gateways[g].port(), rate, 5, i -> req, false);
            }
            Thread.sleep(6000); // the warm-up's spans exported (the batch's 5 s delay) before counting
            long bytesBefore = exportedBytes.get();
            long[] before = {0, scheduleSpans[1].get(), scheduleSpans[2].get()};
            Histogram[] h = new Histogram[gateways.length];
            long[] cpu = new long[gateways.length];
            long[] exporterCpu = new long[gateways.length];
            long errors = 0;
            for (int g = 0; g < gateways.length; g++) {
                h[g] = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            }
            for (int r = 0; r < rounds; r++) {
                for (int g = 0; g < gateways.length; g++) {
                    long c0 = cpuNanos("jetway-io");
                    long e0 = cpuNanos("BatchSpanProcessor") + cpuNanos("HttpClient");
                    Result res = run(names[g] + "-" + r, gateways[g].port(), rate, seconds, i -> req, true);
                    cpu[g] += cpuNanos("jetway-io") - c0;
                    exporterCpu[g] += cpuNanos("BatchSpanProcessor") + cpuNanos("HttpClient") - e0;
                    h[g].add(res.h());
                    errors += res.errors();
                }
            }
            // the JDK HTTP client's threads also serve the gateways' /metrics scrapes: what they use with tracing off
            // is taken off the export threads' figure
            double exportBaseline = exporterCpu[0] / 1e3 / h[0].getTotalCount();
            for (int g = 0; g < gateways.length; g++) {
                System.out.printf("tracing %-3s: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d requests); "
                                + "event-loop CPU %.1f µs/request%s%n", names[g],
                        ms(h[g].getValueAtPercentile(50)), ms(h[g].getValueAtPercentile(90)),
                        ms(h[g].getValueAtPercentile(99)), ms(h[g].getValueAtPercentile(99.9)),
                        h[g].getTotalCount(), cpu[g] / 1e3 / h[g].getTotalCount(), g == 0 ? ""
                                : String.format(", export threads %.1f µs/request",
                                exporterCpu[g] / 1e3 / h[g].getTotalCount() - exportBaseline));
            }
            for (int g = 1; g < gateways.length; g++) {
                System.out.printf("added by tracing %s: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms%n", names[g],
                        ms(h[g].getValueAtPercentile(50) - h[0].getValueAtPercentile(50)),
                        ms(h[g].getValueAtPercentile(90) - h[0].getValueAtPercentile(90)),
                        ms(h[g].getValueAtPercentile(99) - h[0].getValueAtPercentile(99)));
            }
            Thread.sleep(6000); // the last batch
            System.out.printf("errors %d; collector got %.1f MB; traced requests exported: %d of %d at 0.1 "
                            + "(%.1f %%), %d of %d at 1.0%n", errors, (exportedBytes.get() - bytesBefore) / 1e6,
                    scheduleSpans[1].get() - before[1], h[1].getTotalCount(),
                    100.0 * (scheduleSpans[1].get() - before[1]) / h[1].getTotalCount(),
                    scheduleSpans[2].get() - before[2], h[2].getTotalCount());
        } finally {
            collector.stop(0);
        }
    }

    private static long occurrences(byte[] haystack, byte[] needle) {
        long n = 0;
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }

    /** CPU time of the threads whose name starts with {@code prefix}. */
    private static long cpuNanos(String prefix) {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            var info = THREADS.getThreadInfo(id);
            if (info != null && info.getThreadName().startsWith(prefix)) {
                long t = THREADS.getThreadCpuTime(id);
                if (t > 0) {
                    sum += t;
                }
            }
        }
        return sum;
    }

    static void latency(int rate, int seconds, boolean flowControl, boolean apiKeys) throws Exception {
        String key = dev.jetway.gateway.security.ApiKeys.generate();
        String security = "";
        if (apiKeys) {
            StringBuilder file = new StringBuilder();
            for (int i = 0; i < 999; i++) {
                file.append("- {hash: \"").append(dev.jetway.gateway.security.ApiKeys.hash(
                        dev.jetway.gateway.security.ApiKeys.generate())).append("\", tenant: t").append(i).append("}\n");
            }
            file.append("- {hash: \"").append(dev.jetway.gateway.security.ApiKeys.hash(key))
                    .append("\", tenant: bench, models: [m]}\n");
            java.nio.file.Path keys = java.nio.file.Files.createTempFile("bench-keys", ".yaml");
            keys.toFile().deleteOnExit();
            java.nio.file.Files.writeString(keys, file);
            security = "security: {apiKeys: {file: \"" + keys + "\"}}\n";
        }
        try (BenchBackend backend = new BenchBackend(1, 0, 0);
             GatewayServer gw = gateway(List.of(backend.port()), "jetway-simple-v1", flowControl, security)) {
            System.out.printf("flow control %s, API keys %s%n", gw.routing().table().pools().getFirst().flowController()
                    != null ? "on" : "off", apiKeys ? "on" : "off");
            byte[] req = RawHttpConnection.post("/v1/completions",
                    "{\"model\":\"m\",\"prompt\":\"hello world, how are you today\",\"max_tokens\":1}",
                    apiKeys ? java.util.Map.of("authorization", "Bearer " + key) : java.util.Map.of());
            System.out.printf("transport %s, rate %d/s, %d s per target%n", gw.transportName(), rate, seconds);
            run("warmup-direct", backend.port(), rate, 5, i -> req, false);
            run("warmup-gateway", gw.port(), rate, 5, i -> req, false);
            Result direct = run("direct", backend.port(), rate, seconds, i -> req, true);
            long cpu0 = gatewayCpuNanos();
            Result via = run("gateway", gw.port(), rate, seconds, i -> req, true);
            long cpu = gatewayCpuNanos() - cpu0;
            System.out.printf("added latency: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms%n",
                    ms(via.h.getValueAtPercentile(50) - direct.h.getValueAtPercentile(50)),
                    ms(via.h.getValueAtPercentile(90) - direct.h.getValueAtPercentile(90)),
                    ms(via.h.getValueAtPercentile(99) - direct.h.getValueAtPercentile(99)),
                    ms(via.h.getValueAtPercentile(99.9) - direct.h.getValueAtPercentile(99.9)));
            System.out.printf("gateway event-loop CPU: %.1f µs per request (%.0f%% of one core)%n",
                    cpu / 1e3 / via.count, 100.0 * cpu / (seconds * 1e9));
        }
    }

    /**
     * A scrape blackout under steady load, with flow control on (llm-d's utilization detector, 200 ms staleness):
     * {@code seconds} of load with the metrics up, the same with every {@code /metrics} of both backends failing,
     * then the same with them back. llm-d counts a stale endpoint as full, so its flow control holds every request
     * while the blackout lasts; Jetway's must not.
     */
    static void blackout(int rate, int seconds) throws Exception {
        try (BenchBackend a = new BenchBackend(1, 0, 0); BenchBackend b = new BenchBackend(1, 0, 0);
             GatewayServer gw = gateway(List.of(a.port(), b.port()), "jetway-simple-v1", true)) {
            byte[] req = RawHttpConnection.post("/v1/completions",
                    "{\"model\":\"m\",\"prompt\":\"hello world, how are you today\",\"max_tokens\":1}");
            System.out.printf("flow control %s, rate %d/s, %d s per phase%n",
                    gw.routing().table().pools().getFirst().flowController() != null ? "on" : "off", rate, seconds);
            run("warmup", gw.port(), rate, 3, i -> req, false);
            run("before", gw.port(), rate, seconds, i -> req, true);
            a.metricsDown = true;
            b.metricsDown = true;
            run("blackout", gw.port(), rate, seconds, i -> req, true);
            var fc = gw.routing().table().pools().getFirst().flowController().snapshot();
            System.out.printf("at the blackout's end: failed open %s, stale endpoints %d, endpoints in rotation %d%n",
                    fc.failedOpen(), fc.staleEndpoints(), gw.routing().table().pools().getFirst().readyCount());
            a.metricsDown = false;
            b.metricsDown = false;
            run("after", gw.port(), rate, seconds, i -> req, true);
        }
    }

    static void bigPrompts(int rate, int seconds, int kb, String tokenizer) throws Exception {
        List<byte[]> requests = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(42);
        for (int i = 0; i < 32; i++) {
            StringBuilder prompt = new StringBuilder(kb * 1024 + 64);
            while (prompt.length() < kb * 1024) {
                prompt.append(FillerText.random(256, rng));
            }
            requests.add(RawHttpConnection.post("/v1/completions",
                    "{\"model\":\"m\",\"max_tokens\":1,\"prompt\":\"" + prompt + "\"}"));
        }
        System.out.printf("request body %d bytes, routing tokenizer %s%n", requests.getFirst().length, tokenizer);
        try (BenchBackend backend = new BenchBackend(1, 0, 0); GatewayServer gw = gateway(backend.port(), tokenizer)) {
            // the same load straight to the backend: what the client and backend alone sustain on this machine
            run("direct", backend.port(), rate, Math.max(5, seconds / 2), i -> requests.get((int) (i % requests.size())),
                    true);
            run("warmup-gateway", gw.port(), rate, 5, i -> requests.get((int) (i % requests.size())), false);
            long cpu0 = gatewayCpuNanos();
            Result via = run("gateway", gw.port(), rate, seconds, i -> requests.get((int) (i % requests.size())), true);
            long cpu = gatewayCpuNanos() - cpu0;
            System.out.printf("gateway event-loop CPU: %.0f µs per request (%.0f%% of one core)%n",
                    cpu / 1e3 / via.count, 100.0 * cpu / (seconds * 1e9));
        }
    }

    static void streams(int streams, int tokens, int intervalMicros, int migrationLimit) throws Exception {
        try (BenchBackend backend = new BenchBackend(1, tokens, intervalMicros);
             GatewayServer gw = gateway(List.of(backend.port()), "jetway-simple-v1", false,
                     "    migrationLimit: " + migrationLimit + "\n")) {
            System.out.printf("migrationLimit %d%n", migrationLimit);
            byte[] req = RawHttpConnection.post("/v1/completions",
                    "{\"model\":\"m\",\"prompt\":\"stream please\",\"stream\":true,\"max_tokens\":" + tokens + "}");
            AtomicLong events = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            AtomicLong completed = new AtomicLong();
            long streamNanos = (long) tokens * intervalMicros * 1000L;
            long end = System.nanoTime() + 2 * streamNanos + TimeUnit.SECONDS.toNanos(5);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                clients.add(Thread.ofPlatform().name("bench-client-" + i).start(() -> {
                    try (RawHttpConnection c = new RawHttpConnection(gw.port())) {
                        while (System.nanoTime() < end) {
                            if (c.call(req) == 200) {
                                events.addAndGet(c.chunks);
                                completed.incrementAndGet();
                            } else {
                                errors.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }));
            }
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(streamNanos / 2)); // all streams running
            long cpu0 = gatewayCpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(streamNanos));
            long cpu = gatewayCpuNanos() - cpu0;
            long wall = System.nanoTime() - t0;
            for (Thread t : clients) {
                t.join();
            }
            System.out.printf("%d concurrent streams of %d tokens (one every %d µs): %d streams completed, %d errors, "
                            + "%d events%n", streams, tokens, intervalMicros, completed.get(), errors.get(), events.get());
            double eventsPerSecond = streams * 1e6 / intervalMicros;
            System.out.printf("gateway event-loop CPU while all streams ran: %.2f cores at %.0f events/s "
                    + "(%.1f µs per relayed event)%n", (double) cpu / wall, eventsPerSecond,
                    cpu / 1e3 / (eventsPerSecond * wall / 1e9));
        }
    }

    private record Result(Histogram h, long count, long errors) {
    }

    private interface RequestSource {
        byte[] request(long i);
    }

    private static Result run(String name, int port, int rate, int seconds, RequestSource source, boolean print)
            throws Exception {
        int workers = Math.max(8, rate / 50);
        ConcurrentHistogram h = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong errors = new AtomicLong();
        long intervalNanos = 1_000_000_000L / rate;
        long total = (long) rate * seconds;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            threads.add(Thread.ofPlatform().name("bench-" + name + "-" + w).start(() -> {
                try (RawHttpConnection c = new RawHttpConnection(port)) {
                    for (long i = worker; i < total; i += workers) {
                        long intended = start + i * intervalNanos;
                        long wait = intended - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        int status = c.call(source.request(i));
                        h.recordValue(Math.max(0, System.nanoTime() - intended));
                        if (status != 200) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    System.err.println(name + " worker failed: " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (print) {
            System.out.printf("%-8s %d requests, %d errors: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, "
                            + "max %.3f ms%n", name, h.getTotalCount(), errors.get(), ms(h.getValueAtPercentile(50)),
                    ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                    ms(h.getMaxValue()));
        }
        return new Result(h, h.getTotalCount(), errors.get());
    }

    /** CPU time of the gateway's event-loop threads (client and upstream I/O, parsing, scheduling, relaying). */
    private static long gatewayCpuNanos() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            var info = THREADS.getThreadInfo(id);
            if (info != null && info.getThreadName().startsWith("jetway-")) {
                long t = THREADS.getThreadCpuTime(id);
                if (t > 0) {
                    sum += t;
                }
            }
        }
        return sum;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
