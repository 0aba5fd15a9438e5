package dev.jetway.gateway.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jetway.gateway.datalayer.PrometheusTextParser;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Tag;

/** A model server's {@code /metrics} page is input from the network: any text parses or is refused clearly. */
@Tag("fuzz")
class PrometheusTextFuzzTest {

    @FuzzTest(maxDuration = "1m")
    void anyPageParsesOrIsRefused(byte[] data) {
        try {
            PrometheusTextParser.parse(new String(data, StandardCharsets.UTF_8), Set.of("vllm:num_requests_waiting",
                    "vllm:num_requests_running", "vllm:kv_cache_usage_perc", "vllm:lora_requests_info"));
        } catch (PrometheusTextParser.MetricsFormatException e) {
            // a clear refusal; anything else thrown is a finding
        }
    }
}
