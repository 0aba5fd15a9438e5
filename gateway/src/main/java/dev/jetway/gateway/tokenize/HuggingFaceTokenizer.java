package dev.jetway.gateway.tokenize;

import dev.jetway.gateway.config.HuggingFaceSettings;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.ChatMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The model's Hugging Face {@code tokenizer.json}, run in-process through DJL (the native library ships in the jar;
 * nothing is downloaded), with a simple chat template: a prefix, then one {@code messageTemplate} per message
 * ({@code {role}}, {@code {content}}), then {@code generationPrompt} when the assistant's turn is requested. Jinja
 * chat templates are not interpreted: write the model's template in this form, and watch
 * {@code jetway_kv_hash_parity_ratio} to confirm it matches.
 */
public final class HuggingFaceTokenizer implements Tokenizer, ChatTokenizer, AutoCloseable {

    private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer;
    private final HuggingFaceSettings settings;
    private final String name;

    private HuggingFaceTokenizer(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer,
                                 HuggingFaceSettings settings, String name) {
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.name = name;
    }

    /** Loads {@code settings.path()} (resolved against {@code baseDir}); a clear error when it cannot. */
    public static HuggingFaceTokenizer load(HuggingFaceSettings settings, Path baseDir) {
        if (settings.path() == null) {
            throw new IllegalArgumentException("tokenizer huggingface needs huggingFace.path (a tokenizer.json)");
        }
        Path file = baseDir.resolve(settings.path());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("huggingFace.path: no tokenizer.json at " + file);
        }
        try {
            // no truncation or padding: routing needs every token, exactly as the engine sees them
            var t = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(file, Map.of(
                    "truncation", "false", "padding", "false", "addSpecialTokens",
                    Boolean.toString(settings.addSpecialTokens())));
            return new HuggingFaceTokenizer(t, settings, "huggingface " + file.getFileName());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("huggingFace.path: cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] encode(String text) {
        return ids(tokenizer.encode(text, settings.addSpecialTokens(), false).getIds());
    }

    @Override
    public int[] encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder(settings.chatPrefix());
        for (ChatMessage m : messages) {
            sb.append(settings.messageTemplate().replace("{role}", m.role()).replace("{content}", m.content()));
        }
        if (addGenerationPrompt) {
            sb.append(settings.generationPrompt());
        }
        return ids(tokenizer.encode(sb.toString(), false, false).getIds());
    }

    private static int[] ids(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
