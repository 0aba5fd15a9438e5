package dev.jetway.gateway.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.HuggingFaceSettings;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.ChatMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A locally built word-level tokenizer.json, run through DJL's Hugging Face tokenizers. */
class HuggingFaceTokenizerTest {

    static final String TOKENIZER_JSON = """
            {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,
             "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
             "model": {"type": "WordLevel", "unk_token": "[UNK]",
                       "vocab": {"[UNK]": 0, "hello": 1, "world": 2, "<|": 5, "|>": 6, "user": 7, "assistant": 8,
                                 "system": 9, "be": 10, "brief": 11}}}
            """;

    @TempDir
    Path dir;

    private Path write() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, TOKENIZER_JSON);
        return file;
    }

    @Test
    void promptsAndChatsBecomeTheModelsIds() throws Exception {
        write();
        try (HuggingFaceTokenizer t = HuggingFaceTokenizer.load(
                new HuggingFaceSettings("tokenizer.json", null, null, null, null), dir)) {
            assertThat(t.encode("hello world")).containsExactly(1, 2);
            assertThat(t.encode("hello stranger")).containsExactly(1, 0);
            List<ChatMessage> chat = List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hello"));
            assertThat(t.encodeChat(chat, true)).containsExactly(5, 9, 6, 10, 11, 5, 7, 6, 1, 5, 8, 6);
            assertThat(t.encodeChat(chat, false)).containsExactly(5, 9, 6, 10, 11, 5, 7, 6, 1);
            assertThat(t.name()).isEqualTo("huggingface tokenizer.json");
        }
    }

    @Test
    void aPoolChoosesItInJetwayYamlAndAMissingFileIsAClearError() throws Exception {
        write();
        GatewayConfig c = ConfigLoader.parse("""
                pools:
                - name: a
                  endpoints: [{address: "127.0.0.1:9"}]
                  tokenizer: huggingface
                  huggingFace: {path: tokenizer.json, messageTemplate: "{role}: {content} "}
                """, "test");
        try (PoolTokenizers pools = new PoolTokenizers()) {
            Tokenizer t = pools.of(c.pools().getFirst(), TokenizerChoice.of(c.pools().getFirst(), false), dir);
            assertThat(((ChatTokenizer) t).encodeChat(List.of(new ChatMessage("user", "hello world")), false))
                    .containsExactly(7, 0, 1, 2); // "user", ":" (unknown), "hello", "world"
            assertThatThrownBy(() -> pools.of(c.pools().getFirst(), TokenizerChoice.of(c.pools().getFirst(), false),
                    dir.resolve("elsewhere")))
                    .hasMessageContaining("no tokenizer.json at");
        }
    }
}
