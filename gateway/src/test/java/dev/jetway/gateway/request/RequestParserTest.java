package dev.jetway.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.ChatMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(8 << 20);

    private ParsedRequest parse(ApiKind kind, String json) throws BadRequestException {
        return parser.parse(kind, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsCompletionFieldsAndSkipsTheRest() throws Exception {
        ParsedRequest r = parse(ApiKind.COMPLETIONS, """
                {"model":"m","logit_bias":{"1":2},"prompt":"hello world","stream":true,"max_tokens":16,
                 "cache_salt":"tenant-a","stop":["x",{"deep":[1,2,{"a":null}]}]}""");
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.promptText()).isEqualTo("hello world");
        assertThat(r.stream()).isTrue();
        assertThat(r.maxTokens()).isEqualTo(16);
        assertThat(r.cacheSalt()).isEqualTo("tenant-a");
    }

    @Test
    void acceptsEveryPromptShape() throws Exception {
        assertThat(parse(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}").promptText()).isEqualTo("a");
        assertThat(parse(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[1,2,3]}").promptTokens()).containsExactly(1, 2, 3);
        assertThat(parse(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[[4,5],[6]]}").promptTokens())
                .containsExactly(4, 5);
    }

    @Test
    void readsChatMessagesLikeTheSimulatorDoes() throws Exception {
        ParsedRequest r = parse(ApiKind.CHAT_COMPLETIONS, """
                {"messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"one"},{"type":"image_url","image_url":{"url":"x"}},
                                           {"text":"two","type":"text"}]},
                 {"role":"assistant","content":null}],
                 "model":"m","max_completion_tokens":5}""");
        assertThat(r.messages()).containsExactly(new ChatMessage("system", "be brief"),
                new ChatMessage("user", "one\ntwo"), new ChatMessage("assistant", ""));
        assertThat(r.maxTokens()).isEqualTo(5);
        assertThat(ChatTemplate.render(r.messages(), r.addGenerationPrompt()))
                .isEqualTo("<|system|>\nbe brief\n<|user|>\none\ntwo\n<|assistant|>\n\n<|assistant|>\n");
    }

    @Test
    void refusesBadBodiesNamingTheField() {
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":", null);
        assertBad(ApiKind.COMPLETIONS, "[1,2]", null);
        assertBad(ApiKind.COMPLETIONS, "{\"prompt\":\"x\"}", "model");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":7,\"prompt\":\"x\"}", "model");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\"}", "prompt");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":{}}", "prompt");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[-1]}", "prompt");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":\"yes\"}", "stream");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":\"10\"}", "max_tokens");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":-1}", "max_tokens");
        assertBad(ApiKind.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\"} trailing", null);
        assertBad(ApiKind.CHAT_COMPLETIONS, "{\"model\":\"m\"}", "messages");
        assertBad(ApiKind.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[]}", "messages");
        assertBad(ApiKind.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", "messages");
        assertBad(ApiKind.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
                "messages.content");
    }

    private void assertBad(ApiKind kind, String json, String param) {
        assertThatThrownBy(() -> parse(kind, json))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.param()).isEqualTo(param));
    }
}
