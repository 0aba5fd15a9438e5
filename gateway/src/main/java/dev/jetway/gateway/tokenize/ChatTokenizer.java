package dev.jetway.gateway.tokenize;

import dev.jetway.scheduler.ChatMessage;
import java.util.List;

/** A tokenizer that knows the model's chat template, so chat requests get the ids the engine caches. */
public interface ChatTokenizer {

    /** Token ids of the conversation after the model's chat template. */
    int[] encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt);
}
