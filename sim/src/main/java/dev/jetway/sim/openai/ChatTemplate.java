package dev.jetway.sim.openai;

import java.util.List;

/**
 * The simulator's chat template, deterministic and documented so that the gateway can render the same prompt:
 * each message becomes {@code <|role|>\ncontent\n}; with the generation prompt (the default) {@code <|assistant|>\n}
 * follows. Then the prompt is tokenized like any text.
 */
public final class ChatTemplate {

    /** One chat message; {@code content} is its text (text parts already joined). */
    public record Message(String role, String content) {
    }

    private ChatTemplate() {
    }

    public static String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder(64);
        for (Message message : messages) {
            sb.append("<|").append(message.role()).append("|>\n").append(message.content()).append('\n');
        }
        if (addGenerationPrompt) {
            sb.append("<|assistant|>\n");
        }
        return sb.toString();
    }
}
