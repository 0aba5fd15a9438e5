package dev.jetway.gateway.testing;

import static org.awaitility.Awaitility.await;

import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.sim.SimReplica;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Waits until a precise index has received a KV-event message from every replica. A ZMQ subscriber misses whatever
 * was published before it joined, so a test that checks what the index learned from a request must first know the
 * subscriptions are live.
 */
public final class KvEventsLive {

    private static final AtomicInteger PROBES = new AtomicInteger();

    private KvEventsLive() {
    }

    /** Sends prompts no replica has cached straight to each replica until its publisher has been heard from. */
    public static void await(PrecisePrefixIndex index, List<SimReplica> replicas, String model) {
        HttpClient http = HttpClient.newHttpClient();
        for (SimReplica r : replicas) {
            String endpoint = "127.0.0.1:" + r.httpPort();
            org.awaitility.Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(15)).until(() -> {
                String prompt = FillerText.random(32, new SplittableRandom(7_000 + PROBES.getAndIncrement()));
                http.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + "/v1/completions"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                                + "\",\"max_tokens\":1,\"prompt\":\"" + prompt + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return index.endpointId(endpoint).isPresent()
                        && index.endpointStats(index.endpointId(endpoint).getAsInt()).messages() > 0;
            });
        }
    }
}
