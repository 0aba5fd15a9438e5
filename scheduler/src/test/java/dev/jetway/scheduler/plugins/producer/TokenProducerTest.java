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
    void estimatedTokensAndTheirKeysAreThoseOfTheEstimateTokenizer() throws Exception {
        String prompt = "naïve café 東京 🚀 " + "shared system prompt ".repeat(40) + "tail";
        PromptTokens t = run(create(null), Fixtures.request(prompt));
        int[] expected = dev.jetway.kvcache.tokenize.ByteEstimateTokenizer.instance().encode(prompt);
        long root = dev.jetway.kvcache.key.BlockKeys.root("m", "salt");
        // keys first: they are computed from the UTF-8 bytes, before any ids exist
        assertThat(t.blockKeys(16, root, true, 0))
                .containsExactly(dev.jetway.kvcache.key.BlockKeys.of(expected, expected.length, 16, root, true, 0));
        assertThat(t.blockKeys(16, root, false, 3))
                .containsExactly(dev.jetway.kvcache.key.BlockKeys.of(expected, expected.length, 16, root, false, 3));
        assertThat(t.count()).isEqualTo(expected.length);
        assertThat(t.ids()).containsExactly(expected);
        assertThat(t.backend()).isEqualTo("estimate");
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
    void vllmBackendNeedsAHostThatTokenizes() {
        assertThatThrownBy(() -> create("{modelName: x, vllm: {url: 'http://localhost:8000'}}"))
                .hasMessageContaining("parameter 'vllm'").hasMessageContaining("needs a host that does I/O");
        assertThatThrownBy(() -> create("{backend: engine}")).hasMessageContaining("none was given");
    }

    @Test
    void vllmBackendUsesTheHostsRemoteTokenizerAndValidatesItsBlock() throws Exception {
        var env = dev.jetway.scheduler.Fixtures.env(1).withServices(new dev.jetway.scheduler.SchedulerServices(null,
                (url, model, timeout) -> new dev.jetway.kvcache.tokenize.Tokenizer() {
                    public String name() {
                        return "remote " + url + " " + model + " " + timeout.toMillis();
                    }

                    public int[] encode(String text) {
                        return new int[] {text.length()};
                    }
                }));
        TokenProducer p = TokenProducer.create("t", new PluginParameters("t", TokenProducer.TYPE,
                new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(
                        "{modelName: x, timeout: 250ms, vllm: {url: 'http://h:1'}}")), env);
        PromptTokens t = run(p, InferenceRequest.builder("r").model("m").prompt("abcd").build());
        assertThat(t.ids()).containsExactly(4);
        assertThat(t.backend()).isEqualTo("remote http://h:1 x 250");
        assertThatThrownBy(() -> TokenProducer.create("t", new PluginParameters("t", TokenProducer.TYPE,
                new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree("{vllm: {uri: 'http://h:1'}}")), env)
                .toString()).hasMessageContaining("unknown parameter 'uri'");
    }
}
