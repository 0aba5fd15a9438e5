package dev.jetway.scheduler.plugins.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerServices;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.ConfigException;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.scheduler.latency.LatencyPredictions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The producer in a real cycle: predictions for every candidate, in the decision record, and learning from hooks. */
class PredictedLatencyProducerTest {

    private static final String CONFIG = """
            apiVersion: llm-d.ai/v1alpha1
            kind: EndpointPickerConfig
            plugins:
            - type: predicted-latency-producer
              parameters: {prefillTokensPerSecond: 10000, decodeStepMs: 25, forgettingWindow: 500, minSamples: 5}
            - type: latency-cost-scorer
            """;

    private static Scheduler scheduler(String yaml) {
        return Scheduler.fromConfig(EndpointPickerConfig.parse(yaml, "t"), Fixtures.env(1));
    }

    private static InferenceRequest request(String id, int words) {
        return InferenceRequest.builder(id).model("m").prompt("word ".repeat(words)).stream(true).maxTokens(50)
                .build();
    }

    @Test
    void predictsEveryCandidateAndTheQueueAheadDecides() {
        Scheduler s = scheduler(CONFIG);
        List<Endpoint> eps = Fixtures.endpoints(2);
        Fixtures.prefilling(eps.getFirst(), 2, 40_000); // four seconds of prefill ahead at the prior's 10k tok/s
        SchedulingResult r = s.schedule(request("a", 4000), eps);
        LatencyPredictions p = r.context().get(LatencyPredictions.DEFAULT_KEY);
        assertThat(p.ttft(0) - p.ttft(1)).isBetween(3.5, 4.5);
        assertThat(p.tpot(1)).isGreaterThan(0.02);
        assertThat(r.primaryEndpoint()).isEqualTo(eps.get(1));
        String explained = r.decision().toCompactString();
        assertThat(explained).contains("pred{ttft=", "tpot=", "prefill=", "contenders=");
        assertThat(explained.indexOf("pred{")).as("explained once per endpoint")
                .isEqualTo(explained.lastIndexOf("pred{", explained.indexOf("; ")));
    }

    @Test
    void learnsFromTheHooksTheCallerReports() {
        Scheduler s = scheduler(CONFIG);
        LatencyModel model = s.plugins(PredictedLatencyProducer.class).getFirst().model();
        List<Endpoint> eps = Fixtures.endpoints(1);
        long t = Fixtures.CLOCK.get();
        for (int i = 0; i < 20; i++) {
            SchedulingResult r = s.schedule(request("r" + i, 2000), eps);
            s.preRequest(r, eps.getFirst());
            Fixtures.CLOCK.addAndGet(300_000_000L);
            s.onFirstToken(r, eps.getFirst());
            Fixtures.CLOCK.addAndGet(49 * 20_000_000L);
            s.onComplete(r, eps.getFirst(), true, 50);
        }
        Fixtures.CLOCK.set(t);
        assertThat(model.samples(eps.getFirst())).isEqualTo(40);
        assertThat(model.errors()).extracting(LatencyModel.PredictionError::kind)
                .contains(LatencyModel.Kind.TTFT, LatencyModel.Kind.TPOT);
        assertThat(model.expectedOutputTokens(50)).isEqualTo(50);
    }

    @Test
    void aMigratedStreamsContinuationCountsAsLoadButTeachesNothing() {
        Scheduler s = scheduler(CONFIG);
        LatencyModel model = s.plugins(PredictedLatencyProducer.class).getFirst().model();
        List<Endpoint> eps = Fixtures.endpoints(1);
        long t = Fixtures.CLOCK.get();
        for (int i = 0; i < 20; i++) {
            SchedulingResult r = s.schedule(request("m" + i, 2000), eps);
            s.continuation(r);
            assertThat(r.continuation()).isTrue();
            s.preRequest(r, eps.getFirst());
            Fixtures.CLOCK.addAndGet(5_000_000L); // a "TTFT" far from what 2,000 prompt words take
            s.onFirstToken(r, eps.getFirst());
            Fixtures.CLOCK.addAndGet(3 * 20_000_000L);
            s.onComplete(r, eps.getFirst(), true, 4);
        }
        Fixtures.CLOCK.set(t);
        assertThat(model.samples(eps.getFirst())).isZero();
        assertThat(model.errors()).isEmpty();
        assertThat(model.expectedOutputTokens(50)).as("output lengths untouched").isNotEqualTo(4);
    }

    @Test
    void aRetryElsewhereTakesTheRequestOutOfTheFirstEndpointsQueue() {
        Scheduler s = scheduler(CONFIG);
        List<Endpoint> eps = Fixtures.endpoints(2);
        SchedulingResult r = s.schedule(request("a", 40_000), eps);
        s.preRequest(r, eps.get(0));
        s.preRequest(r, eps.get(1)); // the first endpoint refused the connection
        SchedulingResult next = s.schedule(request("b", 10), eps);
        LatencyPredictions p = next.context().get(LatencyPredictions.DEFAULT_KEY);
        assertThat(p.ttft(0)).isLessThan(p.ttft(1));
        s.onComplete(r, eps.get(1), false);
    }

    @Test
    void aHostKeepsTheModelAcrossConfigReloads() {
        AtomicInteger created = new AtomicInteger();
        java.util.Map<LatencyModel.Settings, LatencyModel> kept = new java.util.concurrent.ConcurrentHashMap<>();
        var env = Fixtures.env(1).withServices(new SchedulerServices(null, null,
                settings -> kept.computeIfAbsent(settings, k -> {
                    created.incrementAndGet();
                    return new LatencyModel(k);
                })));
        Scheduler first = Scheduler.fromConfig(EndpointPickerConfig.parse(CONFIG, "t"), env);
        Scheduler second = Scheduler.fromConfig(EndpointPickerConfig.parse(CONFIG, "t"), env);
        assertThat(second.plugins(PredictedLatencyProducer.class).getFirst().model())
                .isSameAs(first.plugins(PredictedLatencyProducer.class).getFirst().model());
        assertThat(created).hasValue(1);
    }

    @Test
    void llmDParametersAreAcceptedAndBadValuesNameTheirField() {
        Scheduler s = scheduler("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: predicted-latency-producer
                  parameters: {samplingMean: 500, maxDecodeTokenSamplesForPrediction: 3, sloBufferFactor: 0.9,
                               contextTTL: 5m, streamingMode: true, endpointRoleLabel: llm-d.ai/role}
                - type: latency-scorer
                """);
        assertThat(s.describe()).contains("predicted-latency-producer", "sloBufferFactor=0.9");
        assertThatThrownBy(() -> scheduler("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: predicted-latency-producer
                  parameters: {metricsStalenessThreshold: soon}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("metricsStalenessThreshold");
        assertThatThrownBy(() -> scheduler("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: predicted-latency-producer
                  parameters: {prefillTokensPerSecnd: 1}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("prefillTokensPerSecnd");
    }

    @Test
    void consumersGetTheProducerAddedAndLlmDsPredictedLatencyProfileLoads() {
        Scheduler s = scheduler("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: slo-headroom-tier-filter
                - type: latency-scorer
                """);
        assertThat(s.plugins(PredictedLatencyProducer.class)).hasSize(1);
        Scheduler llmd = Scheduler.fromConfig(EndpointPickerConfig.builtIn("predicted-latency"), Fixtures.env(1));
        assertThat(llmd.describe()).contains("ttftSource=latencyPredictor", "latency-slo-admitter");
        SchedulingResult r = llmd.schedule(request("x", 100), Fixtures.endpoints(3));
        assertThat(r.primaryEndpoint()).isNotNull();
    }
}
