package dev.jetway.sim.openai;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.jetway.kvcache.tokenize.FillerText;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes the SSE text chunks of one streaming response straight into a buffer: the same JSON as
 * {@link ResponseJson#writeTextChunk}, but the part every chunk repeats (id, object, created, model) is encoded once
 * per response and the filler words once per process. A stream sends one chunk per engine step, so this is the
 * simulator's most frequent write; it allocates nothing per chunk (the last one quotes its finish reason).
 */
public final class TextChunkEncoder {

    private static final byte[][] WORDS = encodeWords();
    private static final byte[] DATA = ascii("data: ");
    private static final byte[] TEXT_END = ascii("\",\"logprobs\":null,\"finish_reason\":");
    private static final byte[] CHAT_TEXT_END = ascii("\"},\"logprobs\":null,\"finish_reason\":");
    private static final byte[] NULL = ascii("null");
    private static final byte[] CHUNK_END = ascii(",\"stop_reason\":null}]}\n\n");

    private final byte[] prefix;
    private final byte[] textEnd;

    /** Encodes what the chunks of {@code head}'s response share. */
    public TextChunkEncoder(ResponseJson.ResponseHead head) {
        boolean chat = head.kind() == ApiKind.CHAT;
        String opening = "{\"id\":\"" + quote(head.id()) + "\",\"object\":\""
                + (chat ? "chat.completion.chunk" : "text_completion") + "\",\"created\":" + head.created()
                + ",\"model\":\"" + quote(head.model()) + "\",\"choices\":[{\"index\":0,"
                + (chat ? "\"delta\":{\"content\":\"" : "\"text\":\"");
        this.prefix = opening.getBytes(StandardCharsets.UTF_8);
        this.textEnd = chat ? CHAT_TEXT_END : TEXT_END;
    }

    /**
     * Appends one SSE event ({@code data: {...}\n\n}) whose text is {@code count} filler words starting at word
     * {@code offset} (as {@link FillerText#sequence(int, int)}); {@code finishReason} null until the last chunk.
     */
    public void writeTextEvent(ByteBuf out, int offset, int count, String finishReason) {
        out.writeBytes(DATA).writeBytes(prefix);
        for (int i = 0; i < count; i++) {
            out.writeBytes(WORDS[Math.floorMod(offset + i, WORDS.length)]);
        }
        out.writeBytes(textEnd);
        if (finishReason == null) {
            out.writeBytes(NULL);
        } else {
            out.writeByte('"');
            out.writeCharSequence(quote(finishReason), StandardCharsets.UTF_8);
            out.writeByte('"');
        }
        out.writeBytes(CHUNK_END);
    }

    private static byte[][] encodeWords() {
        byte[][] words = new byte[FillerText.WORDS.size()][];
        for (int i = 0; i < words.length; i++) {
            words[i] = JsonStringEncoder.getInstance().quoteAsUTF8(FillerText.word(i));
        }
        return words;
    }

    private static String quote(String text) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(text));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
