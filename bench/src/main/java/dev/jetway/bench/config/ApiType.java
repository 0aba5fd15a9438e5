package dev.jetway.bench.config;

/** Which OpenAI endpoint requests go to. */
public enum ApiType {
    /** {@code POST /v1/completions} with the prompt text. */
    COMPLETION,
    /** {@code POST /v1/chat/completions} with the prompt as one user message (the server adds its chat template). */
    CHAT
}
