package dev.jetway.gateway.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.scheduler.ChatMessage;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each engine's /tokenize shape, asked over a real socket. */
class TokenizeApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void llamaCppGetsContentWithBosAndChatsThroughItsTemplate() throws Exception {
        try (FakeModelServer llama = new FakeModelServer("llama"); HttpClient http = HttpClient.newHttpClient()) {
            llama.pages.put("/tokenize", "{\"tokens\":[1,15043,3186]}");
            llama.pages.put("/apply-template", "{\"prompt\":\"<|user|>hi<|assistant|>\"}");
            RemoteTokenizer t = new RemoteTokenizer("http://" + llama.address(), "m", Duration.ofSeconds(2), 10,
                    1 << 20, http, TokenizeApi.LLAMA_CPP);
            assertThat(t.encode("Hello world")).containsExactly(1, 15043, 3186);
            assertThat(JSON.readTree(body(llama, 0, "/tokenize")))
                    .isEqualTo(JSON.readTree("{\"content\":\"Hello world\",\"add_special\":true,\"parse_special\":true}"));

            assertThat(t.encodeChat(List.of(new ChatMessage("user", "hi")), true)).containsExactly(1, 15043, 3186);
            assertThat(JSON.readTree(body(llama, 1, "/apply-template")).path("messages").get(0).path("content").asText())
                    .isEqualTo("hi");
            assertThat(JSON.readTree(body(llama, 2, "/tokenize")).path("content").asText())
                    .isEqualTo("<|user|>hi<|assistant|>");
        }
    }

    @Test
    void sglangGetsPromptWithSpecialTokensAndRefusesChats() throws Exception {
        try (FakeModelServer sglang = new FakeModelServer("sglang"); HttpClient http = HttpClient.newHttpClient()) {
            sglang.pages.put("/tokenize", "{\"tokens\":[128000,9906],\"count\":2,\"max_model_len\":131072}");
            RemoteTokenizer t = new RemoteTokenizer("http://" + sglang.address(), "llama", Duration.ofSeconds(2), 10,
                    1 << 20, http, TokenizeApi.SGLANG);
            assertThat(t.encode("Hello")).containsExactly(128000, 9906);
            assertThat(JSON.readTree(body(sglang, 0, "/tokenize"))).isEqualTo(
                    JSON.readTree("{\"model\":\"llama\",\"prompt\":\"Hello\",\"add_special_tokens\":true}"));
            assertThatThrownBy(() -> t.encodeChat(List.of(new ChatMessage("user", "hi")), true))
                    .isInstanceOf(RemoteTokenizer.TokenizationException.class)
                    .hasMessageContaining("SGLANG's /tokenize takes text only")
                    .matches(e -> !((RemoteTokenizer.TokenizationException) e).serverAtFault(),
                            "not the server's fault: no back-off");
        }
    }

    @Test
    void tgiAnswersAListOfTokenObjects() throws Exception {
        try (FakeModelServer tgi = new FakeModelServer("tgi"); HttpClient http = HttpClient.newHttpClient()) {
            tgi.pages.put("/tokenize", "[{\"id\":1,\"text\":\"<s>\",\"start\":0,\"stop\":0},"
                    + "{\"id\":22557,\"text\":\"Hello\",\"start\":0,\"stop\":5}]");
            RemoteTokenizer t = new RemoteTokenizer("http://" + tgi.address(), "m", Duration.ofSeconds(2), 10, 1 << 20,
                    http, TokenizeApi.TGI);
            assertThat(t.encode("Hello")).containsExactly(1, 22557);
            assertThat(JSON.readTree(body(tgi, 0, "/tokenize"))).isEqualTo(JSON.readTree("{\"inputs\":\"Hello\"}"));
        }
    }

    @Test
    void anAnswerWithoutTokensIsAFailure() throws Exception {
        try (FakeModelServer odd = new FakeModelServer("odd"); HttpClient http = HttpClient.newHttpClient()) {
            odd.pages.put("/tokenize", "{\"error\":\"no\"}");
            RemoteTokenizer t = new RemoteTokenizer("http://" + odd.address(), "m", Duration.ofSeconds(2), 10, 1 << 20,
                    http, TokenizeApi.LLAMA_CPP);
            assertThatThrownBy(() -> t.encode("x")).hasMessageContaining("answered without a tokens array");
        }
    }

    @Test
    void enginesMapToTheirApis() {
        assertThat(TokenizeApi.forEngine("auto")).isEqualTo(TokenizeApi.VLLM);
        assertThat(TokenizeApi.forEngine("llama.cpp")).isEqualTo(TokenizeApi.LLAMA_CPP);
        assertThat(TokenizeApi.forEngine("trtllm-serve")).isNull();
    }

    private static String body(FakeModelServer server, int index, String path) {
        String request = server.pageRequests.get(index);
        assertThat(request).startsWith(path + " ");
        return request.substring(path.length() + 1);
    }
}
