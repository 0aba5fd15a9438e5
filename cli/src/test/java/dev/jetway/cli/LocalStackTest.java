package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.SchedulingPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code jetway up} and {@code jetway demo} stand on: replicas and the gateway in one process. */
class LocalStackTest {

    @Test
    void replicasRunPrioritySchedulingWhenThePickerPropagatesPriorities(@TempDir Path dir) throws Exception {
        Path epp = dir.resolve("epp.yaml");
        Files.writeString(epp, """
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins: [{type: random-picker}]
                requestHandler: {propagatePriority: true}
                """);
        assertThat(LocalStack.schedulingPolicy(epp.toString())).isEqualTo(SchedulingPolicy.PRIORITY);
        assertThat(LocalStack.schedulingPolicy(null)).isEqualTo(SchedulingPolicy.FCFS);
        assertThat(LocalStack.schedulingPolicy("round-robin")).isEqualTo(SchedulingPolicy.FCFS);
    }

    @Test
    void servesThroughTheGatewaySwitchesPoliciesAndResetsReplicas() throws Exception {
        LocalStack.Options options = new LocalStack.Options("m", 2, "llama-3.1-8b-h100", "127.0.0.1", 0, 0, null);
        try (LocalStack stack = LocalStack.start(options);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertThat(stack.replicaUrls()).hasSize(2);
            HttpResponse<String> r = post(http, stack, "hello");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"object\":\"text_completion\"");
            assertThat(stack.replicaUrls()).contains("http://" + r.headers().firstValue("x-jetway-endpoint").orElseThrow());

            stack.usePolicy("round-robin");
            Set<String> served = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                served.add(post(http, stack, "same prompt").headers().firstValue("x-jetway-endpoint").orElseThrow());
            }
            assertThat(served).hasSize(2);

            stack.usePolicy("precise");
            assertThat(post(http, stack, "precise routing").statusCode()).isEqualTo(200);
            assertThat(stack.gateway().routing().preciseIndex("local")).isNotNull();
            // the replicas are jetway sim: the stack routes with its tokenizer, also where KV events are matched
            assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.adminUrl() + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"tokenizers\":{\"local\":\"jetway-simple-v1\"}");

            stack.resetReplicas();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.adminUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("llm_d_epp_request_total");
        }
    }

    @Test
    void aPdStackLabelsItsReplicasByRoleAndSplitsRequests() throws Exception {
        LocalStack.Options options = new LocalStack.Options("m", 0, "llama-3.1-8b-h100", "127.0.0.1", 0, 0, "pd")
                .withPd(dev.jetway.bench.config.PdSplit.parse("1P1D", "--pd"));
        try (LocalStack stack = LocalStack.start(options);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertThat(stack.sim().replicas()).extracting(r -> r.role().label()).containsExactly("prefill", "decode");
            HttpResponse<String> r = post(http, stack, "a prompt long enough to be worth splitting ".repeat(10));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-prefill-endpoint")).hasValue(stack.replicaUrls().get(0)
                    .substring("http://".length()));
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(stack.replicaUrls().get(1)
                    .substring("http://".length()));
        }
        CliRun bad = CliRun.of("up", "--pd", "0P1D");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--pd: '0P1D' needs at least one prefill");
    }

    private static HttpResponse<String> post(HttpClient http, LocalStack stack, String prompt) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"" + prompt
                        + "\",\"max_tokens\":2}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void gatewayCommandRefusesABadConfigWithAClearMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jetway.yaml");
        Files.writeString(file, "pools: [{name: p, endpoints: [{address: nohost}]}]\n");
        CliRun bad = CliRun.of("gateway", "--config", file.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("host:port");
        CliRun missing = CliRun.of("gateway", "--config", dir.resolve("missing.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("config file not found");
    }
}
