package dev.jetway.scheduler.plugins.producer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApproxPrefixCacheProducerTest {

    private final List<Endpoint> eps = Fixtures.endpoints(3);
    private final TokenProducer tokens = new TokenProducer("token-producer", SimpleWordTokenizer.instance());

    private static ApproxPrefixCacheProducer producer(String yaml) throws Exception {
        return ApproxPrefixCacheProducer.create("approx", new PluginParameters("approx",
                ApproxPrefixCacheProducer.TYPE, yaml == null ? null : new YAMLMapper().readTree(yaml)));
    }

    private PrefixMatchInfo run(ApproxPrefixCacheProducer p, InferenceRequest r) {
        SchedulingContext ctx = Fixtures.context(r, eps);
        tokens.produce(ctx);
        p.produce(ctx);
        return ctx.get(PrefixMatchInfo.keyFor("approx"));
    }

    private static InferenceRequest req(String prompt, String salt) {
        return InferenceRequest.builder("r").model("m").prompt(prompt).cacheSalt(salt).build();
    }

    @Test
    void learnsFromWhereRequestsWereSent() throws Exception {
        ApproxPrefixCacheProducer p = producer(null);
        String system = FillerText.sequence(640, 0); // exactly 10 blocks of 64 tokens
        InferenceRequest first = req(system + FillerText.sequence(100, 9), null);
        SchedulingContext ctx = Fixtures.context(first, eps);
        tokens.produce(ctx);
        p.produce(ctx);
        PrefixMatchInfo cold = ctx.get(PrefixMatchInfo.keyFor("approx"));
        assertThat(cold.totalBlocks()).as("740 tokens: 11 full blocks and a partial").isEqualTo(12);
        assertThat(cold.anyHit()).isFalse();
        p.preRequest(ctx, null, eps.get(1));

        PrefixMatchInfo warm = run(p, req(system + FillerText.sequence(50, 77), null));
        assertThat(warm.matched(1)).isEqualTo(10);
        assertThat(warm.matched(0)).isZero();
        assertThat(run(p, req(system, "other-tenant")).anyHit()).as("cache salt separates chains").isFalse();
    }

    @Test
    void parametersFollowLlmd() throws Exception {
        assertThat(producer(null).params()).isEqualTo(new ApproxPrefixCacheProducer.Params(64, 2048, 31250, true));
        assertThat(producer("{blockSizeTokens: 16}").params().blockSizeTokens()).as("clamped to 64").isEqualTo(64);
        assertThat(producer("{blockSizeTokens: 128, maxPrefixTokensToMatch: 4096}").params().maxBlocksToMatch())
                .isEqualTo(32);
        assertThat(producer("{maxPrefixBlocksToMatch: 256}").params().maxBlocksToMatch()).isEqualTo(256);
        assertThat(producer("{maxPrefixTokensToMatch: 0, maxPrefixBlocksToMatch: 0}").params().maxBlocksToMatch())
                .as("0 = unlimited").isZero();
        assertThat(producer("{blockSize: 512}").params().blockSizeTokens()).as("chars / 4").isEqualTo(128);
    }

    @Test
    void matchIsCappedAtMaxBlocks() throws Exception {
        ApproxPrefixCacheProducer p = producer("{maxPrefixBlocksToMatch: 4}");
        assertThat(run(p, req(FillerText.sequence(1000, 0), null)).totalBlocks()).isEqualTo(4);
    }

    @Test
    void autoTuneSizesTheLruFromTheEndpointsKvCache() throws Exception {
        ApproxPrefixCacheProducer p = producer(null);
        Endpoint e = eps.getFirst();
        e.updateMetrics(EndpointMetrics.of(0, 0, 0, 0).withCache(16, 800)); // 12,800 tokens = 200 blocks of 64
        assertThat(p.capacityOf(e)).isEqualTo(200);
        assertThat(p.capacityOf(eps.get(1))).as("unknown size: configured default").isZero();
        assertThat(producer("{autoTune: false}").capacityOf(e)).isZero();
    }
}
