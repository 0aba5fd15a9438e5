package dev.jetway.sim.openai;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jetway.engine.KvTransfer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes the JSON bodies the simulator answers with, field for field in vLLM's shapes (streaming chunks,
 * full responses, errors, models, tokenize). Streaming with a generator keeps the per-chunk cost low.
 */
public final class ResponseJson {

    private final JsonFactory factory;

    public ResponseJson(JsonFactory factory) {
        this.factory = factory;
    }

    /** Identity of one response: every chunk repeats it. */
    public record ResponseHead(ApiKind kind, String id, long created, String model) {
    }

    /** A streaming chunk with new text ({@code finishReason} null until the last one). */
    public void writeTextChunk(OutputStream out, ResponseHead head, String text, String finishReason) {
        try (JsonGenerator g = open(out)) {
            startChunk(g, head);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            if (head.kind() == ApiKind.CHAT) {
                g.writeObjectFieldStart("delta");
                if (text != null) {
                    g.writeStringField("content", text);
                }
                g.writeEndObject();
            } else {
                g.writeStringField("text", text == null ? "" : text);
            }
            g.writeNullField("logprobs");
            writeNullableString(g, "finish_reason", finishReason);
            g.writeNullField("stop_reason");
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first chat chunk: {@code delta: {role: assistant, content: ""}}. */
    public void writeRoleChunk(OutputStream out, ResponseHead head) {
        try (JsonGenerator g = open(out)) {
            startChunk(g, head);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("delta");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", "");
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeNullField("finish_reason");
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The final chunk of {@code stream_options.include_usage}: no choices, only usage. */
    public void writeUsageChunk(OutputStream out, ResponseHead head, Usage usage) {
        try (JsonGenerator g = open(out)) {
            startChunk(g, head);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            writeUsage(g, usage);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A complete (non-streaming) response. */
    public void writeFullResponse(OutputStream out, ResponseHead head, String text, String finishReason,
                                  Usage usage, KvTransfer.RemotePrefillParams kvTransferParams) {
        try (JsonGenerator g = open(out)) {
            g.writeStartObject();
            g.writeStringField("id", head.id());
            g.writeStringField("object", head.kind() == ApiKind.CHAT ? "chat.completion" : "text_completion");
            g.writeNumberField("created", head.created());
            g.writeStringField("model", head.model());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            if (head.kind() == ApiKind.CHAT) {
                g.writeObjectFieldStart("message");
                g.writeStringField("role", "assistant");
                g.writeStringField("content", text);
                g.writeNullField("refusal");
                g.writeNullField("annotations");
                g.writeNullField("audio");
                g.writeNullField("function_call");
                g.writeArrayFieldStart("tool_calls");
                g.writeEndArray();
                g.writeNullField("reasoning_content");
                g.writeEndObject();
                g.writeNullField("logprobs");
            } else {
                g.writeStringField("text", text);
                g.writeNullField("logprobs");
            }
            g.writeStringField("finish_reason", finishReason);
            g.writeNullField("stop_reason");
            if (head.kind() == ApiKind.COMPLETIONS) {
                g.writeNullField("prompt_logprobs");
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeNullField("service_tier");
            g.writeNullField("system_fingerprint");
            writeUsage(g, usage);
            if (head.kind() == ApiKind.CHAT) {
                g.writeNullField("prompt_logprobs");
            }
            if (kvTransferParams == null) {
                g.writeNullField("kv_transfer_params");
            } else {
                writeKvTransferParams(g, kvTransferParams);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"error":{"message","type","param","code"}}}. */
    public void writeError(OutputStream out, ApiError error) {
        try (JsonGenerator g = open(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", error.message());
            g.writeStringField("type", error.type());
            writeNullableString(g, "param", error.param());
            g.writeNumberField("code", error.status());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET /v1/models}: the base model, then each LoRA adapter with the base as its parent. */
    public void writeModels(OutputStream out, ModelCatalog catalog) {
        try (JsonGenerator g = open(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            writeModel(g, catalog, catalog.baseModel(), catalog.baseModel(), null);
            for (Map.Entry<String, String> lora : catalog.loraModules().entrySet()) {
                writeModel(g, catalog, lora.getKey(), lora.getValue(), catalog.baseModel());
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code POST /tokenize}: {@code {"count","max_model_len","tokens","token_strs"}}. */
    public void writeTokenize(OutputStream out, int[] tokens, int maxModelLen) {
        try (JsonGenerator g = open(out)) {
            g.writeStartObject();
            g.writeNumberField("count", tokens.length);
            g.writeNumberField("max_model_len", maxModelLen);
            g.writeFieldName("tokens");
            g.writeArray(tokens, 0, tokens.length);
            g.writeNullField("token_strs");
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeModel(JsonGenerator g, ModelCatalog catalog, String id, String root, String parent)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "model");
        g.writeNumberField("created", catalog.createdEpochSeconds());
        g.writeStringField("owned_by", "vllm");
        g.writeStringField("root", root);
        writeNullableString(g, "parent", parent);
        g.writeNumberField("max_model_len", catalog.maxModelLen());
        g.writeEndObject();
    }

    private JsonGenerator open(OutputStream out) throws IOException {
        return factory.createGenerator(out, JsonEncoding.UTF8);
    }

    private static void startChunk(JsonGenerator g, ResponseHead head) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", head.id());
        g.writeStringField("object", head.kind() == ApiKind.CHAT ? "chat.completion.chunk" : "text_completion");
        g.writeNumberField("created", head.created());
        g.writeStringField("model", head.model());
    }

    private static void writeUsage(JsonGenerator g, Usage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", usage.cachedTokens());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeKvTransferParams(JsonGenerator g, KvTransfer.RemotePrefillParams p) throws IOException {
        g.writeObjectFieldStart("kv_transfer_params");
        g.writeBooleanField("do_remote_prefill", true);
        g.writeBooleanField("do_remote_decode", false);
        g.writeArrayFieldStart("remote_block_ids");
        for (int id : p.remoteBlockIds()) {
            g.writeNumber(id);
        }
        g.writeEndArray();
        writeNullableString(g, "remote_engine_id", p.remoteEngineId());
        writeNullableString(g, "remote_request_id", p.remoteRequestId());
        writeNullableString(g, "remote_host", p.remoteHost());
        g.writeNumberField("remote_port", p.remotePort());
        g.writeNumberField("tp_size", p.tpSize());
        g.writeEndObject();
    }

    private static void writeNullableString(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }
}
