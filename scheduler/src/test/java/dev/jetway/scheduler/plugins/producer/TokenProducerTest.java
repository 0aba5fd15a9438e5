package dev.jetway.scheduler.plugins.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.PromptTokens;
import dev.jetway.scheduler.spi.SchedulingContext;
import org.junit.jupiter.api.Test;

class TokenProducerTest {

    private static TokenProducer create(String yaml) throws Exception {
        return TokenProducer.create("t", new PluginParameters("t", TokenProducer.TYPE,
                yaml == null ? null : new YAMLMapper().readTree(yaml)), Fixtures.env(1));
    }

    private static PromptTokens run(TokenProducer p, InferenceRequest r) {
        SchedulingContext ctx = Fixtures.context(r, Fixtures.endpoints(1));
        p.produce(ctx);
        return ctx.get(PromptTokens.KEY);
    }

    @Test
    void estimatesFourBytesPerTokenByDefault() throws Exception {
        PromptTokens t = run(create(null), Fixtures.request("abcdefghi"));
        assertThat(t.count()).isEqualTo(3);
        assertThat(t.estimated()).isTrue();
    }

    @Test
    void callerTokenIdsWin() throws Exception {
        InferenceRequest r = InferenceRequest.builder("r").model("m").prompt("ignored").tokenIds(new int[] {1, 2})
                .build();
        assertThat(run(create(null), r).ids()).containsExactly(1, 2);
    }

    @Test
    void jetwaySimpleBackendCountsWords() throws Exception {
        assertThat(run(create("{backend: jetway-simple-v1}"), Fixtures.request(" the model cache")).count())
                .isEqualTo(3);
    }

    @Test
    void chatMessagesAreRenderedForEstimation() throws Exception {
        InferenceRequest chat = InferenceRequest.builder("r").model("m")
                .messages(java.util.List.of(new dev.jetway.scheduler.ChatMessage("user", "hello there"))).build();
        assertThat(run(create(null), chat).count()).isPositive();
    }

    @Test
    void vllmBackendIsNotBuiltYet() {
        assertThatThrownBy(() -> create("{modelName: x, vllm: {url: 'http://localhost:8000'}}"))
                .hasMessageContaining("parameter 'vllm'").hasMessageContaining("not built yet");
        assertThatThrownBy(() -> create("{backend: engine}")).hasMessageContaining("none was given");
    }
}
