package dev.jetway.gateway.extproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jetway epp} drains like the gateway: not ready at once, no new ext_proc streams, the streams in flight (each
 * one request whose response Envoy is still relaying) run on up to {@code server.drainTimeout}, then are cancelled.
 */
class EndpointPickerDrainTest {

    private static final String SERVER = "server: {host: 127.0.0.1, port: 0, adminPort: 0, drainTimeout: %s}\n";

    @Test
    void aStreamInFlightFinishesAndTheDrainEndsWithIt() throws Exception {
        try (PickerHarness h = PickerHarness.start(PickerHarness.queuePicker(1), SERVER.formatted("20s"), 0)
                .awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            envoy.requestBody("{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}", true);
            assertThat(EnvoyStream.metadataDestination(envoy.next())).isEqualTo(h.address(0));

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(h.picker::drain);
            await().atMost(Duration.ofSeconds(5)).until(() -> !h.picker.ready());
            Thread.sleep(300);
            assertThat(drained).as("waits for the stream in flight").isNotDone();

            envoy.responseHeaders(200, "text/event-stream", null, false);
            envoy.responseBody("data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: [DONE]\n\n", true);
            envoy.complete();
            assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aStreamStillOpenAtTheDeadlineIsCancelled() throws Exception {
        try (PickerHarness h = PickerHarness.start(PickerHarness.queuePicker(1), SERVER.formatted("300ms"), 0)
                .awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            envoy.requestBody("{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}", true);
            assertThat(EnvoyStream.metadataDestination(envoy.next())).isEqualTo(h.address(0));
            long t0 = System.nanoTime();
            assertThat(h.picker.drain()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250),
                    Duration.ofSeconds(5));
            assertThat(envoy.closed.await(5, TimeUnit.SECONDS)).as("the stream was ended").isTrue();
            assertThat(envoy.error).isNotNull();
        }
    }
}
