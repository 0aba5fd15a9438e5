package dev.jetway.gateway.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;

/**
 * The two request bodies of a split request and what is read back from the first, per vLLM's NIXL connector as
 * llm-d's sidecar drives it (nixlv2):
 * <ul>
 *   <li>prefill leg: the client's body with {@code kv_transfer_params = {do_remote_decode: true, do_remote_prefill:
 *       false, remote_engine_id: null, remote_block_ids: null, remote_host: null, remote_port: null}},
 *       {@code stream: false}, no {@code stream_options}, and every token limit ({@code max_tokens},
 *       {@code max_completion_tokens}) set to 1;</li>
 *   <li>its answer's {@code kv_transfer_params} (whatever keys the engine put there, passed on verbatim so a newer
 *       engine's extra keys survive) and {@code usage.prompt_tokens_details.cached_tokens};</li>
 *   <li>decode leg: the client's body as sent, with those {@code kv_transfer_params}.</li>
 * </ul>
 */
public final class PdBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PdBodies() {
    }

    /** What the prefill leg handed back. {@code cachedTokens} is -1 when the engine did not say. */
    public record PrefillAnswer(ObjectNode kvTransferParams, long cachedTokens) {
    }

    /** The prefill answer could not be used. */
    public static final class BadPrefillAnswer extends Exception {
        public BadPrefillAnswer(String message) {
            super(message);
        }
    }

    /** The client's body (a JSON object: the parse stage checked it). */
    public static ObjectNode read(ByteBuf body) throws IOException {
        JsonNode root = JSON.readTree((java.io.InputStream) new ByteBufInputStream(body.duplicate()));
        if (!(root instanceof ObjectNode object)) {
            throw new IOException("the request body is not a JSON object");
        }
        return object;
    }

    public static byte[] prefillBody(ObjectNode client) {
        ObjectNode body = client.deepCopy();
        ObjectNode params = body.putObject("kv_transfer_params");
        params.put("do_remote_decode", true);
        params.put("do_remote_prefill", false);
        params.putNull("remote_engine_id");
        params.putNull("remote_block_ids");
        params.putNull("remote_host");
        params.putNull("remote_port");
        body.put("stream", false);
        body.remove("stream_options");
        body.put("max_tokens", 1);
        if (body.has("max_completion_tokens")) {
            body.put("max_completion_tokens", 1);
        }
        return bytes(body);
    }

    public static byte[] decodeBody(ObjectNode client, ObjectNode kvTransferParams) {
        ObjectNode body = client.deepCopy();
        body.set("kv_transfer_params", kvTransferParams);
        return bytes(body);
    }

    /** Reads the prefill answer; explains what is wrong with it otherwise. */
    public static PrefillAnswer prefillAnswer(byte[] body) throws BadPrefillAnswer {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadPrefillAnswer("its answer is not JSON");
        }
        JsonNode params = root == null ? null : root.get("kv_transfer_params");
        if (params == null || params.isNull()) {
            throw new BadPrefillAnswer("its answer has no kv_transfer_params (is vLLM started with "
                    + "--kv-transfer-config '{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}'?)");
        }
        if (!(params instanceof ObjectNode object)) {
            throw new BadPrefillAnswer("its kv_transfer_params is not an object");
        }
        JsonNode cached = root.path("usage").path("prompt_tokens_details").path("cached_tokens");
        return new PrefillAnswer(object, cached.canConvertToLong() ? cached.asLong() : -1);
    }

    private static byte[] bytes(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serializes", e);
        }
    }
}
