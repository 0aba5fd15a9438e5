package dev.jetway.scheduler.plugins.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrecisePrefixCacheProducerTest {

    private final PrecisePrefixIndex index =
            new PrecisePrefixIndex(PreciseIndexConfig.defaults(64), Fixtures.CLOCK::get);
    private final List<Endpoint> eps = Fixtures.endpoints(4);
    private final SchedulerEnvironment env = Fixtures.env(5).withPreciseIndex(index);

    PrecisePrefixCacheProducerTest() {
        for (Endpoint e : eps) {
            index.addEndpoint(e.id(), "m");
        }
    }

    private static InferenceRequest request(String id, int[] tokens) {
        return InferenceRequest.builder(id).model("m").tokenIds(tokens).build();
    }

    private static int[] tokens(String text) {
        return SimpleWordTokenizer.instance().encode(text);
    }

    @Test
    void routesToTheEndpointWhoseKvEventsHoldThePrefix() {
        int[] system = tokens(FillerText.sequence(640, 3));
        // ep2's engine reports it stored the 10 blocks of the system prompt
        long[] engineHashes = new long[10];
        for (int i = 0; i < 10; i++) {
            engineHashes[i] = 1000 + i;
        }
        index.apply(2, new KvEventBatch(0.0, List.of(new KvEvent.BlockStored(engineHashes, null, system, 64, null,
                null, null)), null));
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.builtIn("precise"), env);
        int[] prompt = Arrays.copyOf(system, 700);
        System.arraycopy(tokens(FillerText.sequence(60, 50)), 0, prompt, 640, 60);
        SchedulingResult r = s.schedule(request("r", prompt), eps);
        assertThat(r.primaryEndpoint()).isSameAs(eps.get(2));
        assertThat(r.decision().profile("default").rawScore("prefix-cache-scorer", eps.get(2)))
                .as("10 of 10 full blocks").isEqualTo(1.0);
    }

    @Test
    void speculativeEntriesMakeSiblingsFollowBeforeEventsArrive() {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.builtIn("precise"), env);
        int[] prompt = tokens(FillerText.sequence(1280, 9));
        SchedulingResult first = s.schedule(request("a", prompt), eps);
        s.preRequest(first);
        for (int i = 0; i < 3; i++) {
            assertThat(s.schedule(request("b" + i, prompt), eps).primaryEndpoint()).isSameAs(first.primaryEndpoint());
        }
    }

    @Test
    void pseudoTokensNeverMatch() {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.builtIn("precise"), env);
        SchedulingResult r = s.schedule(Fixtures.request(FillerText.sequence(1000, 0)), eps);
        assertThat(r.context().get(dev.jetway.scheduler.spi.PrefixMatchInfo.DEFAULT_KEY).totalBlocks()).isZero();
    }

    @Test
    void withoutTheIndexTheConfigFailsClearly() {
        assertThatThrownBy(() -> Scheduler.fromConfig(EndpointPickerConfig.builtIn("precise"), Fixtures.env(1)))
                .hasMessageContaining("plugin 'precise-prefix-cache-producer' (precise-prefix-cache-producer): "
                        + "needs the precise prefix index");
        assertThatThrownBy(() -> Scheduler.fromConfig(EndpointPickerConfig.parse("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: precise-prefix-cache-producer
                  parameters: {tokenProcessorConfig: {blockSize: 16}}
                """, "t"), env)).hasMessageContaining("blockSize 16 differs from the index's 64");
    }
}
