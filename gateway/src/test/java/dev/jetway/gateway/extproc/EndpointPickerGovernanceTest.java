package dev.jetway.gateway.extproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log and the guardrails in endpoint-picker mode: a redaction reaches Envoy as the body it forwards (both
 * body modes), a deny rule is an {@code ImmediateResponse}, and each ext_proc request gets one audit record when
 * Envoy reports its response over or goes away.
 */
class EndpointPickerGovernanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String governance(Path audit) {
        return "audit: {file: " + audit + ", includePrompt: true}\n"
                + "guardrails:\n"
                + "  deny: [{name: secret, pattern: \"top secret\", reason: \"no secrets, please\"}]\n"
                + "  redact: [{name: email, pattern: \"[a-z]+@[a-z]+\\\\.org\", replacement: \"[email]\"}]\n";
    }

    private static Map<String, String> post(String id) {
        Map<String, String> h = EnvoyStream.post("/v1/completions");
        h.put("x-request-id", id);
        return h;
    }

    @Test
    void redactionDenialAndTheAuditRecordInEndpointPickerMode() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        try (PickerHarness h = PickerHarness.start("jetway-approximate", governance(audit), 0).awaitReady()) {
            // FULL_DUPLEX_STREAMED: the redacted body is what goes back, with its length
            try (EnvoyStream envoy = h.fullDuplex()) {
                envoy.requestHeaders(post("duplex"), false, null);
                envoy.requestBody("{\"model\":\"m\",\"prompt\":\"mail ann@corp.org now\"}", true);
                ProcessingResponse route = envoy.next();
                Map<String, String> set = EnvoyStream.setHeaders(route.getRequestHeaders().getResponse());
                StringBuilder body = new StringBuilder();
                boolean end = false;
                while (!end) {
                    var piece = envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse();
                    body.append(piece.getBody().toStringUtf8());
                    end = piece.getEndOfStream();
                }
                assertThat(JSON.readTree(body.toString()).get("prompt").asText()).isEqualTo("mail [email] now");
                assertThat(set).containsEntry("content-length", Integer.toString(body.length()));
                envoy.responseHeaders(200, "application/json", null, false);
                envoy.next();
                envoy.responseBody("{\"choices\":[{\"text\":\"ok\"}],\"usage\":{\"prompt_tokens\":4,"
                        + "\"completion_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":2}}}", true);
                envoy.next();
            }
            // BUFFERED: the redacted body goes as the body reply's mutation
            try (EnvoyStream envoy = h.buffered()) {
                envoy.requestHeaders(post("buffered"), false, null);
                envoy.next();
                envoy.requestBody("{\"model\":\"m\",\"prompt\":\"to bo@x.org\"}", true);
                CommonResponse common = envoy.next().getRequestBody().getResponse();
                String forwarded = common.getBodyMutation().getBody().toStringUtf8();
                assertThat(JSON.readTree(forwarded).get("prompt").asText()).isEqualTo("to [email]");
                assertThat(EnvoyStream.setHeaders(common))
                        .containsEntry("content-length", Integer.toString(forwarded.length()));
                envoy.responseHeaders(200, "text/event-stream", null, false);
                envoy.next();
                envoy.cancel(); // the client went away mid-response
            }
            // a deny rule: Envoy answers the client itself
            try (EnvoyStream envoy = h.fullDuplex()) {
                envoy.requestHeaders(post("denied"), false, null);
                envoy.requestBody("{\"model\":\"m\",\"prompt\":\"the top secret plan\"}", true);
                ImmediateResponse immediate = envoy.next().getImmediateResponse();
                assertThat(immediate.getStatus().getCodeValue()).isEqualTo(400);
                assertThat(immediate.getBody().toStringUtf8()).contains("no secrets, please")
                        .contains("\"code\":\"content_policy_violation\"");
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(audit)
                    && Files.readAllLines(audit).size() >= 3);
            Thread.sleep(300);
            List<String> lines = Files.readAllLines(audit);
            assertThat(lines).hasSize(3);
            Map<String, JsonNode> byId = new HashMap<>();
            for (String line : lines) {
                JsonNode r = JSON.readTree(line);
                byId.put(r.get("requestId").asText(), r);
            }
            JsonNode duplex = byId.get("duplex");
            assertThat(duplex.get("outcome").asText()).isEqualTo("ok");
            assertThat(duplex.get("endpoint").asText()).isEqualTo(h.address(0));
            assertThat(duplex.get("prompt").asText()).isEqualTo("mail [email] now");
            assertThat(duplex.get("guardrails").get(0).asText()).isEqualTo("email:redacted");
            assertThat(duplex.get("tokens").get("prompt").asLong()).isEqualTo(4);
            assertThat(duplex.get("tokens").get("completion").asLong()).isEqualTo(1);
            assertThat(duplex.get("tokens").get("cached").asLong()).isEqualTo(2);
            JsonNode buffered = byId.get("buffered");
            assertThat(buffered.get("outcome").asText()).isEqualTo("cancelled");
            assertThat(buffered.get("status").asInt()).isEqualTo(499);
            assertThat(buffered.get("prompt").asText()).isEqualTo("to [email]");
            JsonNode denied = byId.get("denied");
            assertThat(denied.get("outcome").asText()).isEqualTo("rejected");
            assertThat(denied.get("status").asInt()).isEqualTo(400);
            assertThat(denied.get("guardrails").get(0).asText()).isEqualTo("secret:denied");
        }
    }
}
