package dev.jetway.sim.openai;

/** Which OpenAI endpoint a generation request came through; decides the response shape. */
public enum ApiKind {
    /** {@code POST /v1/completions}: {@code text_completion} objects, {@code choices[].text}. */
    COMPLETIONS("cmpl-"),
    /** {@code POST /v1/chat/completions}: {@code chat.completion} objects, {@code message} / {@code delta}. */
    CHAT("chatcmpl-");

    private final String idPrefix;

    ApiKind(String idPrefix) {
        this.idPrefix = idPrefix;
    }

    public String idPrefix() {
        return idPrefix;
    }
}
