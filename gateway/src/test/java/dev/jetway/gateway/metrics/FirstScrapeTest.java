package dev.jetway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The first scrape of a gateway that has routed nothing yet: every series it shows has a number (no NaN), so a
 * dashboard or an alert that aggregates over pools is defined from the start.
 */
class FirstScrapeTest {

    @Test
    void everySeriesHasANumberBeforeAnyRequest() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a")) {
            String yaml = "server: {port: 0, adminPort: 0, host: 127.0.0.1}\n"
                    + "admission: {objectives: {critical: 10, batch: -1}}\n"
                    + "tenantRateLimits: {default: {tokensPerSecond: 1000, burst: 10000}}\n"
                    + "pools:\n"
                    + "  - name: p\n    models: [m]\n"
                    + "    endpointPicker: {apiVersion: llm-d.ai/v1alpha1, kind: EndpointPickerConfig, featureGates: [flowControl], plugins: [{type: precise-prefix-cache-producer}, "
                    + "{type: prefix-cache-scorer, parameters: {prefixMatchInfoProducerName: precise-prefix-cache-producer}}, "
                    + "{type: predicted-latency-producer}, {type: latency-cost-scorer}]}\n"
                    + "    endpoints:\n      - {address: \"" + backend.address() + "\", kvEvents: \"tcp://127.0.0.1:1\"}\n";
            try (GatewayHarness gw = GatewayHarness.start(yaml)) {
                gw.awaitInRotation(1);
                String page = gw.metricsPage();
                List<String> undefined = page.lines().filter(l -> !l.startsWith("#"))
                        .filter(l -> l.endsWith(" NaN") || l.endsWith("Inf")).toList();
                assertThat(undefined).as("series without a number on the first scrape").isEmpty();
                // the parity check has judged nothing yet: nothing disagreed, and its evidence says so
                assertThat(page).contains("jetway_kv_hash_parity_ratio{pool=\"p\"} 1.0",
                        "jetway_kv_hash_parity_samples{pool=\"p\"} 0.0",
                        // series registered at zero for rate() and absent() alerts
                        "jetway_kv_events_silent_endpoints{pool=\"p\"} 0.0",
                        "jetway_kv_index_untrusted_rebuilds_total{pool=\"p\"} 0.0",
                        "jetway_engine_tokenizer_fallbacks_total{reason=\"timeout\"} 0.0",
                        "jetway_upstream_errors_total{kind=\"connect\"} 0.0",
                        "jetway_migrations_total{outcome=\"leg_failed\"} 0.0",
                        "jetway_pd_prefill_failures_total{cause=\"timeout\"} 0.0",
                        "jetway_endpoint_ejections_total{model_server_endpoint=\"" + backend.address()
                                + "\",name=\"p\",reason=\"consecutive_5xx\"} 0.0");
                // measured once a second while idle: 0, or 1 if that second fell between two late scrapes
                assertThat(page).containsPattern("jetway_flow_control_failed_open\\{inference_pool=\"p\"} [01]\\.0");
            }
        }
    }

    @Test
    void theConfiguredModelsEndpointsAndGuardrailsHaveTheirSeriesAtZeroOnTheFirstScrape() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml(null, "", List.of(backend.address()))
                     + "guardrails:\n  deny: [{name: no-keys, pattern: \"PRIVATE KEY\"}]\n"
                     + "  limits: {maxTokens: 100}\n")) {
            String first = gw.metricsPage();
            String model = "model_name=\"m\"";
            assertThat(first).containsPattern("llm_d_epp_request_total\\{" + model + ",target_model_name=\"m\"} 0.0")
                    .contains("llm_d_epp_request_input_tokens_sum{" + model, "llm_d_epp_request_output_tokens_sum{"
                            + model)
                    .containsPattern("llm_d_epp_datalayer_poll_errors_total\\{endpoint=\""
                            + Pattern.quote(backend.address()) + "\"} 0.0");
            for (String code : GatewayMetrics.GATEWAY_ERROR_CODES) {
                assertThat(first).contains("llm_d_epp_request_error_total{error_code=\"" + code + "\"," + model
                        + ",target_model_name=\"m\"} 0.0");
            }
            Set<String> guardrailSeries = series(first, "jetway_guardrail_decisions_total");
            assertThat(guardrailSeries).containsExactlyInAnyOrder(
                    "{outcome=\"denied\",rule=\"no-keys\"}", "{outcome=\"denied\",rule=\"max-tokens\"}",
                    "{outcome=\"capped\",rule=\"max-tokens\"}");

            // the guard stage counts its decisions on the very series registered at zero, not on new ones
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"a PRIVATE KEY\"}")
                    .statusCode()).isEqualTo(400);
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":500}")
                    .statusCode()).isEqualTo(400);
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
            String later = gw.metricsPage();
            assertThat(series(later, "jetway_guardrail_decisions_total")).isEqualTo(guardrailSeries);
            assertThat(later).contains("jetway_guardrail_decisions_total{outcome=\"denied\",rule=\"no-keys\"} 1.0",
                    "jetway_guardrail_decisions_total{outcome=\"capped\",rule=\"max-tokens\"} 1.0");
        }
    }

    /** The label sets of one metric's series on a page. */
    private static Set<String> series(String page, String name) {
        return page.lines().filter(l -> l.startsWith(name + "{"))
                .map(l -> l.substring(name.length(), l.lastIndexOf(' '))).collect(Collectors.toCollection(TreeSet::new));
    }
}
