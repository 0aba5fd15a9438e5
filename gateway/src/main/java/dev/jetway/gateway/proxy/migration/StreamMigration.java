package dev.jetway.gateway.proxy.migration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.metrics.MigrationOutcome;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.kvcache.tokenize.Tokenizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Request migration for one streamed completion (docs/operations.md, "Request migration"): keeps what the client has
 * been sent, and when the model server fails mid-stream says how the same client stream goes on: continued by
 * another endpoint from the text already streamed ({@link Plan.Continue}), ended by the gateway because nothing was
 * left to generate ({@link Plan.Finish}), or not at all ({@link Plan.GiveUp}, and the client gets an error event).
 *
 * <p>The exchange runs the legs (connections, scheduling, timeouts); this class only reads and writes the bytes:
 * every byte of a leg's response goes through {@link #relay} on its way to the client, which passes whole events
 * only, records them, and for a continuation leg rewrites them so that the client sees one stream (one id, one role
 * chunk, one {@code [DONE]}, usage for the whole answer). Not thread-safe: one per stream, on its event loop.
 */
public final class StreamMigration {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What becomes of the stream after its current leg failed. */
    public sealed interface Plan {
    }

    /** Send {@code body} to another endpoint; its response continues the stream. */
    public record Continue(byte[] body, int remainingTokens) implements Plan {
    }

    /** Write {@code tail} (the events that end the stream; the caller owns it) and end the response normally. */
    public record Finish(ByteBuf tail) implements Plan {
    }

    /** The stream cannot go on: the client gets an error event saying {@code reason}. */
    public record GiveUp(MigrationOutcome outcome, String reason) implements Plan {
    }

    private final ApiKind kind;
    private final int limit;
    private final Tokenizer tokenizer;
    private final SseFramer firstLeg = new SseFramer();
    private final StreamTranscript transcript = new StreamTranscript();
    private ContinuationRelay continuation;
    private ContinuationBody.Original original;
    private int migrations;

    /**
     * @param limit     continuation legs allowed (the pool's {@code migrationLimit}; 0: none, and a failure is only
     *                  reported as {@link MigrationOutcome#DISABLED})
     * @param tokenizer counts the text already sent when the stream carries no usage; null: one token per chunk
     */
    public StreamMigration(ApiKind kind, int limit, Tokenizer tokenizer) {
        this.kind = kind;
        this.limit = limit;
        this.tokenizer = tokenizer;
    }

    /**
     * The client's bytes for {@code in}, bytes the current leg sent (the caller still releases {@code in} and owns
     * the result, which may be empty).
     *
     * @throws IllegalStateException when the leg sends an event too large to be one (the leg has failed)
     */
    public ByteBuf relay(ByteBuf in, ByteBufAllocator alloc) {
        return continuation == null ? firstLeg.frame(in, alloc, transcript) : continuation.relay(in, alloc);
    }

    /** The current leg ended normally: whatever it left unterminated, for the client. */
    public ByteBuf endOfLeg(ByteBufAllocator alloc) {
        return continuation == null ? firstLeg.flush(alloc) : continuation.flush(alloc);
    }

    /**
     * What to do now that the current leg failed (its connection was lost, it stalled, or it refused before
     * streaming).
     *
     * @param clientBody   the client's request body (read, not kept)
     * @param promptTokens the gateway's count of the client's prompt, for a usage chunk the gateway has to write
     */
    public Plan next(ByteBuf clientBody, long promptTokens) {
        firstLeg.discard();
        if (transcript.done()) {
            return new Finish(Unpooled.EMPTY_BUFFER); // [DONE] went out: only the response's end was missing
        }
        if (limit == 0) {
            return new GiveUp(MigrationOutcome.DISABLED, "request migration is off for this pool (migrationLimit: 0)");
        }
        if (original == null) {
            try {
                original = ContinuationBody.Original.parse(kind, ByteBufUtil.getBytes(clientBody));
            } catch (IOException e) {
                return new GiveUp(MigrationOutcome.NOT_MIGRATABLE, "the request body cannot be read again");
            }
        }
        String reason = original.notContinuable();
        if (reason == null) {
            reason = transcript.notContinuable();
        }
        if (reason != null) {
            return new GiveUp(MigrationOutcome.NOT_MIGRATABLE, "a stream with " + reason + " cannot be continued "
                    + "on another endpoint");
        }
        int sent = transcript.tokensSent(tokenizer);
        if (transcript.finishReason() != null) {
            return new Finish(tail(null, sent, promptTokens));
        }
        int remaining = original.maxTokens() < 0 ? -1 : original.maxTokens() - sent;
        if (original.maxTokens() >= 0 && remaining <= 0) {
            return new Finish(tail("length", sent, promptTokens));
        }
        if (migrations >= limit) {
            return new GiveUp(MigrationOutcome.LIMIT_REACHED, "the stream was already moved " + migrations
                    + " time(s), the pool's migrationLimit");
        }
        byte[] body = ContinuationBody.build(original, transcript.text(), sent, remaining);
        if (body == null) {
            return new GiveUp(MigrationOutcome.NOT_MIGRATABLE, "the client's open assistant message has content "
                    + "parts the answer cannot be added to");
        }
        migrations++;
        continuation = new ContinuationRelay(transcript, sent);
        return new Continue(body, remaining);
    }

    /** Continuation legs started so far. */
    public int migrations() {
        return migrations;
    }

    /** Output tokens the client has been sent (see {@link StreamTranscript#tokensSent}). */
    public int tokensSent() {
        return transcript.tokensSent(tokenizer);
    }

    /**
     * The events that end a stream whose generation was over: the last chunk with {@code finishReason} (null: it went
     * out already), the usage chunk the client asked for if it did not go out (the gateway's prompt count), and
     * {@code [DONE]}.
     */
    private ByteBuf tail(String finishReason, int sent, long promptTokens) {
        StringBuilder events = new StringBuilder(256);
        if (finishReason != null) {
            ObjectNode chunk = chunk();
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            if (kind == ApiKind.CHAT_COMPLETIONS) {
                choice.putObject("delta");
            } else {
                choice.put("text", "");
            }
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            events.append("data: ").append(chunk).append("\n\n");
        }
        if (original.includeUsage() && !transcript.usageSent()) {
            ObjectNode chunk = chunk();
            chunk.putArray("choices");
            long prompt = Math.max(0, promptTokens);
            chunk.putObject("usage").put("prompt_tokens", prompt).put("total_tokens", prompt + sent)
                    .put("completion_tokens", sent);
            events.append("data: ").append(chunk).append("\n\n");
        }
        events.append("data: [DONE]\n\n");
        return Unpooled.wrappedBuffer(events.toString().getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode chunk() {
        ObjectNode chunk = JSON.createObjectNode();
        if (transcript.id() != null) {
            chunk.put("id", transcript.id());
        }
        chunk.put("object", transcript.object() != null ? transcript.object()
                : kind == ApiKind.CHAT_COMPLETIONS ? "chat.completion.chunk" : "text_completion");
        if (transcript.created() >= 0) {
            chunk.put("created", transcript.created());
        }
        if (transcript.model() != null) {
            chunk.put("model", transcript.model());
        }
        return chunk;
    }
}
