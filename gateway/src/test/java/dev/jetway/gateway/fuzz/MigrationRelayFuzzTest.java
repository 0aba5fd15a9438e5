package dev.jetway.gateway.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.proxy.migration.StreamMigration;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;

/**
 * The migration relay ({@link StreamMigration}: its SSE framer and stream transcript, then a continuation leg's
 * rewriting) reads every event a model server streams on a stream that may migrate. Whatever the model server sends,
 * in whatever pieces the network cuts it: the first leg reaches the client byte for byte (held back only until its
 * events end); what the transcript reads of it, and so the plan when the leg fails, does not depend on the cuts; the
 * plan is a continuation body that is JSON, a tail ending in {@code [DONE]}, or a reason to give up; and a
 * continuation leg reaches the client as data-only events. Nothing throws.
 */
@Tag("fuzz")
class MigrationRelayFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final int LIMIT = 3;

    /**
     * The input: a flags byte (chat, tokenizer, direct buffers, include_usage), {@code max_tokens} (255: none), eight
     * cut lengths, then the first leg's bytes, a 0 byte, and the continuation leg's bytes.
     */
    @FuzzTest(maxDuration = "1m")
    void anyEventStreamIsRelayedWholeAndMigratesOrEndsCleanly(byte[] input) throws IOException {
        if (input.length < 10) {
            return;
        }
        int flags = input[0];
        ApiKind kind = (flags & 1) != 0 ? ApiKind.CHAT_COMPLETIONS : ApiKind.COMPLETIONS;
        boolean tokenize = (flags & 2) != 0;
        boolean direct = (flags & 4) != 0;
        int maxTokens = input[1] & 0xff;
        byte[] client = clientBody(kind, maxTokens == 255 ? -1 : maxTokens, (flags & 8) != 0);
        int[] cuts = new int[8];
        for (int c = 0; c < cuts.length; c++) {
            cuts[c] = input[2 + c] & 0xff;
        }
        int split = 10;
        while (split < input.length && input[split] != 0) {
            split++;
        }
        byte[] first = Arrays.copyOfRange(input, 10, split);
        byte[] second = split < input.length ? Arrays.copyOfRange(input, split + 1, input.length) : new byte[0];

        StreamMigration whole = migration(kind, tokenize);
        byte[] wholeOut = relay(whole, first, new int[0], direct);
        StreamMigration cut = migration(kind, tokenize);
        byte[] cutOut = relay(cut, first, cuts, direct);
        StreamMigration ended = migration(kind, tokenize);
        byte[] endedOut = concat(relay(ended, first, cuts, direct), bytes(ended.endOfLeg(ALLOC)));
        check(Arrays.equals(endedOut, first), "a leg relayed to its end reached the client changed", first);
        check(isPrefix(wholeOut, first) && isPrefix(cutOut, first), "the relay sent what the leg did not", first);
        check(whole.tokensSent() == cut.tokensSent(), "tokens sent " + whole.tokensSent() + " in one piece, "
                + cut.tokensSent() + " in pieces", first);

        StreamMigration.Plan wholePlan = whole.next(Unpooled.wrappedBuffer(client), 7);
        StreamMigration.Plan plan = cut.next(Unpooled.wrappedBuffer(client), 7);
        check(describe(wholePlan).equals(describe(plan)), "planned " + describe(wholePlan) + " in one piece, "
                + describe(plan) + " in pieces", first);
        switch (plan) {
            case StreamMigration.Continue c -> {
                check(JSON.readTree(c.body()) instanceof ObjectNode, "a continuation body that is not a JSON object",
                        c.body());
                check(c.remainingTokens() == -1 || c.remainingTokens() > 0, "asked for " + c.remainingTokens()
                        + " more tokens", first);
                byte[] out = concat(relay(cut, second, cuts, direct), bytes(cut.endOfLeg(ALLOC)));
                dataOnlyEvents(out);
            }
            case StreamMigration.Finish f -> {
                byte[] tail = bytes(f.tail());
                check(tail.length == 0 || new String(tail, StandardCharsets.UTF_8).endsWith("data: [DONE]\n\n"),
                        "a tail that does not end the stream", tail);
            }
            case StreamMigration.GiveUp g -> check(g.reason() != null && !g.reason().isBlank(),
                    "giving up without a reason", first);
        }
    }

    private static StreamMigration migration(ApiKind kind, boolean tokenize) {
        return new StreamMigration(kind, LIMIT, tokenize ? SimpleWordTokenizer.instance() : null);
    }

    /** A request the gateway's parser accepted: a streamed completion or chat with the limits given. */
    private static byte[] clientBody(ApiKind kind, int maxTokens, boolean usage) throws IOException {
        String prompt = "a question about the weather";
        ObjectNode root = JSON.createObjectNode().put("model", "m").put("stream", true);
        if (kind == ApiKind.CHAT_COMPLETIONS) {
            root.putArray("messages").addObject().put("role", "user").put("content", prompt);
        } else {
            root.put("prompt", prompt);
        }
        if (maxTokens >= 0) {
            root.put("max_tokens", maxTokens);
        }
        if (usage) {
            root.putObject("stream_options").put("include_usage", true);
        }
        return JSON.writeValueAsBytes(root);
    }

    /** What the client gets for {@code bytes} arriving in the pieces {@code cuts} make (before the leg ends). */
    private static byte[] relay(StreamMigration m, byte[] bytes, int[] cuts, boolean direct) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        for (int c : cuts) {
            int n = Math.floorMod(c, bytes.length - at + 1);
            out.writeBytes(piece(m, bytes, at, n, direct));
            at += n;
        }
        out.writeBytes(piece(m, bytes, at, bytes.length - at, direct));
        return out.toByteArray();
    }

    private static byte[] piece(StreamMigration m, byte[] bytes, int at, int n, boolean direct) {
        ByteBuf in = direct ? Unpooled.directBuffer(n).writeBytes(bytes, at, n) : Unpooled.wrappedBuffer(bytes, at, n);
        try {
            return bytes(m.relay(in, ALLOC));
        } finally {
            in.release();
        }
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Every line a continuation leg sends the client is a data line or an event's end. */
    private static void dataOnlyEvents(byte[] out) {
        String s = new String(out, StandardCharsets.ISO_8859_1);
        for (String line : s.split("\r\n|\r|\n", -1)) {
            check(line.isEmpty() || line.startsWith("data: "), "a continuation sent the line '" + line + "'", out);
        }
        check(s.isEmpty() || s.endsWith("\n\n"), "a continuation's last event is not ended", out);
    }

    private static String describe(StreamMigration.Plan plan) {
        return switch (plan) {
            case StreamMigration.Continue c -> "continue " + c.remainingTokens() + " "
                    + new String(c.body(), StandardCharsets.UTF_8);
            case StreamMigration.Finish f -> "finish " + f.tail().toString(StandardCharsets.UTF_8);
            case StreamMigration.GiveUp g -> "give up " + g.outcome() + ": " + g.reason();
        };
    }

    private static boolean isPrefix(byte[] prefix, byte[] of) {
        return prefix.length <= of.length && Arrays.equals(prefix, 0, prefix.length, of, 0, prefix.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void check(boolean ok, String what, byte[] input) {
        if (!ok) {
            throw new AssertionError(what + ": " + new String(input, StandardCharsets.UTF_8));
        }
    }
}
