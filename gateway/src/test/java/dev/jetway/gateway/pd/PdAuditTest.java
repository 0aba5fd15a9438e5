package dev.jetway.gateway.pd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A split request's audit record names both legs' endpoints and the cached tokens the client was told. */
class PdAuditTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theRecordNamesBothLegs() throws Exception {
        Path audit = dir.resolve("audit.jsonl");
        try (FakeModelServer pre = new FakeModelServer("pre"); FakeModelServer dec = new FakeModelServer("dec")) {
            pre.jsonAnswer = PdFailureMatrixTest.PREFILL_ANSWER;
            try (GatewayHarness gw = GatewayHarness.start(PdYaml.pool("m", List.of(
                    new PdYaml.Member(pre.address(), "prefill"), new PdYaml.Member(dec.address(), "decode")),
                    false, "{}", "") + "audit: {file: " + audit + "}\n")) {
                HttpResponse<String> r = gw.post("/v1/completions",
                        "{\"model\":\"m\",\"prompt\":\"a long prompt\",\"max_tokens\":5}");
                assertThat(r.statusCode()).isEqualTo(200);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (!(Files.exists(audit) && !Files.readAllLines(audit).isEmpty())
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                JsonNode record = JSON.readTree(Files.readAllLines(audit).getFirst());
                assertThat(record.get("prefillEndpoint").asText()).isEqualTo(pre.address());
                assertThat(record.get("endpoint").asText()).isEqualTo(dec.address());
                assertThat(record.get("attempts").asInt()).isEqualTo(2);
                assertThat(record.get("tokens").get("cached").asLong()).isEqualTo(8);
                assertThat(record.get("decision").asText()).contains("prefill").contains("decode");
                assertThat(record.get("outcome").asText()).isEqualTo("ok");
            }
        }
    }
}
