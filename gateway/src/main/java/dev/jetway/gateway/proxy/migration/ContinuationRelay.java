package dev.jetway.gateway.proxy.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Turns a continuation leg's events into the ones the client's stream goes on with, as if one server had answered
 * it all: each chunk gets the {@code id}, {@code created} and {@code model} the client saw first; the chat role chunk
 * is not sent again; usage is the whole answer's ({@code prompt_tokens} the client's prompt, i.e. the leg's prompt
 * less the tokens already sent, which it includes; {@code completion_tokens} those plus the leg's). Everything else,
 * {@code [DONE]} and an error event included, passes as it came. What goes out is read into the transcript, so a
 * later migration continues from it.
 */
final class ContinuationRelay implements SseFramer.DataSink {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamTranscript transcript;
    /** Output tokens sent before this leg: its prompt includes them, its completion does not. */
    private final int sentBefore;
    private final SseFramer framer = new SseFramer();
    private ByteBuf out;

    ContinuationRelay(StreamTranscript transcript, int sentBefore) {
        this.transcript = transcript;
        this.sentBefore = sentBefore;
    }

    /** The client's bytes for what the leg sent in {@code in} (whole events only; may be empty). */
    ByteBuf relay(ByteBuf in, ByteBufAllocator alloc) {
        ByteBuf events = framer.frame(in, alloc, this);
        events.release();
        return take(alloc);
    }

    /** The leg ended: whatever it left unterminated, rewritten. */
    ByteBuf flush(ByteBufAllocator alloc) {
        ByteBuf rest = framer.flush(alloc);
        if (rest.isReadable()) {
            // a last event the server never ended with a blank line: end it and treat it as one
            ByteBuf ended = alloc.buffer(rest.readableBytes() + 2).writeBytes(rest).writeBytes(EVENT_END);
            rest.release();
            framer.frame(ended, alloc, this).release();
            ended.release();
        } else {
            rest.release();
        }
        return take(alloc);
    }

    private ByteBuf take(ByteBufAllocator alloc) {
        ByteBuf result = out != null ? out : Unpooled.EMPTY_BUFFER;
        out = null;
        return result;
    }

    @Override
    public void data(byte[] bytes, int from, int to) {
        byte[] rewritten = rewrite(bytes, from, to);
        if (rewritten == null) {
            return;
        }
        transcript.data(rewritten, 0, rewritten.length);
        if (out == null) {
            out = Unpooled.buffer(rewritten.length + 8);
        }
        // data the leg sent on several lines (joined with LF) goes out on as many data lines: one line would end at
        // the first LF, and the client would read the rest as other fields
        int line = 0;
        for (int j = 0; j < rewritten.length; j++) {
            if (rewritten[j] == '\n') {
                out.writeBytes(DATA).writeBytes(rewritten, line, j - line).writeByte('\n');
                line = j + 1;
            }
        }
        out.writeBytes(DATA).writeBytes(rewritten, line, rewritten.length - line).writeBytes(EVENT_END);
    }

    /** The event's data as the client gets it, or null to leave it out. */
    private byte[] rewrite(byte[] bytes, int from, int to) {
        JsonNode node;
        try {
            node = JSON.readTree(bytes, from, to - from);
        } catch (IOException e) {
            node = null;
        }
        if (!(node instanceof ObjectNode chunk) || chunk.has("error")) {
            return Arrays.copyOfRange(bytes, from, to); // [DONE], an error event, or not ours to read
        }
        if (chunk.has("id") && transcript.id() != null) {
            chunk.put("id", transcript.id());
        }
        if (chunk.has("created") && transcript.created() >= 0) {
            chunk.put("created", transcript.created());
        }
        if (chunk.has("model") && transcript.model() != null) {
            chunk.put("model", transcript.model());
        }
        if (transcript.roleSent() && dropRole(chunk)) {
            return null;
        }
        JsonNode usage = chunk.get("usage");
        if (usage instanceof ObjectNode u) {
            long legPrompt = u.path("prompt_tokens").asLong(0);
            long legCompletion = u.path("completion_tokens").asLong(0);
            long prompt = Math.max(0, legPrompt - sentBefore);
            long completion = sentBefore + legCompletion;
            u.put("prompt_tokens", prompt);
            u.put("completion_tokens", completion);
            u.put("total_tokens", prompt + completion);
            if (u.get("prompt_tokens_details") instanceof ObjectNode details && details.has("cached_tokens")) {
                details.put("cached_tokens", Math.min(prompt, details.path("cached_tokens").asLong(0)));
            }
        }
        try {
            return JSON.writeValueAsBytes(chunk);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    /**
     * Takes the role out of the chunk's deltas (the client had it from the first leg); true when that leaves the
     * chunk with nothing to say (the leg's opening role chunk), so it is not sent at all.
     */
    private static boolean dropRole(ObjectNode chunk) {
        if (!(chunk.get("choices") instanceof ArrayNode choices)) {
            return false;
        }
        boolean dropped = false;
        for (Iterator<JsonNode> it = choices.elements(); it.hasNext(); ) {
            JsonNode choice = it.next();
            if (!(choice.get("delta") instanceof ObjectNode delta) || delta.remove("role") == null) {
                continue;
            }
            boolean empty = absent(delta.get("content")) || delta.get("content").asText().isEmpty();
            empty &= delta.size() <= 1 && absent(choice.get("finish_reason")) && absent(choice.get("logprobs"));
            if (empty) {
                it.remove();
                dropped = true;
            }
        }
        return dropped && choices.isEmpty();
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }
}
