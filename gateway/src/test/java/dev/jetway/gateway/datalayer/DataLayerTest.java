package dev.jetway.gateway.datalayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.DataLayerSettings;
import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.upstream.UpstreamPools;
import dev.jetway.scheduler.EndpointMetrics;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Scraping keeps endpoint state fresh; failures and staleness take effect the way routing needs. */
class DataLayerTest {

    @Test
    void scrapedMetricsReachTheSchedulerSnapshot() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address())))) {
            backend.metricsPage = """
                    vllm:num_requests_waiting{model_name="m"} 7
                    vllm:num_requests_running{model_name="m"} 2
                    vllm:kv_cache_usage_perc{model_name="m"} 0.5
                    vllm:cache_config_info{block_size="16",num_gpu_blocks="1000"} 1
                    """;
            GatewayEndpoint e = gw.server.routing().table().pools().getFirst().endpoints().getFirst();
            await().atMost(Duration.ofSeconds(5)).until(() -> e.endpoint().metrics().waitingRequests() == 7);
            EndpointMetrics m = e.endpoint().metrics();
            assertThat(m.runningRequests()).isEqualTo(2);
            assertThat(m.kvCacheUsage()).isEqualTo(0.5);
            assertThat(m.cacheBlockSize()).isEqualTo(16);
            assertThat(m.cacheNumBlocks()).isEqualTo(1000);
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.metricsPage()
                    .contains("llm_d_epp_pool_average_queue_size{name=\"p\"} 7.0"));
        }
    }

    @Test
    void failingScrapesTakeTheEndpointOutOfRotationUntilItAnswersAgain() throws Exception {
        try (FakeModelServer good = new FakeModelServer("a");
             FakeModelServer failing = new FakeModelServer("b");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "",
                     List.of(good.address(), failing.address())))) {
            failing.metricsDown = true;
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.metricsPage()
                    .contains("llm_d_epp_pool_ready_endpoints{name=\"p\"} 1.0"));
            assertThat(gw.metricsPage()).contains("llm_d_epp_datalayer_poll_errors_total");
            for (int i = 0; i < 10; i++) {
                var r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x" + i + "\"}");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
            }

            failing.metricsDown = false;
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.metricsPage()
                    .contains("llm_d_epp_pool_ready_endpoints{name=\"p\"} 2.0"));
        }
    }

    @Test
    void whenNoEndpointHasMetricsTheOnesThatAcceptConnectionsStillServe() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address())))) {
            backend.metricsDown = true;
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.metricsPage()
                    .contains("llm_d_epp_pool_ready_endpoints{name=\"p\"} 0.0"));
            assertThat(gw.get(gw.uri("/ready")).statusCode()).isEqualTo(200);
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anEndpointThatRefusesConnectionsIsOutOfRotation() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "",
                List.of("127.0.0.1:" + closedPort)))) {
            // /ready says 503 from the start (no scrape has succeeded); out of rotation takes 3 failed scrapes
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.get(gw.uri("/ready")).statusCode() == 503
                    && gw.metricsPage().contains("jetway_endpoint_ready{model_server_endpoint=\"127.0.0.1:" + closedPort
                    + "\",name=\"p\"} 0.0"));
            var r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no ready endpoint");
        }
    }

    @Test
    void staleMetricsMakeTheEndpointLookSaturated() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             HttpClient http = MetricsScraper.newHttpClient(Duration.ofSeconds(1))) {
            backend.metricsPage = "vllm:num_requests_waiting 1\nvllm:kv_cache_usage_perc 0.1\n";
            AtomicLong clock = new AtomicLong(1_000_000_000L);
            DataLayerSettings settings = DataLayerSettings.defaults();
            GatewayEndpoint e = new GatewayEndpoint(new EndpointConfig(backend.address(), null, null, null, null), 3,
                    new UpstreamPools(HostPort.parse(backend.address()), NioSocketChannel.class,
                            UpstreamSettings.defaults()));
            MetricsScraper scraper = new MetricsScraper(e, settings, http, new GatewayMetrics(), clock::get);
            scraper.scrapeOnce();
            assertThat(e.endpoint().metrics().kvCacheUsage()).isEqualTo(0.1);
            assertThat(e.endpoint().metrics().updateTimeNanos()).isEqualTo(1_000_000_000L);

            clock.addAndGet(Duration.ofMillis(1900).toNanos());
            scraper.markStaleAsSaturated(clock.get());
            assertThat(e.endpoint().metrics().kvCacheUsage()).isEqualTo(0.1);

            clock.addAndGet(Duration.ofMillis(200).toNanos());
            scraper.markStaleAsSaturated(clock.get());
            EndpointMetrics stale = e.endpoint().metrics();
            assertThat(stale.kvCacheUsage()).isEqualTo(1.0);
            assertThat(stale.waitingRequests()).isGreaterThanOrEqualTo(MetricsScraper.SATURATED_QUEUE);
            assertThat(stale.isStale(clock.get(), settings.stalenessThreshold().toNanos())).isTrue();

            scraper.scrapeOnce();
            assertThat(e.endpoint().metrics().kvCacheUsage()).isEqualTo(0.1);
        }
    }
}
