package dev.jetway.gateway.request;

import dev.jetway.scheduler.ChatMessage;
import java.util.List;

/**
 * The chat template routing tokenizes with. It must render exactly what the model server renders, or prefix-aware
 * routing silently degrades to load balancing (the engine's blocks would not match the gateway's). This is the
 * template of {@code jetway sim} (docs/simulator.md): each message is {@code <|role|>\ncontent\n}, then
 * {@code <|assistant|>\n} unless the request sets {@code add_generation_prompt: false}.
 */
public final class ChatTemplate {

    private ChatTemplate() {
    }

    public static String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        int size = 16;
        for (ChatMessage m : messages) {
            size += m.content().length() + m.role().length() + 6;
        }
        StringBuilder sb = new StringBuilder(size);
        for (ChatMessage m : messages) {
            sb.append("<|").append(m.role()).append("|>\n").append(m.content()).append('\n');
        }
        if (addGenerationPrompt) {
            sb.append("<|assistant|>\n");
        }
        return sb.toString();
    }
}
