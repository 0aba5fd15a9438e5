package dev.jetway.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Every malformed request gets an OpenAI error body with the right status, and harms nobody else. */
class BadInputTest {

    static SimCluster cluster;
    static SimClient client;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withMaxModelLen(64), 1);
        client = new SimClient(cluster.replicas().getFirst());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "malformed JSON          | /v1/completions      | {\"model\":\"m\",                              | 400 | ",
            "not an object           | /v1/completions      | [1,2]                                          | 400 | ",
            "missing model           | /v1/completions      | {\"prompt\":\"hi\"}                            | 400 | model",
            "model not a string      | /v1/completions      | {\"model\":7,\"prompt\":\"hi\"}                | 400 | model",
            "unknown model           | /v1/completions      | {\"model\":\"nope\",\"prompt\":\"hi\"}         | 404 | model",
            "missing prompt          | /v1/completions      | {\"model\":\"m\"}                              | 400 | prompt",
            "prompt wrong type       | /v1/completions      | {\"model\":\"m\",\"prompt\":{\"a\":1}}         | 400 | prompt",
            "two prompts             | /v1/completions      | {\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}     | 400 | prompt",
            "negative token id       | /v1/completions      | {\"model\":\"m\",\"prompt\":[1,-2]}            | 400 | prompt",
            "empty prompt            | /v1/completions      | {\"model\":\"m\",\"prompt\":\"\"}              | 400 | prompt",
            "negative max_tokens     | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":-1}    | 400 | max_tokens",
            "zero max_tokens         | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":0}     | 400 | max_tokens",
            "max_tokens a string     | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":\"5\"} | 400 | max_tokens",
            "max_tokens fractional   | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":1.5}   | 400 | max_tokens",
            "min over max            | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":2,\"min_tokens\":3} | 400 | min_tokens",
            "n = 2                   | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"n\":2}              | 400 | n",
            "stream not a boolean    | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"stream\":\"yes\"}    | 400 | stream",
            "stream_options alone    | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"stream_options\":{\"include_usage\":true}} | 400 | stream_options",
            "prompt over max len     | /v1/completions      | {\"model\":\"m\",\"prompt\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64]} | 400 | prompt",
            "prompt+output over len  | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":64}    | 400 | prompt",
            "missing messages        | /v1/chat/completions | {\"model\":\"m\"}                              | 400 | messages",
            "messages not a list     | /v1/chat/completions | {\"model\":\"m\",\"messages\":\"hi\"}           | 400 | messages",
            "message without role    | /v1/chat/completions | {\"model\":\"m\",\"messages\":[{\"content\":\"hi\"}]}    | 400 | messages",
            "content wrong type      | /v1/chat/completions | {\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]} | 400 | messages",
            "continue and gen prompt | /v1/chat/completions | {\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":\"a\"}],\"continue_final_message\":true} | 400 | continue_final_message",
            "priority a string       | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"priority\":\"high\"} | 400 | priority",
            "priority under fcfs     | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":1,\"priority\":-1} | 400 | ",
            "kv params wrong type    | /v1/completions      | {\"model\":\"m\",\"prompt\":\"hi\",\"kv_transfer_params\":3} | 400 | kv_transfer_params",
            "tokenize without prompt | /tokenize            | {\"model\":\"m\"}                              | 400 | prompt",
            "unknown path            | /v2/whatever         | {}                                             | 404 | ",
    })
    void badRequestGetsAnOpenAiError(String name, String path, String body, int status, String param) {
        HttpResponse<String> response = client.post(path, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode error = SimClient.parse(response.body()).get("error");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isNotBlank();
        assertThat(error.get("code").asInt()).isEqualTo(status);
        if (param == null) {
            assertThat(error.get("param").isNull()).isTrue();
        } else {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        // The same keep-alive connection, and the server, still serve good requests.
        assertThat(client.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"fine\",\"max_tokens\":1}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void wrongMethodIs405() {
        assertThat(client.get("/v1/completions").statusCode()).isEqualTo(405);
        assertThat(client.post("/metrics", "{}").statusCode()).isEqualTo(405);
    }
}
