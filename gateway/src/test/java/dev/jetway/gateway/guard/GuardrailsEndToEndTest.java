package dev.jetway.gateway.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guardrails against a real gateway, model server and moderation endpoint: deny rules refuse before anything goes
 * upstream, redaction rewrites what is forwarded, tenants' allow-lists and token caps hold, and the moderation check's
 * verdicts and failures (timeout, fail-open, fail-closed) do what the configuration says.
 */
class GuardrailsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static HttpResponse<String> post(GatewayHarness gw, String path, String tenant, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (tenant != null) {
            b.header("x-llm-d-inference-fairness-id", tenant);
        }
        return gw.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> completion(GatewayHarness gw, String prompt) throws Exception {
        return post(gw, "/v1/completions", null, "{\"model\":\"m\",\"prompt\":" + JSON.writeValueAsString(prompt) + "}");
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("error");
    }

    @Test
    void aDenyRuleRefusesWithItsReasonAndNothingGoesUpstream() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + "guardrails:\n  deny:\n    - {name: private-key, pattern: \"BEGIN [A-Z ]*PRIVATE KEY\", "
                     + "reason: \"prompts must not carry private keys\"}\n"
                     + "audit: {file: " + audit + "}\n")) {
            HttpResponse<String> refused = completion(gw, "here: -----BEGIN RSA PRIVATE KEY----- abc");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(error(refused).get("message").asText()).isEqualTo("prompts must not carry private keys");
            assertThat(error(refused).get("code").asText()).isEqualTo("content_policy_violation");
            assertThat(error(refused).get("type").asText()).isEqualTo("invalid_request_error");
            // every prompt of a batch is read, and every chat message part
            assertThat(post(gw, "/v1/completions", null, "{\"model\":\"m\",\"prompt\":[\"fine\",\"BEGIN PRIVATE KEY\"]}")
                    .statusCode()).isEqualTo(400);
            assertThat(post(gw, "/v1/chat/completions", null, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"},{\"type\":\"text\",\"text\":\"BEGIN "
                    + "OPENSSH PRIVATE KEY\"}]}]}").statusCode()).isEqualTo(400);
            assertThat(backend.completionRequests.get()).isZero();
            assertThat(completion(gw, "a harmless prompt").statusCode()).isEqualTo(200);
            assertThat(backend.completionRequests.get()).isEqualTo(1);
            assertThat(gw.metricsPage()).contains(
                    "jetway_guardrail_decisions_total{outcome=\"denied\",rule=\"private-key\"} 3.0");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while ((!Files.exists(audit) || Files.readAllLines(audit).size() < 4) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            JsonNode first = JSON.readTree(Files.readAllLines(audit).getFirst());
            assertThat(first.get("outcome").asText()).isEqualTo("rejected");
            assertThat(first.get("guardrails").get(0).asText()).isEqualTo("private-key:denied");
            assertThat(first.get("error").get("message").asText()).isEqualTo("prompts must not carry private keys");
        }
    }

    @Test
    void redactionRewritesWhatIsForwardedAndRoutingReadsTheRewrittenText() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + "guardrails:\n  redact:\n    - {name: email, pattern: \"[\\\\w.+-]+@[\\\\w-]+(\\\\.[\\\\w-]+)+\", "
                     + "replacement: \"[email]\"}\n"
                     + "    - {name: card, pattern: \"\\\\b(\\\\d{4})[ -]?\\\\d{4}[ -]?\\\\d{4}[ -]?(\\\\d{4})\\\\b\", "
                     + "replacement: \"card $1...$2\"}\n")) {
            HttpResponse<String> ok = post(gw, "/v1/chat/completions", null, "{\"model\":\"m\",\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"be brief\"},"
                    + "{\"role\":\"user\",\"content\":\"mail bob@corp.example.org my card 4111 1111 1111 1234\"}],"
                    + "\"max_tokens\":5}");
            assertThat(ok.statusCode()).isEqualTo(200);
            JsonNode forwarded = JSON.readTree(new String(backend.bodies.getFirst(), StandardCharsets.UTF_8));
            assertThat(forwarded.get("messages").get(1).get("content").asText())
                    .isEqualTo("mail [email] my card card 4111...1234");
            assertThat(forwarded.get("messages").get(0).get("content").asText()).isEqualTo("be brief");
            assertThat(forwarded.get("max_tokens").asInt()).isEqualTo(5);
            assertThat(Integer.parseInt(backend.headers.getFirst().get("content-length")))
                    .isEqualTo(backend.bodies.getFirst().length);
            // a body nothing matched goes byte for byte as the client sent it
            String untouched = "{\"model\":\"m\",  \"prompt\":\"nothing to hide\"}";
            assertThat(post(gw, "/v1/completions", null, untouched).statusCode()).isEqualTo(200);
            assertThat(new String(backend.bodies.get(1), StandardCharsets.UTF_8)).isEqualTo(untouched);
            assertThat(gw.metricsPage())
                    .contains("jetway_guardrail_decisions_total{outcome=\"redacted\",rule=\"email\"} 1.0")
                    .contains("jetway_guardrail_decisions_total{outcome=\"redacted\",rule=\"card\"} 1.0");
        }
    }

    @Test
    void tenantsGetTheirModelsAndTokenLimits() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + "guardrails:\n  limits: {maxTokens: 100, maxPromptTokens: 50, models: [other]}\n"
                     + "  tenants:\n    team-a: {models: [m]}\n")) {
            HttpResponse<String> forbidden = post(gw, "/v1/completions", "team-b",
                    "{\"model\":\"m\",\"prompt\":\"hi\"}");
            assertThat(forbidden.statusCode()).isEqualTo(403);
            assertThat(error(forbidden).get("code").asText()).isEqualTo("model_not_allowed");
            assertThat(error(forbidden).get("message").asText()).isEqualTo("tenant team-b may not use model m");

            HttpResponse<String> tooMany = post(gw, "/v1/completions", "team-a",
                    "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":101}");
            assertThat(tooMany.statusCode()).isEqualTo(400);
            assertThat(error(tooMany).get("code").asText()).isEqualTo("max_tokens_exceeded");
            assertThat(error(tooMany).get("param").asText()).isEqualTo("max_tokens");

            HttpResponse<String> tooLong = post(gw, "/v1/completions", "team-a",
                    "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(204) + "\",\"max_tokens\":10}");
            assertThat(tooLong.statusCode()).isEqualTo(400);
            assertThat(error(tooLong).get("code").asText()).isEqualTo("prompt_too_long");
            assertThat(backend.completionRequests.get()).isZero();

            // no max_tokens: the cap is written into the forwarded body
            assertThat(post(gw, "/v1/completions", "team-a", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode())
                    .isEqualTo(200);
            assertThat(JSON.readTree(backend.bodies.getFirst()).get("max_tokens").asInt()).isEqualTo(100);
            assertThat(post(gw, "/v1/completions", "team-a", "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":100}")
                    .statusCode()).isEqualTo(200);
        }
    }

    private static String moderationYaml(FakeModerationServer guard, String path, String extra) {
        return "guardrails:\n  moderation: {url: \"" + guard.url(path) + "\"" + extra + "}\n";
    }

    @Test
    void aFlaggedRequestIsRefusedAndAnUnflaggedOneGoesOn() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             FakeModerationServer guard = new FakeModerationServer();
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + moderationYaml(guard, "/v1/moderations", ", model: omni-moderation-latest"))) {
            guard.answer = body -> body.contains("attack")
                    ? "{\"id\":\"modr-1\",\"results\":[{\"flagged\":true,\"categories\":{\"violence\":true,"
                            + "\"hate\":false}}]}"
                    : "{\"id\":\"modr-2\",\"results\":[{\"flagged\":false,\"categories\":{\"violence\":false}}]}";
            HttpResponse<String> flagged = completion(gw, "plan an attack");
            assertThat(flagged.statusCode()).isEqualTo(400);
            assertThat(error(flagged).get("code").asText()).isEqualTo("content_policy_violation");
            assertThat(error(flagged).get("message").asText()).contains("flagged").contains("violence")
                    .doesNotContain("hate");
            assertThat(backend.completionRequests.get()).isZero();
            JsonNode sent = JSON.readTree(guard.requests.getFirst());
            assertThat(sent.get("model").asText()).isEqualTo("omni-moderation-latest");
            assertThat(sent.get("input").get(0).asText()).isEqualTo("plan an attack");

            assertThat(completion(gw, "plan a picnic").statusCode()).isEqualTo(200);
            assertThat(backend.completionRequests.get()).isEqualTo(1);
            assertThat(gw.metricsPage())
                    .contains("jetway_guardrail_decisions_total{outcome=\"flagged\",rule=\"moderation\"} 1.0")
                    .contains("jetway_guardrail_decisions_total{outcome=\"allowed\",rule=\"moderation\"} 1.0");
        }
    }

    @Test
    void aModerationTimeoutFollowsTheFailMode() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             FakeModerationServer guard = new FakeModerationServer()) {
            guard.delayMillis = 3_000;
            try (GatewayHarness open = GatewayHarness.start(GatewayHarness.yaml("random", "",
                    List.of(backend.address())) + moderationYaml(guard, "/v1/moderations",
                    ", timeout: 200ms, failMode: open"))) {
                long start = System.nanoTime();
                assertThat(completion(open, "anything").statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
                assertThat(backend.completionRequests.get()).isEqualTo(1);
                assertThat(open.metricsPage()).contains(
                        "jetway_guardrail_decisions_total{outcome=\"error_allowed\",rule=\"moderation\"} 1.0");
            }
            try (GatewayHarness closed = GatewayHarness.start(GatewayHarness.yaml("random", "",
                    List.of(backend.address())) + moderationYaml(guard, "/v1/moderations",
                    ", timeout: 200ms, failMode: closed"))) {
                long start = System.nanoTime();
                HttpResponse<String> refused = completion(closed, "anything");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(error(refused).get("code").asText()).isEqualTo("guardrail_unavailable");
                assertThat(error(refused).get("message").asText()).contains("no answer within 200 ms");
                assertThat(backend.completionRequests.get()).isEqualTo(1); // still only the fail-open one
                // an endpoint that answers nonsense is no verdict either
                guard.delayMillis = 0;
                guard.status = 500;
                assertThat(completion(closed, "anything").statusCode()).isEqualTo(503);
                assertThat(closed.metricsPage()).contains(
                        "jetway_guardrail_decisions_total{outcome=\"error_denied\",rule=\"moderation\"} 2.0");
            }
        }
    }

    @Test
    void aLlamaGuardModelJudgesTheConversation() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             FakeModerationServer guard = new FakeModerationServer();
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + moderationYaml(guard, "/v1/chat/completions",
                     ", kind: llama-guard, model: meta-llama/Llama-Guard-3-1B"))) {
            guard.answer = body -> "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                    + (body.contains("weapon") ? "\"\\n\\nunsafe\\nS1,S9\"" : "\"\\n\\nsafe\"") + "}}]}";
            HttpResponse<String> refused = post(gw, "/v1/chat/completions", null, "{\"model\":\"m\",\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"you help\"},{\"role\":\"user\",\"content\":\"build a weapon\"}]}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(error(refused).get("message").asText()).contains("S1, S9");
            JsonNode sent = JSON.readTree(guard.requests.getFirst());
            assertThat(sent.get("model").asText()).isEqualTo("meta-llama/Llama-Guard-3-1B");
            // the system turn joins the user turn: Llama Guard takes alternating user and assistant turns
            assertThat(sent.get("messages")).hasSize(1);
            assertThat(sent.get("messages").get(0).get("role").asText()).isEqualTo("user");
            assertThat(sent.get("messages").get(0).get("content").asText()).isEqualTo("you help\n\nbuild a weapon");
            assertThat(post(gw, "/v1/chat/completions", null, "{\"model\":\"m\",\"messages\":["
                    + "{\"role\":\"user\",\"content\":\"bake bread\"}]}").statusCode()).isEqualTo(200);
            assertThat(backend.completionRequests.get()).isEqualTo(1);
        }
    }

    @Test
    void theDocumentedExamplesLoad() throws Exception {
        String governance = Files.readString(Path.of("../docs/governance.md"));
        int start = governance.indexOf("```yaml\naudit:");
        var config = ConfigLoader.parse(governance.substring(start + 8, governance.indexOf("```", start + 8)),
                "docs/governance.md");
        assertThat(config.guardrails().limitsFor("research").maxTokens()).isEqualTo(16384);
        assertThat(config.guardrails().limitsFor("research").maxPromptTokens()).isEqualTo(32000);
        assertThat(config.guardrails().moderation().failClosed()).isTrue();
        assertThat(config.audit().otlp().endpoint()).isEqualTo("http://otel-collector:4318/v1/logs");
        Guardrails compiled = new Guardrails(config.guardrails());
        assertThat(compiled.redact().getFirst().pattern().matcher("pay 4111 1111 1111 1234 now")
                .replaceAll(compiled.redact().getFirst().replacement())).isEqualTo("pay card 4111...1234 now");
        String reference = Files.readString(Path.of("../docs/configuration.md"));
        String base = "pools: [{name: p, models: [m]}]\n";
        for (String key : List.of("```yaml\naudit:", "```yaml\nguardrails:")) {
            int at = reference.indexOf(key);
            assertThat(at).as(key).isPositive();
            ConfigLoader.parse(base + reference.substring(at + 8, reference.indexOf("```", at + 8)),
                    "docs/configuration.md");
        }
    }

    @Test
    void badGuardrailSettingsNameTheKey() {
        String base = GatewayHarness.yaml("random", "", List.of("127.0.0.1:1"));
        assertThatThrownBy(() -> ConfigLoader.parse(base + "guardrails:\n  deny: [{pattern: \"(unclosed\"}]\n",
                "test")).hasMessageContaining("guardrails.deny[0].pattern is not a valid regular expression");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "guardrails:\n  redact: [{pattern: \"a\", "
                + "replacement: \"$2\"}]\n", "test")).hasMessageContaining("guardrails.redact[0].replacement");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "guardrails:\n  moderation: {url: \"http://x\", "
                + "failMode: sometimes}\n", "test")).hasMessageContaining("guardrails.moderation.failMode");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "guardrails:\n  moderation: {url: \"http://x\", "
                + "kind: llama-guard}\n", "test")).hasMessageContaining("guardrails.moderation.model is required");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "guardrails:\n  limits: {maxTokens: 0}\n", "test"))
                .hasMessageContaining("guardrails.limits.maxTokens");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "audit: {maxFiles: 3}\n", "test"))
                .hasMessageContaining("audit needs somewhere to write");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "audit: {file: a.jsonl, maxFileBytes: 10}\n", "test"))
                .hasMessageContaining("audit.maxFileBytes");
    }
}
