package dev.jetway.sim.openai;

import java.util.List;

/**
 * The simulator's chat template, deterministic and documented so that the gateway can render the same prompt:
 * each message becomes {@code <|role|>\ncontent\n}; with the generation prompt (the default) {@code <|assistant|>\n}
 * follows. With vLLM's {@code continue_final_message} the last message stays open (no newline after its content,
 * no generation prompt), so the model continues it. Then the prompt is tokenized like any text.
 */
public final class ChatTemplate {

    /** One chat message; {@code content} is its text (text parts already joined). */
    public record Message(String role, String content) {
    }

    private ChatTemplate() {
    }

    public static String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, false);
    }

    /**
     * As {@link #render(List, boolean)}; with {@code continueFinalMessage} the last message is left open for the
     * model to continue (the caller rejects it together with the generation prompt, as vLLM does).
     */
    public static String render(List<Message> messages, boolean addGenerationPrompt, boolean continueFinalMessage) {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            sb.append("<|").append(message.role()).append("|>\n").append(message.content());
            if (!continueFinalMessage || i < messages.size() - 1) {
                sb.append('\n');
            }
        }
        if (addGenerationPrompt && !continueFinalMessage) {
            sb.append("<|assistant|>\n");
        }
        return sb.toString();
    }
}
