package dev.jetway.sim.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.kvcache.tokenize.FillerText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast SSE text chunk must be exactly what the general JSON writer produces, escaping included. */
class TextChunkEncoderTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final ResponseJson json = new ResponseJson(mapper.getFactory());

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "COMPLETIONS | cmpl-1f2e  | m                   | 0   | 1 |",
            "COMPLETIONS | cmpl-abc   | my-model            | 7   | 5 | length",
            "CHAT        | chatcmpl-x | 'llama:lora\"1'     | 120 | 3 |",
            "CHAT        | chatcmpl-y | 'modèle\\t/ü \u2028' | 3   | 0 | stop",
    })
    void writesTheSameEventAsTheJsonWriter(ApiKind kind, String id, String model, int offset, int count,
                                           String finishReason) throws Exception {
        ResponseJson.ResponseHead head = new ResponseJson.ResponseHead(kind, id, 1_767_000_000L, model);

        ByteBuf fast = Unpooled.buffer();
        new TextChunkEncoder(head).writeTextEvent(fast, offset, count, finishReason);
        String fastText = fast.toString(StandardCharsets.UTF_8);

        ByteArrayOutputStream general = new ByteArrayOutputStream();
        json.writeTextChunk(general, head, FillerText.sequence(count, offset), finishReason);
        String expected = "data: " + general.toString(StandardCharsets.UTF_8) + "\n\n";

        assertThat(fastText).isEqualTo(expected);
        JsonNode chunk = mapper.readTree(fastText.substring("data: ".length()));
        assertThat(chunk.get("model").asText()).isEqualTo(model);
        assertThat(chunk.get("id").asText()).isEqualTo(id);
    }
}
