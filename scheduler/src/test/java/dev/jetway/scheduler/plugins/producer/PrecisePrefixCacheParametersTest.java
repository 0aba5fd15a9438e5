package dev.jetway.scheduler.plugins.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulerServices;
import dev.jetway.scheduler.config.ConfigException;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.scorer.PrecisePrefixCacheScorer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The producer's llm-d parameters, its index from the host's per-pool provider, and the deprecated scorer. */
class PrecisePrefixCacheParametersTest {

    /** The llm-d guide's parameters (precise-prefix-cache-routing values.yaml), as written there. */
    static final String GUIDE = """
            tokenProcessorConfig:
              blockSize: 4
              hashSeed: "42"
            indexerConfig:
              kvBlockIndexConfig:
                enableMetrics: true
                inMemoryConfig: {size: 100000, podCacheSize: 10}
            speculativeIndexing: true
            speculativeTTL: 2s
            kvEventsConfig:
              topicFilter: "kv@"
              concurrency: 8
              discoverPods: true
              podDiscoveryConfig:
                socketPort: 5556
            kvCacheBackendConfigs:
            - {name: gpu, weight: 1.0}
            - {name: cpu, weight: 0.5}
            """;

    private final List<Endpoint> eps = Fixtures.endpoints(3);
    private final TokenProducer tokens = new TokenProducer("token-producer", SimpleWordTokenizer.instance());

    private static PluginParameters params(String type, String yaml) throws Exception {
        return new PluginParameters(type, type, yaml == null ? null : new YAMLMapper().readTree(yaml));
    }

    private static PrecisePrefixCacheProducer producer(String yaml) throws Exception {
        PluginParameters p = params(PrecisePrefixCacheProducer.TYPE, yaml);
        PrecisePrefixCacheProducer producer = PrecisePrefixCacheProducer.create(PrecisePrefixCacheProducer.TYPE, p,
                Fixtures.env(1).withServices(new SchedulerServices(
                        config -> new PrecisePrefixIndex(config, Fixtures.CLOCK::get), null)));
        p.finish();
        return producer;
    }

    private SchedulingContext run(PrecisePrefixCacheProducer p, InferenceRequest r) {
        SchedulingContext ctx = Fixtures.context(r, eps);
        tokens.produce(ctx);
        p.produce(ctx);
        return ctx;
    }

    private static InferenceRequest req(String prompt) {
        return InferenceRequest.builder("r").model("m").prompt(prompt).build();
    }

    /** What an engine with 4-token blocks reports after caching {@code prompt}'s full blocks. */
    private static KvEventBatch stored(String prompt, String medium) {
        int[] ids = SimpleWordTokenizer.instance().encode(prompt);
        int blocks = ids.length / 4;
        long[] hashes = new long[blocks];
        for (int b = 0; b < blocks; b++) {
            hashes[b] = 1000 + b + 31L * prompt.hashCode();
        }
        return new KvEventBatch(0, List.of(new KvEvent.BlockStored(hashes, null,
                java.util.Arrays.copyOf(ids, blocks * 4), 4, null, medium, null)), null);
    }

    @Test
    void theLlmdGuideParametersAreAccepted() throws Exception {
        PrecisePrefixCacheProducer p = producer(GUIDE);
        assertThat(p.indexConfig().blockSize()).isEqualTo(4);
        assertThat(p.indexConfig().maxEntries()).isEqualTo(100_000);
        assertThat(p.indexConfig().tierWeights().cpu()).isEqualTo(0.5);
        assertThat(p.speculativeIndexing()).isTrue();
        assertThat(p.kvEvents()).isEqualTo(new KvEventsSettings("kv@", 8, true, 5556));
    }

    @Test
    void typosInNestedBlocksAndUnsupportedBackendsFailClearly() {
        assertThatThrownBy(() -> producer("tokenProcessorConfig: {blokSize: 64}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tokenProcessorConfig")
                .hasMessageContaining("unknown parameter 'blokSize'");
        assertThatThrownBy(() -> producer("kvEventsConfig: {podDiscoveryConfig: {socketport: 1}}"))
                .hasMessageContaining("unknown parameter 'socketport'");
        assertThatThrownBy(() -> producer("indexerConfig: {kvBlockIndexConfig: {redisConfig: {address: x}}}"))
                .hasMessageContaining("redisConfig").hasMessageContaining("in-process");
        assertThatThrownBy(() -> producer("speculativeTTL: soon")).hasMessageContaining("speculativeTTL");
        assertThatThrownBy(() -> producer("kvCacheBackendConfigs: [{name: tape, weight: 1}]"))
                .hasMessageContaining("gpu, cpu or storage");
        assertThatThrownBy(() -> producer("speculativeIndexng: true")).hasMessageContaining("speculativeIndexng");
    }

    @Test
    void matchesComeFromTheEnginesEventsOnly() throws Exception {
        PrecisePrefixCacheProducer p = producer(GUIDE);
        PrecisePrefixIndex index = p.index();
        int ep1 = index.addEndpoint("ep1", "m");
        index.addEndpoint("ep2", "m");
        String prompt = FillerText.sequence(10, 3); // 2 full blocks of 4
        assertThat(run(p, req(prompt)).get(PrefixMatchInfo.keyFor(p.name())).anyHit()).isFalse();

        index.onMessage(ep1, 0, dev.jetway.kvcache.event.KvEventEncoder.encode(stored(prompt, null)));
        PrefixMatchInfo info = run(p, req(prompt)).get(PrefixMatchInfo.keyFor(p.name()));
        assertThat(info.matchedBlocks()).containsExactly(0, 2, 0);
        assertThat(info.totalBlocks()).isEqualTo(2);
        assertThat(info.blockSizeTokens()).isEqualTo(4);
        // a prompt sharing only the first block matches one block
        String sibling = FillerText.sequence(4, 3) + FillerText.sequence(6, 77);
        assertThat(run(p, req(sibling)).get(PrefixMatchInfo.keyFor(p.name())).matched(1)).isEqualTo(1);
    }

    @Test
    void preRequestSpeculatesOnTheChosenEndpointUntilTheTtl() throws Exception {
        PrecisePrefixCacheProducer p = producer(GUIDE);
        p.index().addEndpoint("ep2", "m");
        String prompt = FillerText.sequence(8, 5);
        SchedulingContext ctx = run(p, req(prompt));
        p.preRequest(ctx, null, eps.get(2));
        assertThat(run(p, req(prompt)).get(PrefixMatchInfo.keyFor(p.name())).matchedBlocks())
                .containsExactly(0, 0, 2);
        Fixtures.CLOCK.addAndGet(2_100_000_000L);
        p.index().expireDue();
        assertThat(run(p, req(prompt)).get(PrefixMatchInfo.keyFor(p.name())).anyHit()).isFalse();
    }

    @Test
    void theDeprecatedScorerWeighsTiersAndUsesTheHostsIndex() throws Exception {
        AtomicReference<PrecisePrefixIndex> shared = new AtomicReference<>();
        var env = Fixtures.env(1).withServices(new SchedulerServices(config -> {
            shared.compareAndSet(null, new PrecisePrefixIndex(config, Fixtures.CLOCK::get));
            return shared.get();
        }, null));
        PluginParameters params = params(PrecisePrefixCacheScorer.TYPE, GUIDE);
        PrecisePrefixCacheScorer scorer = PrecisePrefixCacheScorer.create("pps", params, env);
        params.finish();
        assertThat(scorer.producer().index()).isSameAs(shared.get());
        int ep0 = shared.get().addEndpoint("ep0", "m");
        int ep1 = shared.get().addEndpoint("ep1", "m");
        String prompt = FillerText.sequence(8, 9);
        shared.get().apply(ep0, stored(prompt, "GPU"));
        shared.get().apply(ep1, stored(prompt, "CPU"));
        SchedulingContext ctx = Fixtures.context(req(prompt), eps);
        tokens.produce(ctx);
        scorer.produce(ctx);
        double[] scores = new double[3];
        scorer.score(ctx, new Candidates(eps), scores);
        assertThat(scores).containsExactly(1.0, 0.5, 0.0);
    }
}
