package dev.jetway.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class MetricsScraperTest {

    @Test
    void readsVllmGaugesSummedOverModels() {
        String text = """
                # HELP vllm:num_requests_waiting Number of requests waiting.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{model_name="a"} 3.0
                vllm:num_requests_waiting{model_name="b"} 2.0
                vllm:num_requests_running{model_name="a"} 7
                vllm:kv_cache_usage_perc{model_name="a"} 0.42
                vllm:num_requests_waiting_total 99
                """;
        MetricsScraper.Gauges g = MetricsScraper.parse(text);
        assertThat(g.waiting()).isEqualTo(5.0);
        assertThat(g.running()).isEqualTo(7.0);
        assertThat(g.kvUsage()).isEqualTo(0.42);
    }

    @Test
    void metricsPathIsAtTheServerRoot() {
        assertThat(MetricsScraper.metricsUri(URI.create("http://h:8000/v1/"))).hasToString("http://h:8000/metrics");
        assertThat(MetricsScraper.metricsUri(URI.create("http://h:8000"))).hasToString("http://h:8000/metrics");
    }
}
