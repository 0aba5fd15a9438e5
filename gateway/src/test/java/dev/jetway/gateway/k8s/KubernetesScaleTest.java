package dev.jetway.gateway.k8s;

import static dev.jetway.gateway.k8s.FollowTimer.follow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.LiveGateway;
import dev.jetway.gateway.LiveServing;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Pods scale 2 → 5 → 1 (one turning unready on the way) under live traffic against simulated vLLM replicas: the
 * routing table follows each change within a second and every request succeeds, those in flight on a pod that
 * leaves included. Each pod is a sim replica on its own loopback address (127.0.0.20-24) and the pool's one target
 * port, so discovery runs exactly as in a cluster: endpoint = podIP:targetPort.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesScaleTest {

    private static final int PODS = 5;

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void scaleUnderTrafficDropsNoRequest() throws Exception {
        MockCluster cluster = new MockCluster(server, client);
        int port = freePortOnEveryPodAddress();
        List<SimCluster> sims = new ArrayList<>();
        try {
            for (int i = 0; i < PODS; i++) {
                sims.add(SimCluster.start(SimOptions.defaults("m").withBindHost(ip(i)).withAdvertiseHost(ip(i))
                        .withPort(port), 1));
            }
            cluster.inferencePool("qwen", Map.of("app", "sim"), port);
            cluster.pod("sim-0", ip(0), Map.of("app", "sim"));
            cluster.pod("sim-1", ip(1), Map.of("app", "sim"));
            try (LiveServing<GatewayServer> gw = LiveGateway.start(ConfigLoader.parse("""
                    server: {port: 0, adminPort: 0, host: 127.0.0.1}
                    upstream: {connectTimeout: 500ms, retryBackoff: 1ms}
                    dataLayer: {scrapeInterval: 20ms}
                    kubernetes: {namespace: ns, debounce: 100ms}
                    pools:
                      - name: p
                        models: [m]
                        endpointPicker: load
                        inferencePool: {name: qwen}
                    """, "jetway.yaml"), 2, c -> new KubernetesDiscovery(client, false));
                 Traffic traffic = new Traffic(gw.server().port(), 6)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> routed(gw).equals(ips(port, 0, 1))
                        && gw.server().routing().readiness().notReadyReason() == null);
                traffic.start();
                await().atMost(Duration.ofSeconds(5)).until(() -> traffic.ok.get() >= 20);

                follow("2 -> 5 pods under traffic", () -> {
                    for (int i = 2; i < PODS; i++) {
                        cluster.pod("sim-" + i, ip(i), Map.of("app", "sim"));
                    }
                }, () -> routed(gw).equals(ips(port, 0, 1, 2, 3, 4)));
                Thread.sleep(700);
                follow("a pod turns unready under traffic", () -> cluster.ready("sim-4", false),
                        () -> routed(gw).equals(ips(port, 0, 1, 2, 3)));
                Thread.sleep(500);
                follow("it is ready again", () -> cluster.ready("sim-4", true),
                        () -> routed(gw).equals(ips(port, 0, 1, 2, 3, 4)));
                Thread.sleep(700);

                List<GatewayEndpoint> leaving = gw.server().routing().table().pools().getFirst().endpoints().stream()
                        .filter(e -> !e.toString().startsWith(ip(0) + ":")).toList();
                follow("5 -> 1 pods under traffic", () -> {
                    for (int i = 1; i < PODS; i++) {
                        cluster.deletePod("sim-" + i);
                    }
                }, () -> routed(gw).equals(ips(port, 0)));
                // the deleted pods' servers stop only after what they were serving is done, as in the pod's
                // termination grace period; a request that picked one of them just before carries on elsewhere
                await().atMost(Duration.ofSeconds(10)).until(() -> leaving.stream()
                        .allMatch(e -> e.endpoint().inFlightRequests() == 0));
                Thread.sleep(300);
                while (sims.size() > 1) {
                    sims.removeLast().close();
                }
                int before = traffic.ok.get();
                await().atMost(Duration.ofSeconds(5)).until(() -> traffic.ok.get() >= before + 20);
                traffic.stop();

                LoggerFactory.getLogger(FollowTimer.class).info("traffic: {} requests answered whole, {} failed; per "
                        + "endpoint {}", traffic.ok.get(), traffic.failures.size(), new java.util.TreeMap<>(
                        traffic.byEndpoint));
                assertThat(traffic.failures).as("failed requests").isEmpty();
                assertThat(traffic.byEndpoint.keySet()).as("every pod served some").containsAll(ips(port, 0, 1, 2, 3, 4));
                assertThat(traffic.ok.get()).isGreaterThan(60);
            }
        } finally {
            sims.forEach(SimCluster::close);
        }
    }

    private static String ip(int pod) {
        return "127.0.0." + (20 + pod);
    }

    private static Set<String> ips(int port, int... pods) {
        return java.util.Arrays.stream(pods).mapToObj(i -> ip(i) + ":" + port).collect(Collectors.toSet());
    }

    private static Set<String> routed(LiveServing<GatewayServer> gw) {
        return gw.server().routing().table().pools().getFirst().endpoints().stream()
                .map(GatewayEndpoint::toString).collect(Collectors.toSet());
    }

    /** A port free on every pod address, so that all pods can share the pool's one target port. */
    private static int freePortOnEveryPodAddress() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < PODS; i++) {
                    held.add(new ServerSocket(candidate, 1, InetAddress.getByName(ip(i))));
                }
                return candidate;
            } catch (IOException taken) {
                // try another
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IOException("no port free on all of 127.0.0.20-24");
    }

    /** Clients sending completions (half streamed) in a loop until stopped; every answer is checked whole. */
    private static final class Traffic implements AutoCloseable {

        final AtomicInteger ok = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> byEndpoint = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean();
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final URI uri;
        private final int clients;
        private final List<Thread> threads = new ArrayList<>();

        Traffic(int port, int clients) {
            this.uri = URI.create("http://127.0.0.1:" + port + "/v1/completions");
            this.clients = clients;
        }

        void start() {
            running.set(true);
            for (int c = 0; c < clients; c++) {
                int client = c;
                threads.add(Thread.ofVirtual().start(() -> loop(client)));
            }
        }

        private void loop(int client) {
            // bounded in count as well as by stop(): the test never sends more than this
            for (int n = 0; n < 5_000 && running.get(); n++) {
                boolean stream = (n + client) % 2 == 0;
                String body = "{\"model\":\"m\",\"prompt\":\"client " + client + " request " + n
                        + "\",\"max_tokens\":16,\"stream\":" + stream + "}";
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    boolean complete = stream ? r.body().endsWith("data: [DONE]\n\n") && !r.body().contains("\"error\"")
                            : r.body().contains("\"choices\"");
                    if (r.statusCode() == 200 && complete) {
                        ok.incrementAndGet();
                        byEndpoint.computeIfAbsent(r.headers().firstValue("x-jetway-endpoint").orElse("?"),
                                k -> new AtomicInteger()).incrementAndGet();
                    } else {
                        failures.add(r.statusCode() + " " + r.headers().firstValue("x-jetway-endpoint").orElse("")
                                + " " + r.body());
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(20));
            }
        }

        @Override
        public void close() {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            http.close();
        }
    }
}
