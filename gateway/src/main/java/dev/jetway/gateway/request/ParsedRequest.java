package dev.jetway.gateway.request;

import dev.jetway.scheduler.ChatMessage;
import java.util.List;

/**
 * What routing needs from a request body; the body itself is forwarded unchanged.
 *
 * @param promptText  the completion prompt (first prompt of a list), or null for chat and token-id prompts
 * @param promptTokens the prompt as token ids when the client sent ids, else null
 * @param messages    chat messages (chat completions only), else an empty list
 * @param maxTokens   {@code max_tokens} (or {@code max_completion_tokens}), -1 when absent
 */
public record ParsedRequest(ApiKind kind, String model, String promptText, int[] promptTokens,
                            List<ChatMessage> messages, boolean stream, int maxTokens, String cacheSalt,
                            boolean addGenerationPrompt) {
}
