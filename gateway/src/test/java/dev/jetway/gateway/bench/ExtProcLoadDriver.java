package dev.jetway.gateway.bench;

import com.google.protobuf.ByteString;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.extproc.EndpointPickerServer;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.kvcache.tokenize.FillerText;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProtocolConfiguration;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Load driver for the endpoint picker's numbers in docs/performance.md: how many routing decisions per second
 * {@code jetway epp} makes over gRPC, and how long Envoy waits for each, with {@code endpoints} fake model servers
 * behind it (their {@code /metrics} scraped as usual; nothing is ever sent to them). Everything runs in this JVM on
 * loopback.
 *
 * <pre>
 * decisions [rate=5000] [seconds=20] [endpoints=64] [scrapeMillis=50] [policy=jetway] [prefixTokens=1000]
 * serve     [endpoints=64] [scrapeMillis=50] [policy=jetway] [port=9002]   the picker and its fake servers alone
 * drive     PORT PID [rate=5000] [seconds=20] [prefixTokens=1000]          the load against a picker elsewhere
 * </pre>
 *
 * {@code serve} and {@code drive} split the picker and the load into two processes, so each can be pinned to its own
 * core ({@code taskset}); {@code drive} reads the picker process's CPU from {@code /proc/PID/stat}.
 *
 * Each request is one ext_proc stream driven as Envoy drives it in {@code FULL_DUPLEX_STREAMED} mode: request
 * headers and body (end of stream); the picker's headers reply is the decision, and its latency counts from the
 * request's intended start (open loop, no coordinated omission) to that reply's arrival. The driver then takes the
 * body back, plays a short response (headers, one body chunk with usage) so the scheduler's completion hooks run as
 * in production, and closes the stream. Prompts come from 32 shared prefixes of {@code prefixTokens} tokens plus a
 * unique tail of 40, half of them chat requests.
 */
public final class ExtProcLoadDriver {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "decisions";
        switch (mode) {
            case "decisions" -> decisions(intArg(args, 1, 5000), intArg(args, 2, 20), intArg(args, 3, 64),
                    intArg(args, 4, 50), args.length > 5 ? args[5] : "jetway", intArg(args, 6, 1000));
            case "serve" -> serve(intArg(args, 1, 64), intArg(args, 2, 50), args.length > 3 ? args[3] : "jetway",
                    intArg(args, 4, EndpointPickerServer.DEFAULT_PORT));
            case "drive" -> drive(Integer.parseInt(args[1]), Long.parseLong(args[2]), intArg(args, 3, 5000),
                    intArg(args, 4, 20), intArg(args, 5, 1000));
            default -> throw new IllegalArgumentException("mode: decisions | serve | drive");
        }
        System.exit(0);
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    /** {@code count} fake servers, each reporting its own load, and jetway.yaml of one pool over them. */
    private static String fleet(List<FakeModelServer> servers, int count, int scrapeMillis, String policy)
            throws java.io.IOException {
        StringBuilder endpoints = new StringBuilder();
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < count; i++) {
            FakeModelServer s = new FakeModelServer("e" + i);
            s.metricsPage = "vllm:num_requests_waiting{model_name=\"m\"} " + rng.nextInt(4) + "\n"
                    + "vllm:num_requests_running{model_name=\"m\"} " + rng.nextInt(16) + "\n"
                    + "vllm:kv_cache_usage_perc{model_name=\"m\"} " + rng.nextDouble(0.1, 0.6) + "\n";
            servers.add(s);
            endpoints.append("      - {address: \"").append(s.address()).append("\"}\n");
        }
        return "server: {host: 127.0.0.1, port: 0, adminPort: 0}\n"
                + "dataLayer: {scrapeInterval: " + scrapeMillis + "ms}\n"
                + "pools:\n  - name: bench\n    models: [m]\n    endpointPicker: " + policy + "\n"
                + "    endpoints:\n" + endpoints;
    }

    static void serve(int endpointCount, int scrapeMillis, String policy, int port) throws Exception {
        List<FakeModelServer> servers = new ArrayList<>();
        String yaml = fleet(servers, endpointCount, scrapeMillis, policy);
        try (EndpointPickerServer picker = EndpointPickerServer.start(ConfigLoader.parse(yaml, "bench"),
                EndpointPickerServer.Options.defaults().withPort(port))) {
            while (!picker.ready()) {
                Thread.sleep(50);
            }
            System.out.printf("picker pid %d port %d: %d endpoints (scraped every %d ms), policy %s%n",
                    ProcessHandle.current().pid(), picker.port(), endpointCount, scrapeMillis, policy);
            Thread.sleep(Long.MAX_VALUE);
        } finally {
            for (FakeModelServer s : servers) {
                s.close();
            }
        }
    }

    static void drive(int port, long pid, int rate, int seconds, int prefixTokens) throws Exception {
        EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory("bench-client", true), NioIoHandler.newFactory());
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                        .eventLoopGroup(clientLoops).channelType(NioSocketChannel.class).directExecutor()
                        .flowControlWindow(4 << 20).build());
            }
            List<Request> requests = requests(prefixTokens);
            System.out.printf("rate %d/s, prompts of %d + 40 tokens, %d s measured, picker pid %d%n", rate,
                    prefixTokens, seconds, pid);
            run("warmup", channels, requests, rate, 5);
            long picker0 = procCpuNanos(pid);
            long self0 = processCpuNanos();
            Result r = run("measured", channels, requests, rate, seconds);
            long picker = procCpuNanos(pid) - picker0;
            long self = processCpuNanos() - self0;
            Histogram h = r.latency();
            System.out.printf("decisions: %d in %.1f s = %.0f/s, %d errors, %d not answered%n", h.getTotalCount(),
                    r.wallSeconds(), h.getTotalCount() / r.wallSeconds(), r.errors(), r.unanswered());
            System.out.printf("decision latency (request sent -> destination back): p50 %.3f ms, p90 %.3f ms, "
                            + "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", ms(h.getValueAtPercentile(50)),
                    ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
            System.out.printf("picker process (everything: event loops, gRPC, scrapes, fake servers, JIT, GC): "
                            + "%.1f µs per decision, %.2f cores; load driver %.2f cores; load average %.1f%n",
                    picker / 1e3 / Math.max(1, h.getTotalCount()), picker / 1e9 / r.wallSeconds(),
                    self / 1e9 / r.wallSeconds(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            for (ManagedChannel c : channels) {
                c.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
            clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** utime + stime of process {@code pid}, from {@code /proc} (clock ticks of 10 ms). */
    private static long procCpuNanos(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    static void decisions(int rate, int seconds, int endpointCount, int scrapeMillis, String policy,
                          int prefixTokens) throws Exception {
        List<FakeModelServer> servers = new ArrayList<>();
        String yaml = fleet(servers, endpointCount, scrapeMillis, policy);
        EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(2,
                new DefaultThreadFactory("bench-client", true), NioIoHandler.newFactory());
        try (EndpointPickerServer picker = EndpointPickerServer.start(ConfigLoader.parse(yaml, "bench"),
                EndpointPickerServer.Options.defaults().withPort(0))) {
            long waitStart = System.nanoTime();
            while (!picker.ready() && System.nanoTime() - waitStart < TimeUnit.SECONDS.toNanos(30)) {
                Thread.sleep(50);
            }
            Thread.sleep(2 * scrapeMillis + 200); // every endpoint scraped, not just the first
            System.out.printf("%d endpoints (scraped every %d ms), policy %s, prompts of %d + 40 tokens, %d picker "
                            + "event loops, rate %d/s, %d s measured%n", endpointCount, scrapeMillis, policy,
                    prefixTokens, Runtime.getRuntime().availableProcessors(), rate, seconds);
            List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // Envoy keeps a few HTTP/2 connections to its ext_proc cluster and multiplexes streams on them
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", picker.port()).usePlaintext()
                        .eventLoopGroup(clientLoops).channelType(NioSocketChannel.class).directExecutor()
                        .flowControlWindow(4 << 20).build());
            }
            List<Request> requests = requests(prefixTokens);
            run("warmup", channels, requests, rate, 5);
            long cpu0 = cpuNanos("jetway-epp", "grpc-");
            long scrape0 = cpuNanos("ForkJoinPool", "scrape");
            long client0 = cpuNanos("bench-client", "main");
            long process0 = processCpuNanos();
            java.util.Map<String, Long> groups0 = cpuByGroup();
            long gc0 = gcMillis();
            Result r = run("measured", channels, requests, rate, seconds);
            long cpu = cpuNanos("jetway-epp", "grpc-") - cpu0;
            long scrapeCpu = cpuNanos("ForkJoinPool", "scrape") - scrape0;
            long clientCpu = cpuNanos("bench-client", "main") - client0;
            long processCpu = processCpuNanos() - process0;
            long gc = gcMillis() - gc0;
            java.util.Map<String, Long> groups = cpuByGroup();
            groups0.forEach((k, v) -> groups.merge(k, -v, Long::sum));
            Histogram h = r.latency();
            System.out.printf("decisions: %d in %.1f s = %.0f/s, %d errors, %d not answered%n", h.getTotalCount(),
                    r.wallSeconds(), h.getTotalCount() / r.wallSeconds(), r.errors(), r.unanswered());
            System.out.printf("decision latency (request sent -> destination back): p50 %.3f ms, p90 %.3f ms, "
                            + "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n", ms(h.getValueAtPercentile(50)),
                    ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
            System.out.printf("picker CPU (event loops + gRPC transport): %.1f µs per request (%.2f cores); "
                            + "load driver (Envoy's side): %.1f µs per request; scrapes and fake servers: %.2f cores%n",
                    cpu / 1e3 / Math.max(1, h.getTotalCount()), cpu / 1e9 / r.wallSeconds(),
                    clientCpu / 1e3 / Math.max(1, h.getTotalCount()), scrapeCpu / 1e9 / r.wallSeconds());
            System.out.printf("whole JVM: %.2f cores (GC %d ms); load average %.1f at the end%n",
                    processCpu / 1e9 / r.wallSeconds(), gc,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.println("  CPU by thread group (cores): " + groups.entrySet().stream()
                    .filter(e -> e.getValue() > r.wallSeconds() * 1e9 * 0.01)
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / 1e9 / r.wallSeconds()))
                    .collect(java.util.stream.Collectors.joining(", ")));
            String page = metricsPage(picker.adminPort());
            page.lines().filter(l -> l.startsWith("llm_d_epp_scheduler_e2e_duration_seconds_count")
                    || l.startsWith("llm_d_epp_scheduler_e2e_duration_seconds_sum")
                    || l.startsWith("jetway_epp_streams_total")).forEach(l -> System.out.println("  " + l));
            for (ManagedChannel c : channels) {
                c.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            }
        } finally {
            clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            for (FakeModelServer s : servers) {
                s.close();
            }
        }
    }

    /** One request as Envoy would send it: its headers message and its body. */
    private record Request(ProcessingRequest headers, ProcessingRequest body) {
    }

    private static List<Request> requests(int prefixTokens) {
        SplittableRandom rng = new SplittableRandom(42);
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            prefixes.add(FillerText.random(prefixTokens, rng));
        }
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            String prefix = prefixes.get(rng.nextInt(prefixes.size()));
            String tail = FillerText.random(40, rng);
            boolean chat = i % 2 == 0;
            String path = chat ? "/v1/chat/completions" : "/v1/completions";
            String body = chat
                    ? "{\"model\":\"m\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\""
                    + prefix + "\"},{\"role\":\"user\",\"content\":\"" + tail + "\"}]}"
                    : "{\"model\":\"m\",\"max_tokens\":64,\"prompt\":\"" + prefix + tail + "\"}";
            HeaderMap.Builder headers = HeaderMap.newBuilder();
            header(headers, ":method", "POST");
            header(headers, ":path", path);
            header(headers, ":authority", "inference.example");
            header(headers, ":scheme", "http");
            header(headers, "content-type", "application/json");
            header(headers, "content-length", Integer.toString(body.length()));
            header(headers, "x-request-id", "bench-" + i);
            out.add(new Request(
                    ProcessingRequest.newBuilder()
                            .setProtocolConfig(ProtocolConfiguration.newBuilder()
                                    .setRequestBodyMode(BodySendMode.FULL_DUPLEX_STREAMED)
                                    .setResponseBodyMode(BodySendMode.FULL_DUPLEX_STREAMED))
                            .setRequestHeaders(HttpHeaders.newBuilder().setHeaders(headers)).build(),
                    ProcessingRequest.newBuilder().setRequestBody(HttpBody.newBuilder()
                            .setBody(ByteString.copyFromUtf8(body)).setEndOfStream(true)).build()));
        }
        return out;
    }

    private static void header(HeaderMap.Builder map, String name, String value) {
        map.addHeaders(HeaderValue.newBuilder().setKey(name).setRawValue(ByteString.copyFromUtf8(value)));
    }

    private static final ProcessingRequest RESPONSE_HEADERS = ProcessingRequest.newBuilder()
            .setResponseHeaders(HttpHeaders.newBuilder().setHeaders(HeaderMap.newBuilder()
                    .addHeaders(HeaderValue.newBuilder().setKey(":status").setRawValue(ByteString.copyFromUtf8("200")))
                    .addHeaders(HeaderValue.newBuilder().setKey("content-type")
                            .setRawValue(ByteString.copyFromUtf8("application/json"))))).build();
    private static final ProcessingRequest RESPONSE_BODY = ProcessingRequest.newBuilder()
            .setResponseBody(HttpBody.newBuilder().setEndOfStream(true).setBody(ByteString.copyFromUtf8(
                    "{\"id\":\"x\",\"choices\":[{\"text\":\"ok\"}],\"usage\":{\"prompt_tokens\":1000,"
                            + "\"completion_tokens\":64,\"total_tokens\":1064}}"))).build();

    private record Result(Histogram latency, double wallSeconds, long errors, long unanswered) {
    }

    /**
     * One Envoy-like stream: request, decision, body back, response, close. Callbacks run on the client's transport
     * threads.
     */
    private static final class Exchange implements StreamObserver<ProcessingResponse> {
        private final long intended;
        private final ConcurrentHistogram latency;
        private final AtomicLong errors;
        private final AtomicLong done;
        private StreamObserver<ProcessingRequest> out;
        private int stage;

        Exchange(long intended, ConcurrentHistogram latency, AtomicLong errors, AtomicLong done) {
            this.intended = intended;
            this.latency = latency;
            this.errors = errors;
            this.done = done;
        }

        void start(ExternalProcessorGrpc.ExternalProcessorStub stub, Request request) {
            StreamObserver<ProcessingRequest> o = stub.process(this);
            synchronized (this) {
                out = o;
                o.onNext(request.headers());
                o.onNext(request.body());
            }
        }

        @Override
        public synchronized void onNext(ProcessingResponse r) {
            switch (stage) {
                case 0 -> {
                    if (r.hasImmediateResponse()) {
                        errors.incrementAndGet();
                        stage = -1;
                        out.onCompleted();
                        done.incrementAndGet();
                        return;
                    }
                    latency.recordValue(Math.max(0, System.nanoTime() - intended));
                    stage = 1;
                }
                case 1 -> {
                    if (r.getRequestBody().getResponse().getBodyMutation().getStreamedResponse().getEndOfStream()) {
                        stage = 2;
                        out.onNext(RESPONSE_HEADERS);
                        out.onNext(RESPONSE_BODY);
                    }
                }
                case 2 -> stage = 3; // response headers reply
                case 3 -> {
                    stage = 4; // response body handed back: the exchange is over
                    out.onCompleted();
                    done.incrementAndGet();
                }
                default -> {
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            errors.incrementAndGet();
            done.incrementAndGet();
        }

        @Override
        public void onCompleted() {
        }
    }

    private static Result run(String name, List<ManagedChannel> channels, List<Request> requests, int rate,
                              int seconds) throws InterruptedException {
        List<ExternalProcessorGrpc.ExternalProcessorStub> stubs = channels.stream()
                .map(ExternalProcessorGrpc::newStub).toList();
        ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long interval = 1_000_000_000L / rate;
        long total = (long) rate * seconds;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            new Exchange(intended, latency, errors, done).start(stubs.get((int) (i % stubs.size())),
                    requests.get((int) (i % requests.size())));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (done.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        if (!name.equals("warmup")) {
            return new Result(latency, wall, errors.get(), total - done.get());
        }
        System.out.printf("warmup: %d decisions, %d errors, p50 %.3f ms, p99 %.3f ms%n", latency.getTotalCount(),
                errors.get(), ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)));
        return new Result(latency, wall, errors.get(), total - done.get());
    }

    /** CPU time of every live thread, by name with its numbers taken out (one group per pool of threads). */
    private static java.util.Map<String, Long> cpuByGroup() {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            var info = THREADS.getThreadInfo(id);
            long t = THREADS.getThreadCpuTime(id);
            if (info != null && t > 0) {
                out.merge(info.getThreadName().replaceAll("[0-9.:]+", "#"), t, Long::sum);
            }
        }
        return out;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long gcMillis() {
        long sum = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /** CPU time of the threads whose names start with one of {@code prefixes}. */
    private static long cpuNanos(String... prefixes) {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            var info = THREADS.getThreadInfo(id);
            if (info == null) {
                continue;
            }
            for (String p : prefixes) {
                if (info.getThreadName().startsWith(p)) {
                    long t = THREADS.getThreadCpuTime(id);
                    if (t > 0) {
                        sum += t;
                    }
                    break;
                }
            }
        }
        return sum;
    }

    private static String metricsPage(int port) throws Exception {
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
