package dev.jetway.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The NIXL two-leg flow as llm-d's sidecar drives it: prefill on one replica, decode on another. */
class PrefillDecodeTest {

    static SimCluster cluster;
    static SimClient prefill;
    static SimClient decode;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(SimOptions.defaults("pd").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withMaxModelLen(4096), 2);
        prefill = new SimClient(cluster.replicas().get(0));
        decode = new SimClient(cluster.replicas().get(1));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void prefillLegAnswersWithKvTransferParamsAndDecodeLegGenerates() {
        String prompt = OpenAiApiTest.words(100, 7);
        JsonNode first = prefill.postJson("/v1/completions", "{\"model\":\"pd\",\"prompt\":\"" + prompt + "\","
                + "\"max_tokens\":1,\"stream\":false,\"kv_transfer_params\":{\"do_remote_decode\":true,"
                + "\"do_remote_prefill\":false,\"remote_engine_id\":null,\"remote_block_ids\":null,"
                + "\"remote_host\":null,\"remote_port\":null}}");

        assertThat(first.get("choices").get(0).get("finish_reason").asText()).isEqualTo("remote_decode");
        JsonNode params = first.get("kv_transfer_params");
        assertThat(params.get("do_remote_prefill").asBoolean()).isTrue();
        assertThat(params.get("do_remote_decode").asBoolean()).isFalse();
        assertThat(params.get("remote_block_ids")).isNotEmpty();
        assertThat(params.get("remote_engine_id").asText()).isNotBlank();
        assertThat(params.get("remote_request_id").asText()).isEqualTo(first.get("id").asText());
        assertThat(params.get("remote_host").asText()).isEqualTo("127.0.0.1");
        assertThat(params.get("remote_port").asInt()).isEqualTo(cluster.replicas().get(0).httpPort());
        assertThat(params.get("tp_size").asInt()).isPositive();
        // The prefill engine keeps the prompt's blocks pinned for the decode engine to fetch.
        String usage = "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"pd\"}";
        assertThat(PrometheusSamples.parse(prefill.get("/metrics").body()).value(usage)).isPositive();

        ObjectNode decodeBody = (ObjectNode) SimClient.parse("{\"model\":\"pd\",\"prompt\":\"" + prompt + "\","
                + "\"max_tokens\":6,\"ignore_eos\":true,\"stream\":true}");
        decodeBody.set("kv_transfer_params", params);
        List<JsonNode> events = decode.stream("/v1/completions", decodeBody.toString());

        assertThat(events.getLast().asText()).isEqualTo("[DONE]");
        assertThat(events.get(events.size() - 2).get("choices").get(0).get("finish_reason").asText())
                .isEqualTo("length");
        PrometheusSamples metrics = PrometheusSamples.parse(decode.get("/metrics").body());
        assertThat(metrics.value("vllm:generation_tokens_total{engine=\"0\",model_name=\"pd\"}")).isEqualTo(6);
        // The decode run got its KV, so the prefill replica (same process) released the pinned blocks early.
        await().atMost(Duration.ofSeconds(5)).until(() ->
                PrometheusSamples.parse(prefill.get("/metrics").body()).value(usage) == 0.0);
        PrometheusSamples prefillMetrics = PrometheusSamples.parse(prefill.get("/metrics").body());
        assertThat(prefillMetrics.value(
                "vllm:request_success_total{engine=\"0\",model_name=\"pd\",finished_reason=\"remote_decode\"}"))
                .isEqualTo(1);
    }

    @Test
    void contradictoryTransferParamsAreRejected() {
        var response = prefill.post("/v1/completions", "{\"model\":\"pd\",\"prompt\":\"x\",\"kv_transfer_params\":"
                + "{\"do_remote_decode\":true,\"do_remote_prefill\":true}}");
        assertThat(response.statusCode()).isEqualTo(400);
    }
}
