package dev.jetway.gateway.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-tenant token-rate limits: a tenant over its limit gets 429 with retry-after; other tenants are not touched. */
class TenantRateLimitTest {

    private static HttpResponse<String> post(GatewayHarness gw, String tenant, String prompt) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"" + prompt + "\"}"));
        if (tenant != null) {
            b.header("x-llm-d-inference-fairness-id", tenant);
        }
        return gw.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTenantOverItsLimitIsToldWhenToComeBack() throws Exception {
        String prompt = "x".repeat(400); // ~100 tokens by the 4-characters estimate
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + "tenantRateLimits:\n  default: {tokensPerSecond: 10, burst: 150}\n"
                     + "  tenants:\n    big: {tokensPerSecond: 100000, burst: 1000000}\n")) {
            assertThat(post(gw, "small", prompt).statusCode()).isEqualTo(200);
            HttpResponse<String> over = post(gw, "small", prompt);
            assertThat(over.statusCode()).isEqualTo(429);
            assertThat(over.body()).contains("\"type\":\"rate_limit_error\"").contains("tenant small");
            // the bucket holds 50 tokens and refills at 10/s: 100 tokens fit in 5 s
            assertThat(over.headers().firstValue("retry-after")).hasValueSatisfying(
                    v -> assertThat(Long.parseLong(v)).isBetween(4L, 6L));
            assertThat(post(gw, "other", prompt).statusCode()).isEqualTo(200);
            assertThat(post(gw, null, prompt).statusCode()).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(post(gw, "big", prompt).statusCode()).isEqualTo(200);
            }
            assertThat(backend.completionRequests.get()).isEqualTo(8);
        }
    }

    @Test
    void badLimitsNameTheKey() {
        String base = GatewayHarness.yaml("random", "", List.of("127.0.0.1:1"));
        assertThatThrownBy(() -> ConfigLoader.parse(base + "tenantRateLimits:\n  default: {tokensPerSecond: 0, burst: 10}\n",
                "test")).hasMessageContaining("tenantRateLimits.default.tokensPerSecond");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "tenantRateLimits:\n  tenants:\n    a: {tokensPerSecond: 5}\n",
                "test")).hasMessageContaining("tenantRateLimits.tenants.a.burst");
    }
}
