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
    void blocksARequestNeverComputedAreForgottenAndOnlyThose() throws Exception {
        ApproxPrefixCacheProducer p = producer(null);
        String system = FillerText.sequence(640, 0); // 10 blocks
        // the first request of the prefix is served: its blocks are believed on endpoint 1
        SchedulingContext served = Fixtures.context(req(system + FillerText.sequence(100, 1), null), eps);
        tokens.produce(served);
        p.produce(served);
        p.preRequest(served, null, eps.get(1));
        p.onFirstToken(served, null, eps.get(1), 0);
        p.onComplete(served, null, eps.get(1), true, 10, 0);

        // a longer one of the same prefix goes there too and is rejected before any token (say, over the context
        // length): its own blocks go, the prefix the first one computed stays
        String longer = system + FillerText.sequence(640, 2);
        SchedulingContext rejected = Fixtures.context(req(longer, null), eps);
        tokens.produce(rejected);
        p.produce(rejected);
        p.preRequest(rejected, null, eps.get(1));
        assertThat(run(p, req(longer, null)).matched(1)).isEqualTo(20);
        p.onComplete(rejected, null, eps.get(1), false, -1, 0);
        assertThat(run(p, req(longer, null)).matched(1)).isEqualTo(10);

        // retried elsewhere before its first token: the first endpoint forgets, the second keeps until it answers
        SchedulingContext retried = Fixtures.context(req(longer, null), eps);
        tokens.produce(retried);
        p.produce(retried);
        p.preRequest(retried, null, eps.get(1));
        p.preRequest(retried, null, eps.get(2));
        PrefixMatchInfo after = run(p, req(longer, null));
        assertThat(after.matched(1)).isEqualTo(10);
        assertThat(after.matched(2)).isEqualTo(20);
        p.onFirstToken(retried, null, eps.get(2), 0);
        p.onComplete(retried, null, eps.get(2), false, -1, 0); // failed mid-stream: the prompt was computed
        assertThat(run(p, req(longer, null)).matched(2)).isEqualTo(20);
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
