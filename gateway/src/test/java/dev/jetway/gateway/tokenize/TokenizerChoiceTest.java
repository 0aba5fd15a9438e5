package dev.jetway.gateway.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.PoolConfig;
import org.junit.jupiter.api.Test;

/** {@code tokenizer: auto}: the engine's ids where the picker matches KV events, the estimate everywhere else. */
class TokenizerChoiceTest {

    static PoolConfig pool(String extra) {
        return ConfigLoader.parse("pools:\n- name: p\n  models: [m]\n" + extra, "test").pools().getFirst();
    }

    static final String ENDPOINT = "  endpoints: [{address: \"10.0.0.1:8000\"}]\n";

    @Test
    void autoIsTheDefault() {
        assertThat(pool(ENDPOINT).tokenizer()).isEqualTo(PoolConfig.AUTO_TOKENIZER);
        assertThat(pool(ENDPOINT + "  tokenizer: auto\n").tokenizer()).isEqualTo(PoolConfig.AUTO_TOKENIZER);
    }

    @Test
    void aPickerThatMatchesKvEventsGetsTheEnginesTokenizer() {
        TokenizerChoice c = TokenizerChoice.of(pool(ENDPOINT), true);
        assertThat(c.tokenizer()).isEqualTo(PoolConfig.ENGINE_TOKENIZER);
        assertThat(c.automatic()).isTrue();
        assertThat(c.label()).isEqualTo("engine (auto)");
        assertThat(c.describe()).contains("KV events").contains("exact token ids");
    }

    @Test
    void aPickerThatMatchesOnlyItsRoutingHistoryGetsTheEstimate() {
        TokenizerChoice c = TokenizerChoice.of(pool(ENDPOINT), false);
        assertThat(c.tokenizer()).isEqualTo(PoolConfig.ESTIMATE_TOKENIZER);
        assertThat(c.label()).isEqualTo("estimate (auto)");
        assertThat(c.reason()).contains("routing history");
    }

    @Test
    void anExplicitTokenizerIsKeptWhateverThePickerDoes() {
        for (String t : new String[] {"jetway-simple-v1", "estimate", "engine"}) {
            PoolConfig p = pool(ENDPOINT + "  tokenizer: " + t + "\n");
            assertThat(TokenizerChoice.of(p, true)).isEqualTo(new TokenizerChoice(t, false, "set explicitly"));
            assertThat(TokenizerChoice.of(p, false).tokenizer()).isEqualTo(t);
            assertThat(TokenizerChoice.of(p, false).label()).isEqualTo(t);
        }
    }

    @Test
    void anEngineWithoutTokenizeFallsBackToTheEstimateAndSaysWhatWouldBeExact() {
        TokenizerChoice c = TokenizerChoice.of(pool(ENDPOINT + "  engine: trtllm-serve\n"), true);
        assertThat(c.tokenizer()).isEqualTo(PoolConfig.ESTIMATE_TOKENIZER);
        assertThat(c.reason()).contains("trtllm-serve serves no /tokenize").contains("tokenizer: huggingface");
    }

    @Test
    void aDiscoveredPoolWithNoEndpointYetEstimatesUntilOneCanBeAsked() {
        PoolConfig none = pool("  endpointsFile: endpoints.yaml\n");
        assertThat(TokenizerChoice.of(none, true).tokenizer()).isEqualTo(PoolConfig.ESTIMATE_TOKENIZER);
        assertThat(TokenizerChoice.of(none, true).reason()).contains("no endpoint");
        // once discovery lists one, the same pool asks it
        PoolConfig found = none.withEndpoints(pool(ENDPOINT).endpoints());
        assertThat(TokenizerChoice.of(found, true).tokenizer()).isEqualTo(PoolConfig.ENGINE_TOKENIZER);
        // an engineTokenizer.url needs no endpoint
        PoolConfig url = pool("  endpointsFile: endpoints.yaml\n  engineTokenizer: {url: \"http://tok:8000\"}\n");
        assertThat(TokenizerChoice.of(url, true).tokenizer()).isEqualTo(PoolConfig.ENGINE_TOKENIZER);
    }

    @Test
    void autoStillLetsTheDefaultPolicyRouteOnKvEvents() {
        PoolConfig p = pool("  endpoints: [{address: \"10.0.0.1:8000\", kvEvents: \"tcp://10.0.0.1:5557\"}]\n");
        assertThat(p.routesOnKvEvents()).isTrue();
        PoolConfig estimate = pool("  tokenizer: estimate\n"
                + "  endpoints: [{address: \"10.0.0.1:8000\", kvEvents: \"tcp://10.0.0.1:5557\"}]\n");
        assertThat(estimate.routesOnKvEvents()).isFalse();
    }
}
