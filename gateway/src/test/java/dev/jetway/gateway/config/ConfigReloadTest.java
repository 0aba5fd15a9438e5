package dev.jetway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editing jetway.yaml re-routes new requests; requests already running finish where they started. */
class ConfigReloadTest {

    @Test
    void aChangedFileIsAppliedWithoutDroppingTraffic(@TempDir Path dir) throws Exception {
        try (FakeModelServer a = new FakeModelServer("a"); FakeModelServer b = new FakeModelServer("b")) {
            Path file = dir.resolve("jetway.yaml");
            Files.writeString(file, GatewayHarness.yaml("random", "", List.of(a.address())));
            try (GatewayHarness gw = GatewayHarness.start(ConfigLoader.load(file));
                 ConfigWatcher watcher = new ConfigWatcher(file, Duration.ofMillis(50), gw.server::reload).start()) {
                assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}")
                        .headers().firstValue("x-jetway-endpoint")).hasValue(a.address());

                a.streamChunks = 20;
                a.chunkDelayMillis = 25;
                CompletableFuture<HttpResponse<String>> inFlight = gw.http.sendAsync(
                        HttpRequest.newBuilder(gw.uri("/v1/completions")).header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"m\",\"prompt\":\"long\",\"stream\":true}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                await().atMost(Duration.ofSeconds(5)).until(() -> a.chunksSent.get() > 0);

                Files.writeString(file, GatewayHarness.yaml("random", "", List.of(b.address())));
                await().atMost(Duration.ofSeconds(5)).until(() -> b.address().equals(
                        gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}")
                                .headers().firstValue("x-jetway-endpoint").orElse("")));
                assertThat(inFlight.get().body()).endsWith("data: [DONE]\n\n");

                // a broken file is reported and ignored: traffic keeps flowing to b
                Files.writeString(file, "pools: [{name: p, endpoints: [{adress: nope}]}]");
                assertThat(watcher.checkOnce()).isFalse();
                assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}")
                        .headers().firstValue("x-jetway-endpoint")).hasValue(b.address());
            }
        }
    }
}
