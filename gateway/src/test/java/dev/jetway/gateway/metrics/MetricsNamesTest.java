package dev.jetway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin page exposes llm-d's EPP names exactly, so existing dashboards and alerts work. */
class MetricsNamesTest {

    @Test
    void exposesLlmdEppNames() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address())))) {
            gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}");
            gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}");
            gw.post("/v1/completions", "{\"model\":\"ghost\",\"prompt\":\"x\"}");
            String page = gw.metricsPage();
            assertThat(page)
                    .contains("llm_d_epp_request_total{model_name=\"m\",target_model_name=\"m\"} 2.0")
                    .contains("llm_d_epp_request_duration_seconds_bucket{model_name=\"m\",target_model_name=\"m\",le=")
                    .contains("llm_d_epp_request_ttft_seconds_count{model_name=\"m\",streaming=\"true\",target_model_name=\"m\"} 1")
                    .contains("llm_d_epp_request_error_total{error_code=\"404\",model_name=\"ghost\",target_model_name=\"ghost\"} 1.0")
                    .contains("llm_d_epp_scheduler_e2e_duration_seconds_count 2")
                    .containsPattern("llm_d_epp_plugin_duration_seconds_count\\{extension_point=\"Picker\",plugin_name=\"[^\"]+\",plugin_type=\"[^\"]+\"\\} 2")
                    .contains("llm_d_epp_pool_ready_endpoints{name=\"p\"} 1.0")
                    .contains("llm_d_epp_pool_average_kv_cache_utilization{name=\"p\"}")
                    .contains("llm_d_epp_pool_per_endpoint_queue_size{model_server_endpoint=\"" + backend.address()
                            + "\",name=\"p\"}")
                    // tokens in and out per model (the fake server's usage says 3 completion tokens)
                    .contains("llm_d_epp_request_input_tokens_count{model_name=\"m\",target_model_name=\"m\"} 2")
                    .containsPattern("llm_d_epp_request_output_tokens_sum\\{model_name=\"m\",target_model_name=\"m\"} "
                            + "[1-9]")
                    // error series exist at zero before any error, for rate() and absent() alerts
                    .contains("jetway_upstream_errors_total{kind=\"idle_timeout\"} 0.0")
                    .contains("jetway_pd_prefill_failures_total{cause=\"timeout\"} 0.0")
                    .contains("jetway_migrations_total{outcome=\"limit_reached\"} 0.0")
                    // the JVM and the process
                    .contains("jvm_memory_used_bytes{area=\"heap\"", "jvm_threads_live_threads ",
                            "process_cpu_usage ", "process_uptime_seconds ", "jvm_gc_", "jvm_info{");
        }
    }

    @Test
    void capsDistinctLabelValues() {
        LabelCap cap = new LabelCap(2);
        assertThat(cap.apply("a")).isEqualTo("a");
        assertThat(cap.apply("b")).isEqualTo("b");
        assertThat(cap.apply("c")).isEqualTo(LabelCap.OTHER);
        assertThat(cap.apply("a")).isEqualTo("a");
    }
}
