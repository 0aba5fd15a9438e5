package dev.jetway.gateway.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.EngineTokenizerSettings;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.request.ChatTemplate;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.ChatMessage;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The model server's own /tokenize, against a simulated vLLM replica. */
class RemoteTokenizerTest {

    private static final String MODEL = "sim-model";
    private static SimCluster sim;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        sim = SimCluster.start(SimOptions.defaults(MODEL).withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 1);
    }

    @AfterAll
    static void stop() {
        sim.close();
        HTTP.close();
    }

    private static RemoteTokenizer tokenizer(String model) {
        return new RemoteTokenizer(sim.replicas().getFirst().baseUrl(), model, Duration.ofSeconds(2), 100,
                EngineTokenizerSettings.DEFAULT_CACHE_BYTES, HTTP);
    }

    @Test
    void promptsAndChatsGetTheEnginesIds() {
        RemoteTokenizer t = tokenizer(MODEL);
        String text = "The quick brown fox, again and again.";
        assertThat(t.encode(text)).containsExactly(SimpleWordTokenizer.instance().encode(text));
        List<ChatMessage> chat = List.of(new ChatMessage("system", "You are terse."),
                new ChatMessage("user", "Hello there"));
        assertThat(t.encodeChat(chat, true)).containsExactly(
                SimpleWordTokenizer.instance().encode(ChatTemplate.render(chat, true)));
        assertThat(t.encodeChat(chat, false)).containsExactly(
                SimpleWordTokenizer.instance().encode(ChatTemplate.render(chat, false)));
        assertThat(t.name()).contains("/tokenize");
    }

    @Test
    void failuresAreClearErrors() throws Exception {
        assertThatThrownBy(() -> tokenizer("no-such-model").encode("hi"))
                .isInstanceOf(RemoteTokenizer.TokenizationException.class).hasMessageContaining("answered 404");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RemoteTokenizer down = new RemoteTokenizer("http://127.0.0.1:" + closedPort, MODEL, Duration.ofMillis(500),
                10, EngineTokenizerSettings.DEFAULT_CACHE_BYTES, HTTP);
        assertThatThrownBy(() -> down.encode("hi")).isInstanceOf(RemoteTokenizer.TokenizationException.class)
                .hasMessageContaining("failed");
    }

    @Test
    void poolsChooseTheirTokenizerInJetwayYaml() {
        GatewayConfig c = ConfigLoader.parse("""
                pools:
                - name: a
                  models: [m]
                  endpoints: [{address: "127.0.0.1:9"}]
                  tokenizer: engine
                  engineTokenizer: {timeout: 500ms}
                - name: b
                  models: [n]
                  endpoints: [{address: "127.0.0.1:10"}]
                  tokenizer: jetway-simple-v1
                - name: c
                  models: [o]
                  endpoints: [{address: "127.0.0.1:11"}]
                """, "test");
        try (PoolTokenizers pools = new PoolTokenizers()) {
            assertThat(of(pools, c.pools().get(0), false).name()).isEqualTo("engine http://127.0.0.1:9/tokenize");
            assertThat(of(pools, c.pools().get(1), false)).isSameAs(SimpleWordTokenizer.instance());
            // the default (auto): the estimate (no tokenizer) unless the picker matches KV events
            assertThat(c.pools().get(2).tokenizer()).isEqualTo(PoolConfig.AUTO_TOKENIZER);
            assertThat(of(pools, c.pools().get(2), false)).isNull();
            assertThat(of(pools, c.pools().get(2), true).name()).isEqualTo("engine http://127.0.0.1:11/tokenize");
        }
        assertThat(c.pools().get(0).engineTokenizer().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: a, endpoints: [{address: \"h:1\"}], "
                + "tokenizer: sentencepiece}]", "test")).hasMessageContaining("tokenizer must be")
                .hasMessageContaining(PoolConfig.ENGINE_TOKENIZER);
    }

    private static Tokenizer of(PoolTokenizers pools, PoolConfig pool, boolean matchesKvEvents) {
        return pools.of(pool, TokenizerChoice.of(pool, matchesKvEvents), java.nio.file.Path.of("."));
    }
}
