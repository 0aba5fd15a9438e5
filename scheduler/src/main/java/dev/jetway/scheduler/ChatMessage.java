package dev.jetway.scheduler;

import java.util.Objects;

/** One chat message as routing sees it: its role and its text (multimodal parts flattened by the caller). */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
    }
}
